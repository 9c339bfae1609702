"""The specification axis: each score stage as one function of its input tables and a choices mapping.

A *specification* is one value for every registered coding choice (analysis/registry.yaml). A stage
reads the tables of the stages before it and the choices the registry says it reads (``x-read-by``),
and returns its output tables. The build runs each stage once for the specification in force (the
default, or a named variant); the multiverse evaluates the same functions for every distinct
combination of the keys a stage reads. There is one code path: nothing here has a second,
"vectorised" twin to keep in step.

``choices`` is the nested mapping :func:`analysis.registry.from_params` decodes from a rule's params
(or any config mapping): only the keys a stage reads are looked up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from analysis import registry
from analysis.config import round_windows
from analysis.registry import check_option
from analysis.scores import attainment, influence, process_tracing, reactivity, stringency, timing, verdicts
from analysis.scores.headline import headline_numbers
from analysis.vocabulary import FOCAL, MAJOR_SENDERS

Tables = dict[str, pd.DataFrame]


def stringency_index(choices: Mapping[str, Any]) -> dict[str, Any]:
    """How the stringency index is built; attainment places positions on the same index."""
    s = choices["stringency"]
    weights = dict(s["weight_sets"][s["weights"]])
    if s["leave_out_instrument"] != "none":  # left out: weight 0, the index renormalised over the rest
        weights[check_option("stringency.leave_out_instrument", s["leave_out_instrument"])] = 0.0
    return {
        "weights": weights,
        "intensity": s["intensity"],
        "three_level_values": s["three_level_values"],
        "uncoded_intensity": s["uncoded_intensity"],
        "easing_factor": s["easing_factor"],
        "missing": s["missing_intensity"],
        "leader": choices["comparison"]["leader"],
    }


def score_stringency(tables: Tables, choices: Mapping[str, Any]) -> Tables:
    table, leave_one_out = stringency.stringency_table(
        tables["measures"],
        round_windows(choices),
        basis=choices["stringency"]["basis"],
        **stringency_index(choices),
    )
    return {"stringency": table, "leave_one_out": leave_one_out}


def score_timing(tables: Tables, choices: Mapping[str, Any]) -> Tables:
    t = choices["timing"]
    by_measure, by_round = timing.timing_tables(
        tables["measures"],
        round_windows(choices),
        leader=choices["comparison"]["leader"],
        peers=choices["comparison"]["peers"],
        first_mover_window_days=t["first_mover_window_days"],
        matching=t["matching"],
        coarsest_precision=t["coarsest_date_precision"],
        comparable_within_days=t["comparable_within_days"],
    )
    by_sender = timing.timing_by_sender(
        tables["measures"],
        round_windows(choices),
        against=[s for s in MAJOR_SENDERS if s != FOCAL],
        matching=t["matching"],
        coarsest_precision=t["coarsest_date_precision"],
        comparable_within_days=t["comparable_within_days"],
    )
    first_movers = timing.first_movers_by_sender(
        tables["measures"],
        round_windows(choices),
        senders=reactivity.yardstick_senders(tables["measures"], choices["comparison"]["leader"]),
        leader=choices["comparison"]["leader"],
        first_mover_window_days=t["first_mover_window_days"],
        matching=t["matching"],
        coarsest_precision=t["coarsest_date_precision"],
        comparable_within_days=t["comparable_within_days"],
    )
    return {
        "timing_measures": by_measure,
        "timing_rounds": by_round,
        "timing_by_sender": by_sender,
        "timing_first_movers": first_movers,
    }


def score_attainment(tables: Tables, choices: Mapping[str, Any]) -> Tables:
    table = attainment.attainment_table(
        tables["measures"],
        round_windows(choices),
        choices=choices["preference_attainment"],
        **stringency_index(choices),
    )
    return {"attainment": table}


def score_influence(tables: Tables, choices: Mapping[str, Any]) -> Tables:
    a = choices["attributed_influence"]
    table, by_type = influence.score_influence(
        tables["attributions"],
        round_windows(choices),
        a["aggregation"],
        a["type_weight_sets"][a["type_weight_set"]],
        a["strength_ladder"],
        a["mixed_us_share"],
        a["competing_causes"],
        a["general_statements"],
        a["bootstrap_draws"],
        a["seed"],
    )
    return {"influence": table, "by_type": by_type}


def score_process_tracing(tables: Tables, choices: Mapping[str, Any]) -> Tables:
    weights, posteriors = process_tracing.score_process_tracing(
        tables["evidence"], round_windows(choices), choices["process_tracing"]
    )
    return {"evidence_weights": weights, "posteriors": posteriors}


def score_reactivity(tables: Tables, choices: Mapping[str, Any]) -> Tables:
    r = choices["reactivity"]
    table = reactivity.score_reactivity(
        tables["measures"],
        tables["pressure"],
        tables["engagements"],
        tables["timing_rounds"],
        tables["attainment"],
        round_windows(choices),
        r["window_days"],
        r["components"],
        r["threshold"],
        r["incompleteness_reading"],
    )
    peers = reactivity.reactivity_by_sender(
        tables["measures"],
        tables["pressure"],
        tables["timing_first_movers"],
        round_windows(choices),
        r["window_days"],
        r["components"],
        r["incompleteness_reading"],
    )
    return {"reactivity": table, "reactivity_peers": peers}


def decide_verdicts(tables: Tables, choices: Mapping[str, Any]) -> Tables:
    """HP1 per round; HP2 and HP3 pooled over the in-sample rounds (as the thesis pools them) and, apart,
    over the out-of-sample rounds (their pooled rows carry those rounds' ids joined by '+')."""
    windows = round_windows(choices)

    def decide(subset: list[dict[str, str]]) -> pd.DataFrame:
        return verdicts.decide_verdicts(
            subset,
            tables["attainment"],
            tables["influence"],
            tables["posteriors"],
            tables["reactivity"],
            tables["thesis_claims"],
            choices["hp1"],
            choices["process_tracing"]["thresholds"]["supported"],
            choices["attributed_influence"]["combine"],
            choices["reactivity"]["hp2_rule"],
            choices["reactive_state"]["aggregation"],
            choices["process_tracing"]["thresholds"]["rejected"],
        )

    inside = [w for w in windows if not w.get("out_of_sample")]
    outside = [w for w in windows if w.get("out_of_sample")]
    table = decide(inside)
    if outside:
        extra = decide(outside)
        pooled = extra["round"].astype(str) == "all"
        extra.loc[pooled, "round"] = "+".join(w["id"] for w in outside)
        extra.loc[pooled, "thesis_verdict"] = ""
        table = pd.concat([table, extra], ignore_index=True)
    named = {**tables, "verdicts": table, "timing": tables["timing_rounds"]}
    return {
        "verdicts": table,
        "headline": headline_numbers(round_windows(choices), choices["comparison"]["leader"], named),
    }


STAGES: dict[str, Callable[[Tables, Mapping[str, Any]], Tables]] = {
    "score_stringency": score_stringency,
    "score_timing": score_timing,
    "score_attainment": score_attainment,
    "score_influence": score_influence,
    "score_process_tracing": score_process_tracing,
    "score_reactivity": score_reactivity,
    "decide_verdicts": decide_verdicts,
}


# The rules each rule builds on (the workflow's DAG, read by workflow/rules/common.smk). A variant
# shares a rule's outputs with an earlier build when they agree on every key these rules read
# (analysis/variants.py); the multiverse evaluates a stage once per distinct combination of them.
UPSTREAM: dict[str, list[str]] = {
    "clean_data": ["validate_raw"],
    "score_stringency": ["clean_data"],
    "score_timing": ["clean_data"],
    "score_attainment": ["clean_data", "score_stringency"],
    "score_influence": ["clean_data"],
    "score_process_tracing": ["clean_data"],
    "score_reactivity": ["clean_data", "score_timing", "score_attainment"],
    "decide_verdicts": [
        "score_stringency",
        "score_timing",
        "score_attainment",
        "score_influence",
        "score_process_tracing",
        "score_reactivity",
    ],
    "replicate_thesis": ["decide_verdicts", "score_stringency"],
    "make_figures": [],  # its upstream comes from the tables the figures read (common.smk's FIGURES_BEHIND)
    "build_bibliography": ["clean_data"],
}


def keys_behind(rule: str) -> list[str]:
    """Every registered key that ``rule`` or a rule before it reads (registry order within a rule)."""
    return registry.keys_behind(rule, UPSTREAM)
