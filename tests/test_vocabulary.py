"""The vocabulary is the one list of instruments, senders and hypotheses; the codebook agrees with it."""

from __future__ import annotations

import json
from pathlib import Path

from analysis import registry, vocabulary

PROJECT = Path(__file__).resolve().parents[1]


def enum(resource: str, field: str) -> list[str]:
    package = json.loads((PROJECT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    table = next(r for r in package["resources"] if r["name"] == resource)
    return next(f for f in table["schema"]["fields"] if f["name"] == field)["constraints"]["enum"]


def test_the_codebook_lists_the_vocabulary_codes():
    assert enum("measures", "sender") == list(vocabulary.SENDER_ORDER)
    assert enum("measures", "instrument") == [*vocabulary.INSTRUMENT_CODES, *vocabulary.OTHER_MEASURE_KINDS]
    assert enum("evidence", "hypothesis") == list(vocabulary.HYPOTHESIS_CODES)


def test_every_sender_and_instrument_has_a_label_and_a_colour():
    for sender in vocabulary.SENDERS:
        assert sender.label and sender.prose and sender.colour.startswith("#")
    assert len(set(vocabulary.SENDER_COLOURS.values())) == len(vocabulary.SENDERS)
    for instrument in vocabulary.INSTRUMENTS:
        assert instrument.label and instrument.description
        assert instrument.gsdb_type in vocabulary.GSDB_TYPES


def test_the_weight_sets_schema_is_built_from_the_instrument_list():
    weights = registry.schema()["$defs"]["instrument_weights"]
    assert weights["required"] == list(vocabulary.INSTRUMENT_CODES)
    assert list(weights["properties"]) == list(vocabulary.INSTRUMENT_CODES)
