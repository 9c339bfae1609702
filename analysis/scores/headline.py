"""The numbers the report's prose quotes, as one flat, documented mapping (headline.json)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.data.clean import events_once
from analysis.vocabulary import FOCAL, PRESSURING, verdicts_agree


def _value(value: object) -> float | int | str | bool | None:
    """JSON-safe scalar: missing → None; floats to 6 significant digits so rebuilds are byte-identical."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, bool | str):
        return value
    number = float(value)
    if number.is_integer() and abs(number) < 2**53 and not isinstance(value, float):
        return int(number)
    return float(f"{number:.6g}")


def _pick(frame: pd.DataFrame, column: str, **where: str) -> object:
    if column not in frame.columns:
        return None
    mask = pd.Series(True, index=frame.index)
    for key, wanted in where.items():
        mask &= frame[key].astype(str) == wanted
    hit = frame.loc[mask, column]
    return hit.iloc[0] if len(hit) else None


def headline_numbers(
    rounds: Sequence[Mapping[str, str]], leader: str, tables: Mapping[str, pd.DataFrame]
) -> dict[str, Any]:
    """Flat {key: number} for the report's prose. ``tables`` holds the pipeline tables by name.

    Keys (``<r>`` is a round id; missing numbers are null):
      n_measures, n_measures_jp (cleaned measure events, all senders / Japan), n_pressure_acts,
      n_attributions, n_evidence_items;
      <r>_stringency_jp, <r>_stringency_leader (stringency_stock of Japan and of ``leader``),
      <r>_relative_to_leader (Japan's);
      <r>_pa_us, <r>_pa_us_lower, <r>_pa_us_upper, <r>_pa_us_improvement and the same for _pa_jp
      (attainment.csv);
      <r>_median_lag_days, <r>_first_mover_share (timing_rounds.csv);
      <r>_ai, <r>_ai_framing_gap, <r>_ai_n_statements (influence.csv);
      <r>_posterior_<HP>, all_posterior_<HP> (posteriors.csv, each hypothesis present);
      <r>_reactivity, <r>_independent_initiatives (reactivity.csv);
      verdict_HP1_<r>, verdict_HP2, verdict_HP3 and thesis_verdict_… likewise (verdicts.csv);
      n_verdicts, n_verdicts_with_thesis, n_verdicts_agreeing (with the thesis's verdict);
      check_<check>_<table>[_<subject>] (data_checks.csv passed through).
    """
    out: dict[str, Any] = {}
    measures = tables["measures"]
    out["n_measures"] = len(measures)
    out["n_measures_jp"] = int((measures["sender"].astype(str) == FOCAL).sum())
    out["n_pressure_acts"] = len(events_once(tables["pressure"], "pressure_id"))
    out["n_attributions"] = len(tables["attributions"])
    out["n_evidence_items"] = len(tables["evidence"])
    stringency, attainment = tables["stringency"], tables["attainment"]
    timing, influence, reactivity = tables["timing"], tables["influence"], tables["reactivity"]
    posteriors, verdicts = tables["posteriors"], tables["verdicts"]
    hypotheses = sorted(set(posteriors["hypothesis"].astype(str))) if len(posteriors) else []
    for window in rounds:
        r = window["id"]
        out[f"{r}_stringency_jp"] = _value(_pick(stringency, "stringency_stock", sender=FOCAL, round=r))
        out[f"{r}_stringency_leader"] = _value(_pick(stringency, "stringency_stock", sender=leader, round=r))
        out[f"{r}_relative_to_leader"] = _value(
            _pick(stringency, "relative_to_leader", sender=FOCAL, round=r)
        )
        for actor in (PRESSURING, FOCAL):
            key = f"{r}_pa_{actor.lower()}"
            out[key] = _value(_pick(attainment, "attainment", round=r, actor=actor))
            for column in ("lower", "upper", "improvement"):
                out[f"{key}_{column}"] = _value(_pick(attainment, column, round=r, actor=actor))
        out[f"{r}_median_lag_days"] = _value(_pick(timing, "median_lag_days", round=r))
        out[f"{r}_first_mover_share"] = _value(_pick(timing, "first_mover_share", round=r))
        out[f"{r}_ai"] = _value(_pick(influence, "influence", round=r))
        out[f"{r}_ai_framing_gap"] = _value(_pick(influence, "framing_gap", round=r))
        out[f"{r}_ai_n_statements"] = _value(_pick(influence, "n_statements", round=r))
        out[f"{r}_reactivity"] = _value(_pick(reactivity, "reactivity", round=r))
        out[f"{r}_independent_initiatives"] = _value(_pick(reactivity, "independent_initiatives", round=r))
        for hypothesis in hypotheses:
            out[f"{r}_posterior_{hypothesis}"] = _value(
                _pick(posteriors, "posterior", hypothesis=hypothesis, round=r)
            )
    for hypothesis in hypotheses:
        out[f"all_posterior_{hypothesis}"] = _value(
            _pick(posteriors, "posterior", hypothesis=hypothesis, round="all")
        )
    agreeing = with_thesis = 0
    for row in verdicts.to_dict("records"):
        suffix = f"{row['hypothesis']}_{row['round']}" if row["round"] != "all" else str(row["hypothesis"])
        out[f"verdict_{suffix}"] = _value(row["verdict"])
        thesis = _value(row.get("thesis_verdict"))
        out[f"thesis_verdict_{suffix}"] = thesis if thesis != "" else None
        if thesis:
            with_thesis += 1
            agreeing += verdicts_agree(row["verdict"], thesis)
    out["n_verdicts"] = len(verdicts)
    out["n_verdicts_with_thesis"] = with_thesis
    out["n_verdicts_agreeing"] = agreeing
    for row in tables["data_checks"].to_dict("records"):
        parts = ["check", str(row["check"]), str(row["table"])]
        subject = _value(row.get("subject"))
        if subject not in (None, ""):
            parts.append(str(subject))
        out["_".join(parts)] = _value(row["value"])
    return {key: (None if isinstance(v, float) and math.isnan(v) else v) for key, v in out.items()}
