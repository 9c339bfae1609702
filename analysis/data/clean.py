"""Cleaned, typed tables: one record per measure (conflicts resolved by rule), dates, rounds, data checks.

Conflict rules (``data.conflict_resolution``) for a field on which reports of one event_id disagree:

- ``prefer_thesis``: the thesis's value (key ``silbaum2017``); when the thesis gives none, ``earliest``.
- ``prefer_primary_citation``: the value of a report that cites a primary source (``cites`` not empty);
  among several such reports, and when none cites one, ``earliest``.
- ``earliest`` / ``latest``: for dates the earliest / latest date; for counts the smallest / largest
  number (a count has no date of its own: "earliest" is read as the conservative, lower figure);
  for ``list_public`` the value of the report whose own date is earliest / latest.

A coarser date that contains a finer one ('2014-07' vs '2014-07-28') is a refinement, not a
disagreement: the finer date is kept and no conflict is recorded. Ties are broken by measure_id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.config import round_windows
from analysis.data.codebook import Resource, date_precision, first_day, load_codebook, place_date, typed_table
from analysis.data.rawtable import load_table
from analysis.data.rounds import assign_round, round_ids
from analysis.registry import check_option

THESIS_KEY = "silbaum2017"
# Tables a left-out source keeps its rows in (what is tested and what is cited, not evidence).
LEAVE_OUT_KEPT = ("sources", "thesis_claims")
CONFLICT_FIELDS = ("date_announced", "date_in_force", "individuals", "entities", "list_public")
MEASURE_COLUMNS = [
    "event_id",
    "sender",
    "target",
    "instrument",
    "affects_instrument",
    "date_announced",
    "date_in_force",
    "date",
    "date_precision",
    "round",
    "individuals",
    "entities",
    "list_public",
    "intensity_code",
    "us_requested",
    "sources",
    "n_reports",
    "has_conflict",
    "count_basis",
]
CONFLICT_COLUMNS = ["event_id", "field", "versions", "rule", "resolved_value"]
CHECK_COLUMNS = ["check", "table", "subject", "value", "detail"]
# Raw table -> its id column (the stable sort order of its cleaned version).
ID_COLUMNS = {
    "sources": "key",
    "measures": "measure_id",
    "pressure": "pressure_id",
    "attributions": "attribution_id",
    "engagements": "engagement_id",
    "evidence": "evidence_id",
    "thesis_claims": "claim_id",
    "disagreements": "disagreement_id",
}
DATED_TABLES = ("pressure", "engagements", "evidence")


def read_raw(path: str | Path, resource: Resource) -> pd.DataFrame:
    """A raw table read by the validator's reader and checks (RawTableError if any fail), then typed."""
    return typed_table(load_table(path, resource), resource)


def _text(value: object) -> str:
    """A cell as the conflicts table shows it: counts as integers, booleans as true/false."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class Report:
    """One document's value for one field of one measure."""

    measure_id: str
    source: str
    value: str
    report_date: str  # the row's own date (ISO first day), for ordering list_public
    cites: bool


def _order_key(field: str, report: Report) -> tuple:
    if field.startswith("date_"):
        return (first_day(report.value), report.measure_id)
    if field in ("individuals", "entities"):
        return (int(report.value), report.measure_id)
    return (report.report_date, report.measure_id)


def choose(field: str, reports: Sequence[Report], rule: str, thesis_key: str = THESIS_KEY) -> Report:
    """The report whose value a conflict rule keeps (see the module docstring)."""
    check_option("data.conflict_resolution", rule)
    pool = list(reports)
    if rule == "prefer_thesis":
        pool = [r for r in pool if r.source == thesis_key] or pool
    elif rule == "prefer_primary_citation":
        pool = [r for r in pool if r.cites] or pool
    ordered = sorted(pool, key=lambda r: _order_key(field, r))
    return ordered[-1] if rule == "latest" else ordered[0]


def _refined(reports: list[Report]) -> list[Report]:
    """Drop date reports that a finer report of the same field refines ('2014-07' < '2014-07-28')."""
    values = {r.value for r in reports}
    return [r for r in reports if not any(other.startswith(r.value + "-") for other in values)]


def resolve_field(
    field: str, reports: list[Report], rule: str, thesis_key: str = THESIS_KEY
) -> tuple[str, dict | None]:
    """(kept value, conflict row or None) for one field of one measure."""
    if not reports:
        return "", None
    candidates = _refined(reports) if field.startswith("date_") else reports
    kept = choose(field, candidates, rule, thesis_key).value
    if len({r.value for r in candidates}) <= 1:
        return kept, None
    versions = "; ".join(sorted({f"{r.source}={r.value}" for r in reports}))
    return kept, {"field": field, "versions": versions, "rule": rule, "resolved_value": kept}


def _reports(rows: Sequence[Mapping[str, Any]], column: str, field: str) -> list[Report]:
    return [
        Report(
            measure_id=row["measure_id"],
            source=row["source"],
            value=_text(row[column]),
            report_date=first_day(row["date"]),
            cites=bool(str(row["cites"]).strip()),
        )
        for row in rows
        if _text(row[column]) != ""
    ]


def flag_of_reports(values: Sequence[object]) -> bool | None:
    """One event's flag from its reports: true if any report says true, else false if any says false.

    None (blank) when no report fills the flag: a blank is "no document says", never "no".
    """
    known = [
        bool(v)
        for v in values
        if v is not None and v is not pd.NA and not (isinstance(v, float) and pd.isna(v))
    ]
    if any(known):
        return True
    return False if known else None


def resolve_measures(
    measures: pd.DataFrame,
    conflict_resolution: str,
    date_basis: str,
    windows: Sequence[Mapping[str, str]],
    thesis_key: str = THESIS_KEY,
    coarse_date_placement: str = "first_day",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per event_id (columns of docs/tables.md) and the table of every disagreement.

    Dates known only to the month or year are placed by `coarse_date_placement` (first_day,
    midpoint or last_day of the period they can mean).
    """
    check_option("data.date_basis", date_basis)
    check_option("data.conflict_resolution", conflict_resolution)
    records, conflicts = [], []
    # Plain records grouped once, not a pandas filter per event and field: a cleaning is a few hundred
    # rows, where each pandas operation costs more than the work (the multiverse cleans once per
    # structural combination).
    ordered = measures.sort_values("measure_id", kind="stable").to_dict("records")
    by_event: dict[str, list[dict[str, Any]]] = {}
    for row in ordered:
        if not pd.isna(row["event_id"]):  # as pandas' groupby, which leaves out a missing key
            by_event.setdefault(row["event_id"], []).append(row)
    for event_id in sorted(by_event):
        rows = by_event[event_id]
        first = rows[0]
        record: dict[str, object] = {"event_id": event_id}
        for column in ("sender", "target", "instrument", "affects_instrument"):
            record[column] = first[column]
        for field in CONFLICT_FIELDS:
            if field.startswith("date_"):
                stage = field.removeprefix("date_")
                reports = _reports([row for row in rows if _text(row["stage"]) == stage], "date", field)
            else:
                reports = _reports(rows, field, field)
            value, conflict = resolve_field(field, reports, conflict_resolution, thesis_key)
            record[field] = value
            if conflict:
                conflicts.append({"event_id": event_id, **conflict})
        primary, fallback = (
            ("date_announced", "date_in_force")
            if date_basis == "announced"
            else ("date_in_force", "date_announced")
        )
        raw_date = record[primary] or record[fallback]
        record["date_precision"] = date_precision(raw_date)
        record["date"] = place_date(raw_date, coarse_date_placement)
        record["round"] = assign_round([raw_date], windows, coarse_date_placement)[0]
        record["date_announced"] = place_date(record["date_announced"], coarse_date_placement)
        record["date_in_force"] = place_date(record["date_in_force"], coarse_date_placement)
        intensity = _reports(rows, "intensity_code", "intensity_code")
        record["intensity_code"] = (
            choose("intensity_code", intensity, conflict_resolution, thesis_key).value if intensity else ""
        )
        record["us_requested"] = flag_of_reports([row["us_requested"] for row in rows])
        # A running total (all listings in force at its date) is never added to listings it contains.
        running = any(_text(row.get("count_basis")) == "running_total" for row in rows)
        record["count_basis"] = "running_total" if running else "listing"
        record["sources"] = ";".join(sorted({row["source"] for row in rows}))
        record["n_reports"] = len(rows)
        record["has_conflict"] = any(
            c["event_id"] == event_id and c["field"] != "list_public" for c in conflicts
        )
        records.append(record)
    clean = pd.DataFrame(records, columns=MEASURE_COLUMNS)
    for column in ("individuals", "entities"):
        clean[column] = pd.array([int(v) if v else pd.NA for v in clean[column]], dtype="Int64")
    clean["list_public"] = pd.array(
        [{"true": True, "false": False}.get(v, pd.NA) for v in clean["list_public"]], dtype="boolean"
    )
    clean["us_requested"] = pd.array(clean["us_requested"].tolist(), dtype="boolean")
    clean["has_conflict"] = clean["has_conflict"].astype(bool)
    clean["n_reports"] = clean["n_reports"].astype("int64")
    conflict_table = pd.DataFrame(conflicts, columns=CONFLICT_COLUMNS)
    field_order = {field: i for i, field in enumerate(CONFLICT_FIELDS)}
    conflict_table = conflict_table.sort_values(
        ["event_id", "field"], key=lambda s: s.map(field_order) if s.name == "field" else s, kind="stable"
    ).reset_index(drop=True)
    return clean, conflict_table


def with_dates(
    frame: pd.DataFrame, windows: Sequence[Mapping[str, str]], coarse_date_placement: str = "first_day"
) -> pd.DataFrame:
    """`date` as ISO (a month or year placed by `coarse_date_placement`), `date_precision`, `round`."""
    dated = frame.copy()
    raw = dated["date"].astype(str).tolist()
    dated["date"] = [place_date(value, coarse_date_placement) for value in raw]
    dated["date_precision"] = [date_precision(value) for value in raw]
    dated["round"] = assign_round(raw, windows, coarse_date_placement)
    return dated


def attributions_with_round(attributions: pd.DataFrame, clean_measures: pd.DataFrame) -> pd.DataFrame:
    """`round` of the measure each statement is about; `all` when it is about Japan's sanctions in general."""
    round_of = dict(zip(clean_measures["event_id"], clean_measures["round"], strict=True))
    out = attributions.copy()
    out["round"] = [
        round_of.get(event, "") if event else "all" for event in out["about_event"].fillna("").astype(str)
    ]
    return out


def events_once(frame: pd.DataFrame, id_column: str) -> pd.DataFrame:
    """One row per `event_id` (reports of one act or event in several places count once).

    The earliest-dated report stands for the event (ties by `id_column`); a frame without `event_id`,
    or a row with an empty one, counts each row as its own event.
    """
    if frame.empty or "event_id" not in frame.columns:
        return frame
    filled = frame["event_id"].notna() & (frame["event_id"].astype(str) != "")
    keys = frame["event_id"].astype(object).where(filled, frame[id_column])
    order = [column for column in ("date", id_column) if column in frame.columns]
    ranked = frame.assign(_event=keys.astype(str)).sort_values(order, kind="stable")
    return ranked.drop_duplicates("_event").drop(columns="_event").sort_index()


RECORDED_RULE = "recorded: both versions kept"


def with_recorded_disagreements(conflicts: pd.DataFrame, recorded: pd.DataFrame) -> pd.DataFrame:
    """The measures' field conflicts, then every recorded disagreement (targets, sequencing, the thesis's
    contradictions, citation errors), so one table lists every disagreement the documents hold.

    A recorded row names the rows it is about in `event_id`, its kind in `field` and keeps both versions.
    """
    if recorded.empty:
        return conflicts
    extra = pd.DataFrame(
        {
            "event_id": recorded["about"].astype(str),
            "field": recorded["kind"].astype(str),
            "versions": recorded["versions"].astype(str),
            "rule": RECORDED_RULE,
            "resolved_value": "",
        }
    )
    return pd.concat([conflicts, extra], ignore_index=True)[CONFLICT_COLUMNS]


def data_checks(
    raw: Mapping[str, pd.DataFrame],
    clean: Mapping[str, pd.DataFrame],
    conflicts: pd.DataFrame,
    rule: str,
    windows: Sequence[Mapping[str, str]],
    date_basis: str | None = None,
) -> pd.DataFrame:
    """Rows per table and per source, conflicts per field, rows per round and outside every round.

    Also: measures dated by the other stage because the `date_basis` stage is unknown (when
    date_basis is given), and how many dates are only known to the month or the year.
    """
    rows = []

    def add(check: str, table: str, subject: str, value: int, detail: str) -> None:
        rows.append(
            {"check": check, "table": table, "subject": subject, "value": int(value), "detail": detail}
        )

    for table, frame in raw.items():
        add("rows", table, "", len(frame), f"{len(frame)} rows in the raw {table} table")
    measures = clean["measures"]
    add(
        "events",
        "measures",
        "",
        len(measures),
        f"{len(measures)} measures after merging {len(raw['measures'])} document reports",
    )
    for table, frame in raw.items():
        if "source" not in frame.columns:
            continue
        for source, count in frame["source"].value_counts().sort_index().items():
            add("rows_per_source", table, source, count, f"{count} rows of {table} coded from {source}")
    for field in CONFLICT_FIELDS:
        count = int((conflicts["field"] == field).sum())
        add(
            "conflicts",
            "measures",
            field,
            count,
            f"{count} measures on whose {field} the documents disagree; kept by rule {rule}",
        )
    if date_basis is not None:
        chosen = "date_announced" if date_basis == "announced" else "date_in_force"
        fallback = int(((measures[chosen].fillna("") == "") & (measures["date"].fillna("") != "")).sum())
        add(
            "date_fallback",
            "measures",
            date_basis,
            fallback,
            f"{fallback} measures dated by the other stage because their {date_basis} date is unknown",
        )
    for table in ("measures", *DATED_TABLES):
        precision = clean[table]["date_precision"].fillna("").astype(str)
        for level in ("month", "year"):
            count = int((precision == level).sum())
            unit = "measures" if table == "measures" else f"rows of {table}"
            add(
                "date_precision",
                table,
                level,
                count,
                f"{count} {unit} dated only to the {level} (placed on its first day)",
            )
    ids = round_ids(windows)
    for table in ("measures", "attributions", *DATED_TABLES):
        frame = clean[table]
        rounds = frame["round"].fillna("").astype(str)
        outside = int((rounds == "").sum())
        unit = "measures" if table == "measures" else f"rows of {table}"
        add("outside_rounds", table, "", outside, f"{outside} {unit} fall outside every round")
        for round_id in ids + (["all"] if table == "attributions" else []):
            count = int((rounds == round_id).sum())
            add("rows_per_round", table, round_id, count, f"{count} {unit} in round {round_id}")
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


def without_windows(
    raw: Mapping[str, pd.DataFrame],
    windows: Sequence[Mapping[str, str]],
    coarse_date_placement: str = "first_day",
) -> dict[str, pd.DataFrame]:
    """The raw tables less every row dated inside ``windows`` (rounds a build leaves out): measures,
    pressure, engagements and evidence by their date, attributions about a dropped measure, and the
    sources that only dropped rows cite. A build that excludes a round is then exactly the build that
    never had its rows."""
    if not windows:
        return dict(raw)
    spans = [(w["start"], w["end"]) for w in windows]

    def inside(values: pd.Series) -> pd.Series:
        placed = [
            place_date(str(v), coarse_date_placement) if str(v).strip() else "" for v in values.fillna("")
        ]
        return pd.Series([bool(d) and any(a <= d <= b for a, b in spans) for d in placed], index=values.index)

    kept = dict(raw)
    dropped_rows = []
    for table in ("measures", *DATED_TABLES):
        if table in kept:
            drop = inside(kept[table]["date"])
            dropped_rows.append(kept[table][drop])
            kept[table] = kept[table][~drop]
    if "attributions" in kept and "measures" in raw:
        gone = set(raw["measures"]["event_id"].astype(str)) - set(kept["measures"]["event_id"].astype(str))
        drop = kept["attributions"]["about_event"].fillna("").astype(str).isin(gone)
        dropped_rows.append(kept["attributions"][drop])
        kept["attributions"] = kept["attributions"][~drop]

    def cited(frames: Sequence[pd.DataFrame]) -> set[str]:
        keys: set[str] = set()
        for frame in frames:
            for column in ("source", "cites"):
                if column in frame.columns:
                    for cell in frame[column].fillna("").astype(str):
                        keys.update(k.strip() for k in cell.replace(";", " ").split() if k.strip())
        return keys

    orphaned = cited(dropped_rows) - cited([f for name, f in kept.items() if name != "sources"])
    if "sources" in kept:
        kept["sources"] = kept["sources"][~kept["sources"]["key"].astype(str).isin(orphaned)]
    return kept


def without_source(raw: Mapping[str, pd.DataFrame], leave_out: str) -> dict[str, pd.DataFrame]:
    """The raw tables without the rows coded from seed document ``leave_out`` ("none": all rows).

    Only the evidence tables lose rows: the thesis's claims are what is tested and the sources table
    is the bibliography, so both are kept whole.
    """
    if leave_out == "none":
        return dict(raw)
    keys = set(raw["sources"]["key"].astype(str)) if "sources" in raw else set()
    if keys and leave_out not in keys:
        raise ValueError(f"data.leave_out_source: {leave_out!r} is not a key of sources.csv")
    return {
        name: frame
        if name in LEAVE_OUT_KEPT or "source" not in frame.columns
        else frame[frame["source"].astype(str) != leave_out].reset_index(drop=True)
        for name, frame in raw.items()
    }


def clean_tables(
    raw: Mapping[str, pd.DataFrame],
    conflict_resolution: str,
    date_basis: str,
    windows: Sequence[Mapping[str, str]],
    thesis_key: str = THESIS_KEY,
    coarse_date_placement: str = "first_day",
    leave_out_source: str = "none",
) -> dict[str, pd.DataFrame]:
    """Every output of the clean_data rule, keyed by table name (docs/tables.md, stage 2)."""
    ordered = {
        name: frame.sort_values(ID_COLUMNS[name], kind="stable").reset_index(drop=True)
        for name, frame in without_source(raw, leave_out_source).items()
    }
    measures, conflicts = resolve_measures(
        ordered["measures"], conflict_resolution, date_basis, windows, thesis_key, coarse_date_placement
    )
    recorded = ordered.get("disagreements", pd.DataFrame(columns=["disagreement_id"]))
    clean: dict[str, pd.DataFrame] = {
        "sources": ordered["sources"],
        "measures": measures,
        "attributions": attributions_with_round(ordered["attributions"], measures),
        "thesis_claims": ordered["thesis_claims"],
        "disagreements": recorded,
        "conflicts": with_recorded_disagreements(conflicts, recorded),
    }
    for table in DATED_TABLES:
        clean[table] = with_dates(ordered[table], windows, coarse_date_placement)
    clean["data_checks"] = data_checks(ordered, clean, conflicts, conflict_resolution, windows, date_basis)
    return clean


def clean_files(
    package: str | Path, table_paths: Sequence[str | Path], choices: Mapping[str, Any]
) -> dict[str, pd.DataFrame]:
    """The clean_data rule as a function: read the raw tables named by the codebook, clean them under
    ``choices`` (a config mapping) and return them ready for CSV."""
    codebook = load_codebook(package)
    by_file = {Path(path).name: path for path in table_paths}
    raw = {resource.name: read_raw(by_file[resource.file_name], resource) for resource in codebook.resources}
    data = choices["data"]
    # rounds the build leaves out (rounds.out_of_sample: exclude) take their rows with them
    rounds = choices["rounds"]
    left_out = [w for w in rounds["definitions"][rounds["segmentation"]] if w not in round_windows(choices)]
    raw = without_windows(raw, left_out, data["coarse_date_placement"])
    clean = clean_tables(
        raw,
        data["conflict_resolution"],
        data["date_basis"],
        round_windows(choices),
        coarse_date_placement=data["coarse_date_placement"],
        leave_out_source=data["leave_out_source"],
    )
    return {table: csv_ready(frame) for table, frame in clean.items()}


def csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Booleans written as true/false (empty when missing), as the codebook spells them."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == bool or str(out[column].dtype) == "boolean":
            out[column] = [_text(value) if value is not pd.NA else "" for value in out[column]]
    return out
