"""Set every claim of the thesis beside the pipeline's value for it: agrees, differs or not comparable."""

from __future__ import annotations

import pandas as pd

REPLICATION_COLUMNS = [
    "claim_id", "kind", "target_table", "target_id", "target_field", "thesis_value",
    "pipeline_value", "status", "reason", "section", "paragraph",
]


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _same(kind: str, thesis: str, pipeline: str) -> bool:
    if kind == "date":
        # A claim is only as precise as it is written: "2014-07" agrees with any day of July 2014.
        return bool(pipeline) and pipeline.startswith(thesis)
    if kind == "count":
        try:
            return float(thesis) == float(pipeline)
        except ValueError:
            return False
    return thesis.strip().lower() == pipeline.strip().lower()


def _lookup(tables: dict[str, pd.DataFrame], table: str, row_id: str, field: str) -> tuple[bool, str]:
    """(found, value) of one field of one pipeline row."""
    if table == "verdicts":
        hypothesis, _, round_id = row_id.partition(":")
        frame = tables["verdicts"]
        hit = frame[(frame["hypothesis"] == hypothesis) & (frame["round"].astype(str) == round_id)]
    else:
        key = {"measures": "event_id", "pressure": "pressure_id",
               "engagements": "engagement_id"}[table]
        frame = tables[table]
        hit = frame[frame[key] == row_id]
    if hit.empty or field not in hit.columns:
        return False, ""
    return True, _text(hit.iloc[0][field])


def _reason(claim: pd.Series, found: bool, pipeline: str, tables: dict[str, pd.DataFrame]) -> str:
    if not found:
        if claim["target_table"] == "verdicts":
            return "the round is not in the segmentation in force"
        return "no such record in the pipeline's data"
    if claim["target_table"] == "measures":
        conflicts = tables["conflicts"]
        field = "date" if claim["kind"] == "date" else claim["target_field"]
        hit = conflicts[(conflicts["event_id"] == claim["target_id"])
                        & conflicts["field"].astype(str).str.contains(field)]
        if not hit.empty:
            first = hit.iloc[0]
            return (f"documents disagree ({first['versions']}); "
                    f"rule {first['rule']} kept {first['resolved_value']}")
        if claim["kind"] == "date":
            measure = tables["measures"].set_index("event_id").loc[claim["target_id"]]
            other = {_text(measure.get("date_announced")), _text(measure.get("date_in_force"))}
            if any(_same("date", claim["value"], candidate) for candidate in other if candidate):
                return "the thesis dates another stage of the measure (announcement vs entry into force)"
    if claim["target_table"] == "verdicts":
        hypothesis, _, round_id = str(claim["target_id"]).partition(":")
        frame = tables["verdicts"]
        row = frame[(frame["hypothesis"] == hypothesis) & (frame["round"].astype(str) == round_id)].iloc[0]
        return f"the configured rule ({_text(row.get('rule'))}) read {_text(row.get('evidence'))}"
    return "the coded documents give a different value"


def replication_table(claims: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per claim: the thesis's value, the pipeline's, and whether they agree (and why not).

    ``tables`` holds the cleaned measures, pressure, engagements and conflicts and the verdicts.
    """
    rows = []
    for _, claim in claims.sort_values("claim_id").iterrows():
        found, pipeline = _lookup(tables, claim["target_table"], claim["target_id"],
                                  claim["target_field"])
        thesis = _text(claim["value"])
        if not found:
            status = "not comparable"
        else:
            status = "agrees" if _same(claim["kind"], thesis, pipeline) else "differs"
        rows.append({
            "claim_id": claim["claim_id"], "kind": claim["kind"],
            "target_table": claim["target_table"], "target_id": claim["target_id"],
            "target_field": claim["target_field"], "thesis_value": thesis,
            "pipeline_value": pipeline, "status": status,
            "reason": "" if status == "agrees" else _reason(claim, found, pipeline, tables),
            "section": claim["section"], "paragraph": claim["paragraph"],
        })
    return pd.DataFrame(rows, columns=REPLICATION_COLUMNS)
