"""Human labels for the codes the tables hold (senders, instruments and hypotheses come from the
vocabulary): the one place the report and figures look them up.

Codes without a label fall back to their own text with underscores as spaces, so a new code shows
readably (if plainly) rather than as snake_case.
"""

from __future__ import annotations

from typing import Any

from analysis.vocabulary import HYPOTHESES as VOCABULARY_HYPOTHESES
from analysis.vocabulary import INSTRUMENT_PROSE, SENDER_PROSE, VERDICTS

SENDERS = {code: prose.removeprefix("the ") for code, prose in SENDER_PROSE.items()}
INSTRUMENTS = INSTRUMENT_PROSE
TEST_TYPES = {
    "straw_in_the_wind": "straw in the wind",
    "hoop": "hoop test",
    "smoking_gun": "smoking gun",
    "doubly_decisive": "doubly decisive test",
}
OUTCOMES = {"found": "found", "sought_not_found": "sought, not found"}
# Claimed causes of Japan's measures, as the attribution statements name them.
CAUSES = {
    "us_pressure": "US pressure",
    "mixed": "US pressure mixed with own motives",
    "g7_coordination": "G7 coordination",
    "territorial_norm": "the territorial-integrity norm",
    "own_interest": "Japan's own interests",
}
# Who speaks, in the plural a sentence uses ("Japanese officials' statements average …").
ATTRIBUTOR_TYPES = {
    "ego": "Japanese officials",
    "alter_ally": "allied officials",
    "alter_target": "Russian officials and commentators",
    "expert": "researchers",
    "media": "news media",
}
# The three groups the attributed-influence table averages; each lists the attributor types in it.
ATTRIBUTOR_GROUPS = {
    "ego": ["ego"],
    "alter": ["alter_ally", "alter_target"],
    "researcher": ["expert", "media"],
}
CHANNELS = {"direct": "direct", "indirect": "indirect"}
HYPOTHESES = {h.code: h.short for h in VOCABULARY_HYPOTHESES}
VERDICT_WORDS = {v: v for v in VERDICTS}
# Fields of the coded tables as a reader would name them.
FIELDS = {
    "date_announced": "date announced",
    "date": "date",
    "individuals": "persons listed",
    "entities": "entities listed",
    "verdict": "verdict",
}


def label(mapping: dict[str, str], code: Any) -> str:
    """The human label of `code` in `mapping`, else the code with underscores as spaces."""
    text = "" if code is None else str(code)
    return mapping.get(text, text.replace("_", " "))


def sender(code: Any) -> str:
    return label(SENDERS, code)


def instrument(code: Any) -> str:
    return label(INSTRUMENTS, code)


# Measure rows that act on another instrument (their affects_instrument), phrased around it.
AFFECTING = {
    "carve_out": "carve-out from {}",
    "not_adopted": "{} not adopted",
    "easing": "easing of {}",
}


def measure_what(code: Any, affects: Any = None) -> str:
    """What a measure row is, in words: its instrument, or for a carve-out, a measure not adopted or an
    easing, what it acts on ('carve-out from energy import bans')."""
    text = "" if code is None else str(code)
    if text in AFFECTING and affects is not None and str(affects) not in ("", "nan", "<NA>"):
        return AFFECTING[text].format(instrument(affects))
    return instrument(code)


def short(text: Any, limit: int = 60) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis when cut."""
    words = " ".join(str(text).split())
    if len(words) <= limit:
        return words
    cut = words[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"
