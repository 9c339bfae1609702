"""Check the raw tables against the codebook and report every problem at once (file, line, column)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from analysis.data.codebook import Codebook, Resource, date_span, load_codebook
from analysis.data.rawtable import (
    Problem,
    Table,
    read_table,
    table_problems,
)
from analysis.vocabulary import HYPOTHESIS_CODES, INDETERMINATE, REJECTED, SUPPORTED

__all__ = ["Problem", "Table", "read_tables", "validate_package", "validation_report"]

# Tables whose rows are coded from a document named in `source`: a seed (located by section/paragraph)
# or a public source (kind other than seed / primary / secondary; its URL stands in for a locator).
CODED_TABLES = ("measures", "pressure", "attributions", "engagements", "evidence", "thesis_claims")
# The thesis's claims can only come from the thesis, i.e. a seed.
SEED_ONLY_TABLES = ("thesis_claims",)
SEED_KIND = "seed"
# Sources that seeds cite (column cites); they are never a row's own source.
CITED_ONLY_KINDS = ("primary", "secondary")
LOCATOR_COLUMNS = ("section", "paragraph", "date_section", "date_paragraph")
# evidence.rests_on may name a row of any of these tables (table -> id column).
RESTS_ON_TABLES = {
    "measures": "measure_id",
    "pressure": "pressure_id",
    "attributions": "attribution_id",
    "engagements": "engagement_id",
}
# thesis_claims.target_table -> the column target_id must match (verdicts are handled apart).
CLAIM_TARGETS = {"measures": "event_id", "pressure": "pressure_id", "engagements": "engagement_id"}
HYPOTHESES = HYPOTHESIS_CODES
# What the thesis can state of a hypothesis (it never says "not supported").
VERDICT_VALUES = (SUPPORTED, REJECTED, INDETERMINATE)
# Reports of one measure must agree on what the measure is.
EVENT_IDENTITY = ("sender", "target", "instrument", "affects_instrument")


# ── Checks across tables ─────────────────────────────────────────────────────────────────────


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _check_foreign_keys(tables: dict[str, Table]) -> list[Problem]:
    """The codebook's foreignKeys, plus the `cites` lists that the codebook describes in words."""
    problems: list[Problem] = []
    for table in tables.values():
        for fk in table.resource.foreign_keys:
            target = tables.get(fk.resource)
            if target is None or len(fk.fields) != 1:
                continue  # the missing table is reported already
            column, reference = fk.fields[0], fk.reference_fields[0]
            known = target.values(reference)
            for line, row in table.rows:
                value = row.get(column, "")
                if value and value not in known:
                    problems.append(
                        Problem(
                            table.file,
                            line,
                            column,
                            value,
                            f"{value!r} is not a value of column {reference} in {target.file}",
                        )
                    )
        sources = tables.get("sources")
        if "cites" in table.resource.field_names and sources is not None:
            known = sources.values("key")
            for line, row in table.rows:
                for key in _split(row.get("cites", "")):
                    if key not in known:
                        problems.append(
                            Problem(
                                table.file,
                                line,
                                "cites",
                                key,
                                f"cited key {key!r} is not a key in {sources.file}",
                            )
                        )
    return problems


def _is_public(kind: str, table: str = "") -> bool:
    """A source a row may be coded from directly, its URL standing in for a locator: the public kinds, and
    for measures also a primary source (the sender's official notice, coded as a public-record row)."""
    return kind not in (SEED_KIND, *CITED_ONLY_KINDS, "") or (table == "measures" and kind == "primary")


def _check_row_sources(tables: dict[str, Table]) -> list[Problem]:
    """A row comes from a seed (then it has a locator) or a public source with a URL (then it has none).

    Sources of kind primary/secondary are only cited by seeds, never a row's source; thesis claims
    come from a seed. A public source itself must give the URL the rows were coded from.
    """
    sources = tables.get("sources")
    if sources is None:
        return []
    kinds = {row.get("key", ""): row.get("kind", "") for _, row in sources.rows}
    problems = [
        Problem(
            sources.file,
            line,
            "url",
            "",
            f"a {row.get('kind')} source needs the URL its rows were coded from",
        )
        for line, row in sources.rows
        if _is_public(row.get("kind", "")) and not row.get("url", "")
    ]
    for name in CODED_TABLES:
        table = tables.get(name)
        if table is None:
            continue
        for line, row in table.rows:
            value = row.get("source", "")
            if value not in kinds:
                continue  # an unknown key is reported by the foreign-key check
            kind = kinds[value]
            if kind != SEED_KIND and (name in SEED_ONLY_TABLES or not _is_public(kind, name)):
                allowed = (
                    "a seed document (kind seed)"
                    if name in SEED_ONLY_TABLES
                    else "a seed document or a public source (official, wire, press, tracker, state_media, "
                    "public_record; for measures also primary)"
                )
                problems.append(
                    Problem(
                        table.file,
                        line,
                        "source",
                        value,
                        f"{value!r} is a {kind or 'kind-less'} source; rows must be coded from {allowed}",
                    )
                )
            elif kind == SEED_KIND and "paragraph" in row and not row["paragraph"]:
                problems.append(
                    Problem(
                        table.file,
                        line,
                        "paragraph",
                        "",
                        f"a row coded from the seed {value!r} needs its paragraph locator",
                    )
                )
            elif kind != SEED_KIND:
                for column in LOCATOR_COLUMNS:
                    if row.get(column, ""):
                        problems.append(
                            Problem(
                                table.file,
                                line,
                                column,
                                row[column],
                                f"a locator points into a seed; {value!r} is a public source "
                                "(its URL locates the row): leave it empty",
                            )
                        )
    return problems


def _check_rests_on(tables: dict[str, Table]) -> list[Problem]:
    evidence = tables.get("evidence")
    if evidence is None or any(name not in tables for name in RESTS_ON_TABLES):
        return []
    known = set()
    for name, column in RESTS_ON_TABLES.items():
        known |= set(tables[name].values(column))
    problems = []
    for line, row in evidence.rows:
        for item in _split(row.get("rests_on", "")):
            if item not in known:
                problems.append(
                    Problem(
                        evidence.file,
                        line,
                        "rests_on",
                        item,
                        f"{item!r} is not a measure_id, pressure_id, attribution_id or engagement_id",
                    )
                )
    return problems


# Columns whose values a disagreement's `about` may name.
DISAGREEMENT_TARGETS = {
    "measures": ("measure_id", "event_id"),
    "pressure": ("pressure_id", "event_id"),
    "engagements": ("engagement_id", "event_id"),
    "attributions": ("attribution_id",),
    "thesis_claims": ("claim_id",),
}


def _check_disagreements(tables: dict[str, Table]) -> list[Problem]:
    """Every id a recorded disagreement is about names a row of one of the coded tables."""
    disagreements = tables.get("disagreements")
    if disagreements is None:
        return []
    known = {
        value
        for name, columns in DISAGREEMENT_TARGETS.items()
        if name in tables
        for column in columns
        for value in tables[name].values(column)
    }
    return [
        Problem(
            disagreements.file,
            line,
            "about",
            item,
            f"{item!r} is no measure, pressure act, engagement, attribution or claim id",
        )
        for line, row in disagreements.rows
        for item in _split(row.get("about", ""))
        if item not in known
    ]


def _check_claim_targets(tables: dict[str, Table], round_ids: Iterable[str] | None) -> list[Problem]:
    """thesis_claims.target_id names a row of its target_table; verdicts name '<HPn>:<round|all>'."""
    claims = tables.get("thesis_claims")
    if claims is None:
        return []
    allowed_rounds = None if round_ids is None else set(round_ids) | {"all"}
    problems = []
    for line, row in claims.rows:
        target_table, target_id = row.get("target_table", ""), row.get("target_id", "")
        kind, target_field, value = row.get("kind", ""), row.get("target_field", ""), row.get("value", "")

        def problem(column: str, bad: str, message: str, line: int = line) -> None:
            problems.append(Problem(claims.file, line, column, bad, message))

        if target_table == "verdicts":
            hypothesis, _, round_id = target_id.partition(":")
            if (
                hypothesis not in HYPOTHESES
                or not round_id
                or (allowed_rounds is not None and round_id not in allowed_rounds)
            ):
                rounds = "a round id or all" if allowed_rounds is None else " | ".join(sorted(allowed_rounds))
                problem(
                    "target_id",
                    target_id,
                    f"{target_id!r} is not a verdict target; expected <HP1|HP2|HP3>:<{rounds}>",
                )
            if kind != "verdict" or target_field != "verdict":
                problem("kind", kind, "a claim on the verdicts table must have kind and target_field verdict")
            if value and value not in VERDICT_VALUES:
                problem(
                    "value",
                    value,
                    f"{value!r} is not a verdict; expected one of: " + " | ".join(VERDICT_VALUES),
                )
        elif target_table == "stringency":
            sender, _, round_id = target_id.partition(":")
            if not sender or not round_id or (allowed_rounds is not None and round_id not in allowed_rounds):
                problem(
                    "target_id",
                    target_id,
                    f"{target_id!r} is not a stringency target; expected <sender>:<round>",
                )
            if kind != "comparison" or target_field != "mildest_among":
                problem(
                    "kind",
                    kind,
                    "a claim on the stringency table must have kind comparison and "
                    "target_field mildest_among",
                )
            if not _split(value):
                problem("value", value, "a comparison claim lists the senders compared with, ';'-separated")
        elif target_table in CLAIM_TARGETS:
            column = CLAIM_TARGETS[target_table]
            target = tables.get(target_table)
            if target is not None and target_id and target_id not in target.values(column):
                problem(
                    "target_id",
                    target_id,
                    f"{target_id!r} is not a value of column {column} in {target.file}",
                )
            if kind == "verdict" or target_field == "verdict":
                problem("kind", kind, "verdict claims must target the verdicts table")
    return problems


def _check_events(tables: dict[str, Table]) -> list[Problem]:
    """Reports of one event_id agree on what it is, and it does not enter into force before announced."""
    measures = tables.get("measures")
    if measures is None:
        return []
    problems = []
    first_report: dict[str, tuple[int, dict[str, str]]] = {}
    announced: dict[str, list[tuple[int, str]]] = {}
    for line, row in measures.rows:
        event = row.get("event_id", "")
        if not event:
            continue
        if event in first_report:
            earlier_line, earlier = first_report[event]
            for column in EVENT_IDENTITY:
                if column in row and row[column] != earlier.get(column):
                    problems.append(
                        Problem(
                            measures.file,
                            line,
                            column,
                            row[column],
                            f"{row[column]!r} differs from {earlier.get(column)!r} on line {earlier_line}, "
                            f"another report of event {event!r} (reports of one event must agree)",
                        )
                    )
        else:
            first_report[event] = (line, row)
        if row.get("stage") == "announced" and date_span(row.get("date", "")):
            announced.setdefault(event, []).append((line, row["date"]))
    for line, row in measures.rows:
        event = row.get("event_id", "")
        span = date_span(row.get("date", ""))
        if row.get("stage") != "in_force" or span is None:
            continue
        for other_line, other_date in announced.get(event, []):
            if span[1] < date_span(other_date)[0]:
                problems.append(
                    Problem(
                        measures.file,
                        line,
                        "date",
                        row["date"],
                        f"in force on {row['date']!r}, before event {event!r} was announced "
                        f"({other_date!r} on line {other_line})",
                    )
                )
    return problems


# ── Entry points ─────────────────────────────────────────────────────────────────────────────


def _file_label(data_dir: str | Path, resource: Resource) -> str:
    return (Path(data_dir) / resource.file_name).as_posix()


def read_tables(codebook: Codebook, data_dir: str | Path, problems: list[Problem]) -> dict[str, Table]:
    """Parse every resource's file under data_dir (appending file-level problems)."""
    tables = {}
    for resource in codebook.resources:
        label = _file_label(data_dir, resource)
        table, found = read_table(resource, Path(data_dir) / resource.file_name, label)
        problems += found
        if table is not None:
            tables[resource.name] = table
    return tables


def validate_package(
    package_path: str | Path, data_dir: str | Path, round_ids: Iterable[str] | None = None
) -> list[Problem]:
    """Every problem of the raw tables in data_dir (one CSV per codebook resource), in file order.

    Problems name files as ``data_dir/<file>``, so pass data_dir relative to the project root.
    ``round_ids`` restricts the round part of verdict targets ('HP1:R2'); None accepts any id.
    """
    codebook = load_codebook(package_path)
    problems: list[Problem] = []
    tables = read_tables(codebook, data_dir, problems)
    for table in tables.values():
        problems += table_problems(table)
    problems += _check_foreign_keys(tables)
    problems += _check_row_sources(tables)
    problems += _check_rests_on(tables)
    problems += _check_claim_targets(tables, round_ids)
    problems += _check_events(tables)
    problems += _check_disagreements(tables)
    order = {label: i for i, label in enumerate(_file_label(data_dir, r) for r in codebook.resources)}
    return sorted(problems, key=lambda p: (order.get(p.file, len(order)), p.line or 0))


def validation_report(package_path: str | Path, data_dir: str | Path) -> dict:
    """What a clean validation vouches for: each table's file, row count and SHA-256."""
    codebook = load_codebook(package_path)
    problems: list[Problem] = []
    tables = read_tables(codebook, data_dir, problems)
    report = {}
    for resource in codebook.resources:
        path = Path(data_dir) / resource.file_name
        report[resource.name] = {
            "file": _file_label(data_dir, resource),
            "rows": len(tables[resource.name].rows) if resource.name in tables else None,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None,
        }
    return {"codebook": Path(package_path).as_posix(), "tables": report, "problems": len(problems)}
