"""Set every claim of the thesis beside independent evidence: agrees, differs or not independently checkable.

A claim is replicated only by sources other than the thesis: another document's report of the same
measure, act or event (or a public record coded as a source), never the value coded from the thesis's
own sentence. A claim on which no other source bears is "not independently checkable", never "agrees".
Verdicts are set beside the pipeline's verdict, which rests on the rows of all the documents; a
comparison claim ("the mildest among the G7") beside the stringency index of the round.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.vocabulary import verdicts_agree

REPLICATION_COLUMNS = [
    "claim_id",
    "kind",
    "target_table",
    "target_id",
    "target_field",
    "thesis_value",
    "pipeline_value",
    "independent_sources",
    "independent_values",
    "status",
    "reason",
    "section",
    "paragraph",
]
STATUSES = ("agrees", "differs", "not independently checkable", "not comparable")
THESIS_KEY = "silbaum2017"
# Raw table -> (id column a claim names, column that groups reports of one event).
EVENT_KEYS = {"measures": "event_id", "pressure": "event_id", "engagements": "event_id"}
CLAIM_IDS = {"measures": "event_id", "pressure": "pressure_id", "engagements": "engagement_id"}


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


def _lookup(tables: Mapping[str, pd.DataFrame], table: str, row_id: str, field: str) -> tuple[bool, str]:
    """(found, value) of one field of one cleaned pipeline row."""
    if table == "verdicts":
        hypothesis, _, round_id = row_id.partition(":")
        frame = tables["verdicts"]
        hit = frame[(frame["hypothesis"] == hypothesis) & (frame["round"].astype(str) == round_id)]
    else:
        frame = tables[table]
        hit = frame[frame[CLAIM_IDS[table]] == row_id]
    if hit.empty or field not in hit.columns:
        return False, ""
    return True, _text(hit.iloc[0][field])


def independent_reports(
    raw: Mapping[str, pd.DataFrame], table: str, target_id: str, field: str, thesis_key: str = THESIS_KEY
) -> list[tuple[str, str]]:
    """(source, value) of every report of the claimed event by a source other than the thesis.

    Reports of one event share its event key, so another document's row on the same measure, act or
    engagement bears on the claim even when it sits under another row id.
    """
    frame = raw.get(table)
    if frame is None or frame.empty:
        return []
    id_column, key = CLAIM_IDS[table], EVENT_KEYS[table]
    hit = frame[frame[id_column].astype(str) == target_id]
    events = set(hit[key].astype(str)) if key in frame.columns and not hit.empty else {target_id}
    reports = frame[frame[key].astype(str).isin(events)] if key in frame.columns else hit
    column = "date" if field == "date" else field
    return sorted(
        (str(row["source"]), _text(row.get(column)))
        for _, row in reports.iterrows()
        if str(row["source"]) != thesis_key and _text(row.get(column))
    )


def judge_against(kind: str, thesis: str, reports: list[tuple[str, str]]) -> tuple[str, str]:
    """(status, reason) of a date or count claim against independent reports.

    A report agrees when it states the claim's value at least as precisely as the claim does, and
    contradicts when it states another value at its own precision: a coarser date that does not contain
    the claimed one ("2014-03" against "2014-04-29") contradicts it, a coarser one that does ("2014")
    neither confirms nor contradicts it.
    """
    if not reports:
        return "not independently checkable", "no source other than the thesis reports this"
    if kind == "date":
        precise = [(s, v) for s, v in reports if len(v) >= len(thesis)]
        against = [(s, v) for s, v in reports if len(v) < len(thesis) and not thesis.startswith(v)]
        agreeing = [(s, v) for s, v in precise if _same(kind, thesis, v)]
        against += [(s, v) for s, v in precise if not _same(kind, thesis, v)]
        if not agreeing and not against:
            coarse = "; ".join(f"{s}={v}" for s, v in reports)
            return "not independently checkable", f"other sources give only a coarser date ({coarse})"
    else:
        agreeing = [(s, v) for s, v in reports if _same(kind, thesis, v)]
        against = [(s, v) for s, v in reports if not _same(kind, thesis, v)]
    if agreeing and not against:
        return "agrees", ""
    listed = "; ".join(f"{s}={v}" for s, v in against)
    if agreeing:
        return "differs", f"sources disagree among themselves: {listed} against " + "; ".join(
            f"{s}={v}" for s, v in agreeing
        )
    return "differs", f"other sources give {listed}"


def judge_comparison(
    claim: pd.Series,
    stringency: pd.DataFrame,
    measures: pd.DataFrame,
    round_end: str | None,
    thesis_key: str = THESIS_KEY,
) -> tuple[str, str, str, str]:
    """(status, pipeline value, independent sources, reason) of a 'mildest among' claim.

    The pipeline value lists the compared senders whose stock stringency in the round is not above the
    claimed sender's. Independent sources are the non-thesis documents behind the measures of the
    compared senders dated up to the round; none means the claim rests on the thesis alone.
    """
    sender, _, round_id = str(claim["target_id"]).partition(":")
    others = [s for s in str(claim["value"]).split(";") if s]
    table = stringency.set_index(["sender", "round"]) if len(stringency) else stringency
    try:
        own = float(table.loc[(sender, round_id), "stringency_stock"])
    except KeyError:
        return "not comparable", "", "", f"no stringency of {sender} in round {round_id}"
    values, not_above = {}, []
    for other in others:
        try:
            values[other] = float(table.loc[(other, round_id), "stringency_stock"])
        except KeyError:
            values[other] = 0.0  # a sender with no measure in force has stringency 0
        if values[other] <= own:
            not_above.append(other)
    compared = measures[measures["sender"].astype(str).isin([sender, *others])]
    dates = compared["date"].astype(str)
    in_round = (
        compared[(dates != "") & (dates != "nan") & (dates <= str(round_end))] if round_end else compared
    )
    sources = sorted(
        {
            s
            for joined in in_round.get("sources", pd.Series(dtype=str)).astype(str)
            for s in joined.split(";")
            if s and s != thesis_key
        }
    )
    numbers = ", ".join([f"{sender}={own:g}"] + [f"{s}={v:g}" for s, v in values.items()])
    pipeline = ";".join(not_above) if not_above else "mildest"
    if not sources:
        return (
            "not independently checkable",
            pipeline,
            "",
            f"only the thesis reports these measures ({numbers})",
        )
    if not_above:
        return (
            "differs",
            pipeline,
            ";".join(sources),
            f"stringency {numbers}: not above {sender} for {pipeline}",
        )
    return "agrees", pipeline, ";".join(sources), ""


def replication_table(
    claims: pd.DataFrame,
    tables: Mapping[str, pd.DataFrame],
    raw: Mapping[str, pd.DataFrame] | None = None,
    rounds: list[Mapping[str, str]] | None = None,
) -> pd.DataFrame:
    """One row per claim: the thesis's value, the pipeline's, the independent sources and the verdict.

    ``tables`` holds the cleaned measures, pressure, engagements and the verdicts (and stringency for
    comparison claims); ``raw`` the raw measures, pressure and engagements, one row per document report;
    ``rounds`` the round windows (a comparison counts the measures dated up to its round's end).
    """
    raw = raw or {}
    ends = {str(window["id"]): str(window["end"]) for window in rounds or []}
    rows = []
    for _, claim in claims.sort_values("claim_id").iterrows():
        thesis = _text(claim["value"])
        table = str(claim["target_table"])
        sources, values, pipeline = "", "", ""
        if table == "stringency":
            status, pipeline, sources, reason = judge_comparison(
                claim,
                tables.get("stringency", pd.DataFrame()),
                tables["measures"],
                ends.get(str(claim["target_id"]).partition(":")[2]),
            )
        elif table == "verdicts":
            found, pipeline = _lookup(tables, table, str(claim["target_id"]), str(claim["target_field"]))
            if not found:
                status, reason = "not comparable", "the round is not in the segmentation in force"
            else:
                row = _verdict_row(tables["verdicts"], str(claim["target_id"]))
                sources = "pipeline verdict (rows of all five documents)"
                # The thesis only accepts or rejects: 'not supported' agrees with its 'rejected' (neither
                # accepts the hypothesis), and the reason says that the words differ.
                status = (
                    "agrees"
                    if verdicts_agree(pipeline.strip().lower(), thesis.strip().lower())
                    else "differs"
                )
                reason = (
                    ""
                    if _same("verdict", thesis, pipeline)
                    else (
                        "neither accepts the hypothesis; the evidence falls short of it without speaking "
                        "against it, so this build says not supported"
                        if status == "agrees"
                        else f"the configured rule ({_text(row.get('rule'))}) read "
                        f"{_text(row.get('evidence'))}"
                    )
                )
        else:
            found, pipeline = _lookup(tables, table, str(claim["target_id"]), str(claim["target_field"]))
            reports = independent_reports(raw, table, str(claim["target_id"]), str(claim["target_field"]))
            sources = ";".join(sorted({s for s, _ in reports}))
            values = "; ".join(f"{s}={v}" for s, v in reports)
            if not found and not reports:
                status, reason = "not comparable", "no such record in the pipeline's data"
            else:
                status, reason = judge_against(str(claim["kind"]), thesis, reports)
        rows.append(
            {
                "claim_id": claim["claim_id"],
                "kind": claim["kind"],
                "target_table": table,
                "target_id": claim["target_id"],
                "target_field": claim["target_field"],
                "thesis_value": thesis,
                "pipeline_value": pipeline,
                "independent_sources": sources,
                "independent_values": values,
                "status": status,
                "reason": reason,
                "section": claim["section"],
                "paragraph": claim["paragraph"],
            }
        )
    return pd.DataFrame(rows, columns=REPLICATION_COLUMNS)


def _verdict_row(verdicts: pd.DataFrame, target: str) -> pd.Series:
    hypothesis, _, round_id = target.partition(":")
    return verdicts[
        (verdicts["hypothesis"] == hypothesis) & (verdicts["round"].astype(str) == round_id)
    ].iloc[0]
