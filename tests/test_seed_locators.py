"""Every coded row points at a seed paragraph that exists and states the row's date and counts.

What is checked, per raw table that has a locator (``source``, ``section``, ``paragraph``):

- the locator resolves (``analysis.data.locators.resolve``) in every table;
- measures, pressure, engagements: the paragraph states the row's ``date`` at the row's precision;
- thesis_claims: a ``date`` claim's value is stated, and so is a ``count`` claim's value;
- attributions, evidence: the ``date`` is checked only when it is day-precise (YYYY-MM-DD) and comes
  from the paragraph itself. Their dates are those of a statement or an observation, which is often
  dated from elsewhere: by the seed's own publication date (the author's statement), by the
  publication date of a work the row cites (a quoted analyst), or by a measures / pressure /
  engagements / attributions row the evidence rests on (whose own locator is checked in its table).
  A date equal to one of those is not looked for in the paragraph; any other exact day must be;
- measures: each non-empty ``individuals`` and ``entities`` count is stated.

Where a row's own paragraph does not state its date (measures, engagements: e.g. the date is in the
seed's endnote that cites the dated official statement), the row carries a second locator,
``date_section`` / ``date_paragraph``, of the passage of the same seed that does; its note then says so
(``DATE-LOCATED:``). When ``date_paragraph`` is filled, the date must be stated in THAT passage (and
the row's own locator must still resolve, with its counts stated there); when it is empty, in the
row's own paragraph, as above. No row is exempt. The second locator must be needed (the row's own
paragraph does not state the date) and a ``DATE-LOCATED`` note goes with it, never without it.
Tables that do not exist yet are skipped; the seeds live beside the checkout in ``../shared``. Only rows
coded from a seed are checked: rows from public sources carry a URL, not a locator (see ``seed_keys``).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from analysis.data.locators import LocatorError, count_mentioned, date_mentioned, resolve

PROJECT = Path(__file__).resolve().parents[1]
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
RAW = PROJECT / "data" / "raw"

LOCATED = "DATE-LOCATED"
DATE_ALWAYS = {"measures", "pressure", "engagements"}
DATE_IF_DAY = {"attributions", "evidence"}
COUNT_COLUMNS = ("individuals", "entities")
TABLES = ("measures", "pressure", "attributions", "engagements", "evidence", "thesis_claims")
ROW_IDS = {
    "measures": ("measure_id", "event_id"),
    "pressure": ("pressure_id",),
    "engagements": ("engagement_id",),
    "attributions": ("attribution_id",),
}


def _rows(table: str) -> list[dict[str, str]]:
    path = RAW / f"{table}.csv"
    if not path.exists():
        pytest.skip(f"data/raw/{table}.csv does not exist yet")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _read(table: str) -> list[dict[str, str]]:
    path = RAW / f"{table}.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def known_dates() -> dict[str, set[str]]:
    """Dates a statement or observation may inherit: sources by key, located rows by their ids."""
    dates: dict[str, set[str]] = {}
    for row in _read("sources"):
        dates.setdefault(row["key"], set()).add(row.get("date", ""))
    for table, columns in ROW_IDS.items():
        for row in _read(table):
            for column in columns:
                dates.setdefault(row.get(column, ""), set()).add(row.get("date", ""))
    return dates


def _wanted_date(table: str, row: dict[str, str], inherited: dict[str, set[str]]) -> str:
    """The date this row's paragraph must state, or '' when the table's rule checks none."""
    if table == "thesis_claims":
        return row.get("value", "") if row.get("kind") == "date" else ""
    date = row.get("date", "")
    if table in DATE_ALWAYS:
        return date
    if table in DATE_IF_DAY and len(date) == len("YYYY-MM-DD"):
        origins = [
            row.get("source", ""),
            *row.get("cites", "").split(";"),
            *row.get("rests_on", "").split(";"),
        ]
        if any(date in inherited.get(origin, ()) for origin in origins if origin):
            return ""
        return date
    return ""


def _wanted_counts(table: str, row: dict[str, str]) -> list[str]:
    if table == "thesis_claims":
        return [row.get("value", "")] if row.get("kind") == "count" else []
    return [row[column] for column in COUNT_COLUMNS if row.get(column)]


def row_problems(
    table: str, row: dict[str, str], seeds_dir: Path, inherited: dict[str, set[str]] | None = None
) -> list[str]:
    """What is wrong with one row's locator, as readable messages (empty when all is well).

    ``inherited`` maps source keys and row ids to their dates (see ``known_dates``).
    """
    row_id = next(iter(row.values()))
    try:
        text = resolve(seeds_dir, row["source"], row.get("section", ""), int(row["paragraph"]))
    except (LocatorError, ValueError) as error:
        return [f"{table} {row_id}: locator does not resolve ({error})"]
    problems = []
    date = _wanted_date(table, row, inherited or {})
    has_date_locator = bool(row.get("date_paragraph", ""))
    if has_date_locator != (LOCATED in row.get("note", "")):
        problems.append(f"{table} {row_id}: a date locator and a {LOCATED} note go together")
    if date and has_date_locator:
        if date_mentioned(text, date):
            problems.append(f"{table} {row_id}: has a date locator but its own paragraph states {date}")
        try:
            date_text = resolve(
                seeds_dir, row["source"], row.get("date_section", ""), int(row["date_paragraph"])
            )
        except (LocatorError, ValueError) as error:
            problems.append(f"{table} {row_id}: date locator does not resolve ({error})")
        else:
            if not date_mentioned(date_text, date):
                where = f"{row.get('date_section', '')!r} paragraph {row['date_paragraph']}"
                problems.append(f"{table} {row_id}: date passage {where} does not state the date {date}")
    elif date and not date_mentioned(text, date):
        problems.append(f"{table} {row_id}: paragraph does not state the date {date}")
    for count in _wanted_counts(table, row):
        if not count.isdigit() or not count_mentioned(text, int(count)):
            problems.append(f"{table} {row_id}: paragraph does not state the count {count}")
    return problems


@pytest.fixture(scope="module")
def seeds_dir() -> Path:
    if not (SEEDS / "README.md").exists():
        pytest.skip("../shared/seeds is not beside the checkout (only on developer and CI machines)")
    return SEEDS


def seed_keys() -> set[str]:
    """Keys of the seed documents. Rows from public sources (the 2022 round) have a URL instead of a
    locator and are checked by the validation stage (analysis/validate.py), not here."""
    return {row["key"] for row in _read("sources") if row.get("kind") == "seed"}


@pytest.mark.parametrize("table", TABLES)
def test_locators_state_dates_and_counts(table: str, seeds_dir: Path) -> None:
    seeds = seed_keys()
    rows = [row for row in _rows(table) if row.get("source") in seeds]
    assert rows, f"data/raw/{table}.csv has no located rows"
    inherited = known_dates()
    problems = [message for row in rows for message in row_problems(table, row, seeds_dir, inherited)]
    assert not problems, f"{len(problems)} of {len(rows)} rows:\n" + "\n".join(problems)


def test_row_problems_on_hand_made_rows(seeds_dir: Path) -> None:
    """Worked examples: thesis 4.1 paragraph 1 names no date; section 5 paragraph 2 names 29 April and 23."""
    good = {
        "measure_id": "x",
        "source": "silbaum2017",
        "section": "5. THE 2nd ROUND OF SANCTIONS",
        "paragraph": "2",
        "date": "2014-04-29",
        "individuals": "23",
        "entities": "",
        "note": "n",
    }
    assert row_problems("measures", good, seeds_dir) == []
    wrong_day = good | {"date": "2014-04-28"}
    assert row_problems("measures", wrong_day, seeds_dir) == [
        "measures x: paragraph does not state the date 2014-04-28"
    ]
    wrong_count = good | {"individuals": "24"}
    assert row_problems("measures", wrong_count, seeds_dir) == [
        "measures x: paragraph does not state the count 24"
    ]
    # Shagina's paragraph on the 23-person ban names no day; her endnote 14 (the MOFA statement) does.
    located = {
        "measure_id": "y",
        "source": "shagina2018isdp",
        "section": "Japan's Delicate Balance",
        "paragraph": "3",
        "date_section": "",
        "date_paragraph": "",
        "date": "2014-04-29",
        "individuals": "23",
        "entities": "",
        "note": "n",
    }
    assert row_problems("measures", located, seeds_dir) == [
        "measures y: paragraph does not state the date 2014-04-29"
    ]
    with_date_locator = located | {
        "date_section": "Endnotes",
        "date_paragraph": "14",
        "note": "DATE-LOCATED: endnote 14 gives the day.",
    }
    assert row_problems("measures", with_date_locator, seeds_dir) == []
    wrong_date_passage = with_date_locator | {"date_paragraph": "15"}
    assert row_problems("measures", wrong_date_passage, seeds_dir) == [
        "measures y: date passage 'Endnotes' paragraph 15 does not state the date 2014-04-29"
    ]
    dangling_date_locator = with_date_locator | {"date_section": "No such heading", "date_paragraph": "1"}
    message = row_problems("measures", dangling_date_locator, seeds_dir)[0]
    assert message.startswith("measures y: date locator does not resolve")
    own_locator_broken = with_date_locator | {"paragraph": "999"}
    message = row_problems("measures", own_locator_broken, seeds_dir)[0]
    assert message.startswith("measures y: locator does not resolve")
    count_still_checked_in_own_paragraph = with_date_locator | {"individuals": "24"}
    assert row_problems("measures", count_still_checked_in_own_paragraph, seeds_dir) == [
        "measures y: paragraph does not state the count 24"
    ]
    unmarked = with_date_locator | {"note": "n"}
    assert row_problems("measures", unmarked, seeds_dir) == [
        "measures y: a date locator and a DATE-LOCATED note go together"
    ]
    needless_date_locator = good | {
        "date_section": "5. THE 2nd ROUND OF SANCTIONS",
        "date_paragraph": "2",
        "note": "DATE-LOCATED: not needed",
    }
    assert row_problems("measures", needless_date_locator, seeds_dir) == [
        "measures x: has a date locator but its own paragraph states 2014-04-29"
    ]
    engagement = {
        "engagement_id": "e",
        "source": "silbaum2017",
        "section": "6. THE 3rd ROUND OF SANCTIONS",
        "paragraph": "3",
        "date_section": "",
        "date_paragraph": "",
        "date": "2014",
        "note": "n",
    }
    assert row_problems("engagements", engagement, seeds_dir) == [
        "engagements e: paragraph does not state the date 2014"
    ]
    section_opening = {
        "date_section": "6. THE 3rd ROUND OF SANCTIONS",
        "date_paragraph": "1",
        "note": "DATE-LOCATED: the section opens with the year.",
    }
    assert row_problems("engagements", engagement | section_opening, seeds_dir) == []
    no_heading = good | {"section": "9. NO SUCH HEADING"}
    message = row_problems("measures", no_heading, seeds_dir)[0]
    assert message.startswith("measures x: locator does not resolve")
    month_only_attribution = {
        "attribution_id": "a",
        "source": "silbaum2017",
        "section": "4.1. RESULTS",
        "paragraph": "1",
        "date": "2014-03",
        "note": "n",
    }
    assert row_problems("attributions", month_only_attribution, seeds_dir) == []
    assert row_problems("pressure", month_only_attribution, seeds_dir) == [
        "pressure a: paragraph does not state the date 2014-03"
    ]
    day_attribution = month_only_attribution | {"date": "2014-09-26", "cites": "somebody20140926"}
    assert row_problems("attributions", day_attribution, seeds_dir) == [
        "attributions a: paragraph does not state the date 2014-09-26"
    ]
    cited_work_date = {"somebody20140926": {"2014-09-26"}}
    assert row_problems("attributions", day_attribution, seeds_dir, cited_work_date) == []
