"""Every paragraph and endnote of every seed has a ledger entry; every code has its passage.

Runs where the seeds live beside the checkout (../shared/seeds), like the other seed tests.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from analysis.data.coverage import LEDGER_COLUMNS, PASSAGES, ROW_IDS, ledger_problems, passage_problems
from analysis.data.locators import seed_files

PROJECT = Path(__file__).resolve().parents[1]
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
RAW = PROJECT / "data" / "raw"
LEDGER = PROJECT / "data" / "coverage"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def seeds() -> dict[str, Path]:
    if not (SEEDS / "README.md").exists():
        pytest.skip("../shared/seeds is not beside the checkout (only on developer and CI machines)")
    return seed_files(str(SEEDS))


@pytest.fixture(scope="module")
def tables() -> dict[str, list[dict[str, str]]]:
    return {table: _rows(RAW / f"{table}.csv") for table in ROW_IDS if (RAW / f"{table}.csv").exists()}


def test_every_paragraph_of_every_seed_has_a_ledger_entry(seeds, tables):
    known = {row[ROW_IDS[table]] for table, rows in tables.items() for row in rows}
    problems = []
    for source, path in sorted(seeds.items()):
        ledger_path = LEDGER / f"{source}.csv"
        if not ledger_path.exists():
            problems.append(f"data/coverage/{source}.csv is missing")
            continue
        ledger = _rows(ledger_path)
        assert ledger and list(ledger[0]) == LEDGER_COLUMNS, f"{ledger_path.name}: columns {LEDGER_COLUMNS}"
        located = {
            row[ROW_IDS[table]]: (row["section"], int(row["paragraph"]))
            for table, rows in tables.items()
            for row in rows
            if row["source"] == source
        }
        problems += ledger_problems(source, _lines(path), ledger, known, located)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:40])


def test_every_code_has_a_passage_and_every_passage_a_code(seeds, tables):
    problems = []
    for table in PASSAGES:
        for row in tables.get(table, []):
            # A row coded from a public source (the 2022 round, public records) rests on that source,
            # which its URL locates; passages are locators into the five documents.
            if row["source"] in seeds:
                problems += passage_problems(table, row, _lines(seeds[row["source"]]))
    assert not problems, "\n".join(problems)


def test_ledger_problems_on_a_hand_made_seed():
    lines = ["Title", "", "Heading", "first paragraph", "second paragraph", "", "third paragraph"]
    good = [
        {
            "source": "s",
            "section": "",
            "paragraph": "1",
            "row_ids": "",
            "status": "nothing_codable",
            "reason": "title",
        },
        {
            "source": "s",
            "section": "Heading",
            "paragraph": "1",
            "row_ids": "A-1",
            "status": "coded",
            "reason": "",
        },
        {
            "source": "s",
            "section": "Heading",
            "paragraph": "2",
            "row_ids": "",
            "status": "nothing_codable",
            "reason": "background",
        },
        {
            "source": "s",
            "section": "Heading",
            "paragraph": "3",
            "row_ids": "A-2;A-3",
            "status": "coded",
            "reason": "",
        },
    ]
    known = {"A-1", "A-2", "A-3"}
    located = {"A-1": ("Heading", 1), "A-2": ("Heading", 3)}
    assert ledger_problems("s", lines, good, known, located) == []
    missing = ledger_problems("s", lines, good[:2] + good[3:], known, located)
    assert missing == ["s: paragraph without a ledger entry: 'second paragraph'"]
    unknown = [*good[:3], good[3] | {"row_ids": "A-2;Z-9"}]
    assert ledger_problems("s", lines, unknown, known, located) == [
        "s ledger line 5: row id 'Z-9' does not exist"
    ]
    unlisted = [*good[:3], good[3] | {"row_ids": "A-3"}]
    assert ledger_problems("s", lines, unlisted, known, located) == [
        "s: A-2 is coded from 'Heading' paragraph 3 but its ledger entry does not list it"
    ]
    no_reason = [good[0] | {"reason": " "}, *good[1:]]
    assert ledger_problems("s", lines, no_reason, known, located) == [
        "s ledger line 2: nothing_codable needs a reason and no row ids"
    ]


def test_passage_problems_on_hand_made_rows():
    lines = ["Heading", "a passage", "another"]
    row = {
        "measure_id": "m",
        "intensity_code": "partial",
        "intensity_passage": "Heading#2",
        "us_requested": "",
        "us_requested_passage": "",
    }
    assert passage_problems("measures", row, lines) == []
    assert passage_problems("measures", row | {"intensity_passage": ""}, lines) == [
        "measures m: intensity_code without a intensity_passage"
    ]
    assert passage_problems("measures", row | {"us_requested_passage": "Heading#1"}, lines) == [
        "measures m: us_requested empty but with a us_requested_passage"
    ]
    message = passage_problems("measures", row | {"intensity_passage": "Heading#9"}, lines)[0]
    assert message.startswith("measures m: intensity_passage does not resolve")
