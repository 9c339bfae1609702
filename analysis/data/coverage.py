"""The coverage ledger (data/coverage/<source>.csv): every paragraph of every seed is accounted for.

One ledger row per paragraph or endnote (locator as in analysis/locators.py): the ids of the rows coded
from it (status ``coded``), or ``nothing_codable`` with a short reason. Heading lines are the sections
themselves and need no row. These checks are pure: they take the seed's lines and the tables' rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from analysis.data.locators import LocatorError

LEDGER_COLUMNS = ["source", "section", "paragraph", "row_ids", "status", "reason"]
STATUSES = ("coded", "nothing_codable")
# Raw table -> its row id column (the ids a ledger row may list).
ROW_IDS = {
    "measures": "measure_id",
    "pressure": "pressure_id",
    "engagements": "engagement_id",
    "attributions": "attribution_id",
    "evidence": "evidence_id",
    "thesis_claims": "claim_id",
    "disagreements": "disagreement_id",
}
# Columns holding a '<section>#<paragraph>' passage of the row's own source, and the code each supports.
PASSAGES = {
    "measures": {"intensity_passage": "intensity_code", "us_requested_passage": "us_requested"},
    "pressure": {"channel_passage": "channel"},
}


def line_of(lines: Sequence[str], section: str, paragraph: int) -> int:
    """Index in `lines` (stripped) of the paragraph a locator names; LocatorError if there is none."""
    start = 0
    if section.strip():
        try:
            start = list(lines).index(section.strip()) + 1
        except ValueError as missing:
            raise LocatorError(f"no heading line {section!r}") from missing
    found = [i for i in range(start, len(lines)) if lines[i]]
    if not 1 <= paragraph <= len(found):
        raise LocatorError(f"section {section!r} has {len(found)} paragraphs after it, not {paragraph}")
    return found[paragraph - 1]


def split_passage(passage: str) -> tuple[str, int]:
    """('section', paragraph) of a '<section>#<paragraph>' passage; ValueError when malformed."""
    section, sep, paragraph = passage.rpartition("#")
    if not sep or not paragraph.isdigit():
        raise ValueError(f"{passage!r} is not '<section>#<paragraph>'")
    return section, int(paragraph)


def ledger_problems(
    source: str,
    lines: Sequence[str],
    ledger: Iterable[Mapping[str, str]],
    known_ids: set[str],
    located: Mapping[str, tuple[str, int]],
) -> list[str]:
    """What is wrong with one seed's ledger, as readable messages (empty when all is well).

    `lines`: the seed's lines, stripped. `known_ids`: every row id of the raw tables. `located`: row id ->
    (section, paragraph) of each raw row coded from this source; its paragraph's entry must list it.
    """
    problems: list[str] = []
    covered: dict[int, set[str]] = {}
    headings: set[int] = set()
    for number, row in enumerate(ledger, start=2):
        where = f"{source} ledger line {number}"
        try:
            index = line_of(lines, row["section"], int(row["paragraph"]))
        except (LocatorError, ValueError) as error:
            problems.append(f"{where}: locator does not resolve ({error})")
            continue
        if row["section"].strip():
            headings.add(list(lines).index(row["section"].strip()))
        ids = {i for i in row["row_ids"].split(";") if i}
        if index in covered:
            problems.append(f"{where}: paragraph already has an entry")
        covered[index] = ids
        if row["status"] not in STATUSES:
            problems.append(f"{where}: status {row['status']!r} is not one of {', '.join(STATUSES)}")
        elif row["status"] == "coded" and not ids:
            problems.append(f"{where}: coded but lists no row id")
        elif row["status"] == "nothing_codable" and (ids or not row["reason"].strip()):
            problems.append(f"{where}: nothing_codable needs a reason and no row ids")
        for unknown in sorted(ids - known_ids):
            problems.append(f"{where}: row id {unknown!r} does not exist")
    for index, text in enumerate(lines):
        if text and index not in covered and index not in headings:
            problems.append(f"{source}: paragraph without a ledger entry: {text[:60]!r}")
    for row_id, (section, paragraph) in sorted(located.items()):
        try:
            index = line_of(lines, section, paragraph)
        except LocatorError:
            continue  # the seed-locator test reports rows that do not resolve
        if row_id not in covered.get(index, set()):
            problems.append(
                f"{source}: {row_id} is coded from {section!r} paragraph {paragraph} "
                "but its ledger entry does not list it"
            )
    return problems


def passage_problems(table: str, row: Mapping[str, str], lines: Sequence[str]) -> list[str]:
    """A code needs a passage and a passage needs a code; every passage resolves in the row's source."""
    problems = []
    row_id = row[ROW_IDS[table]]
    for column, code in PASSAGES.get(table, {}).items():
        passage, value = row.get(column, "").strip(), row.get(code, "").strip()
        if bool(passage) != bool(value):
            problems.append(f"{table} {row_id}: {code} {'without' if value else 'empty but with'} a {column}")
        if passage:
            try:
                line_of(lines, *split_passage(passage))
            except (LocatorError, ValueError) as error:
                problems.append(f"{table} {row_id}: {column} does not resolve ({error})")
    return problems
