"""Verdicts on HP1 (per round), HP2 and HP3, each with the rule and the numbers it read."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.scores.influence import combined_influence
from analysis.scores.reactivity import kleene_and
from analysis.vocabulary import PRESSURING

VERDICT_COLUMNS = ["hypothesis", "round", "verdict", "rule", "evidence", "thesis_verdict"]
HP1_RULES = {"all_three", "bayes_only", "influence_only", "majority_of_three"}

FORMULAS = {
    "hp1_all_three": r"HP1_r \iff [\text{PA margin}_r] \wedge [AI_r \ge a] \wedge [P(HP1_r \mid E) \ge p^*]",
    "hp1_majority": r"HP1_r \iff \textstyle\sum_{j=1}^{3} [\text{condition}_j] \ge 2",
    "hp2": r"HP2 \iff \#\{r : \text{reactive}_r\} > |R|/2 \ (\text{majority})\ \text{or} = |R|\ (\text{all})",
    "hp3_conjunctive": r"HP3 \iff \#\{r : c_{1,r} \wedge c_{2,r}\} > |R|/2",
    "hp3_family": r"HP3 \iff \frac{1}{2|R|}\sum_r (c_{1,r} + c_{2,r}) \ge 0.5",
}

# What each formula measures and why, in words: a label and one sentence (the report shows them
# beside FORMULAS, key for key).
DESCRIPTIONS = {
    "hp1_all_three": (
        "HP1, all three routes",
        "HP1 holds in a round when Japan moved towards the US position, attributed influence "
        "reaches its threshold and the process-tracing posterior reaches the support threshold: the"
        " triangulation the thesis invokes.",
    ),
    "hp1_majority": (
        "HP1, two of three routes",
        "The alternative rule accepts HP1 when two of the three conditions hold.",
    ),
    "hp2": (
        "HP2",
        "Japan's policy is reactive when a majority (or, by the stricter rule, all) of the rounds "
        "are reactive.",
    ),
    "hp3_conjunctive": (
        "HP3, both criteria",
        "Japan is a reactive state when both of Calder's criteria hold in a majority of rounds.",
    ),
    "hp3_family": (
        "HP3, family resemblance",
        "The alternative reading lets one criterion substitute for the other, averaged over rounds.",
    ),
}


def _number(value: object) -> float:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return math.nan
    return float(value)


def _flag(value: object) -> bool | None:
    """A boolean cell read back from CSV (True/False/'true'/'false'/missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, str):
        if value.strip().lower() not in {"true", "false"}:
            raise ValueError(f"expected true or false, got {value!r}")
        return value.strip().lower() == "true"
    return bool(value)


def _fmt(value: float) -> str:
    return "NA" if math.isnan(value) else f"{value:.3g}"


def _cell(frame: pd.DataFrame, mask: pd.Series, column: str, table: str) -> object:
    if column not in frame.columns:
        raise ValueError(f"{table}: missing column {column}")
    hit = frame.loc[mask, column]
    return hit.iloc[0] if len(hit) else None


def majority_verdict(flags: Sequence[bool | None]) -> str:
    """supported if True in more than half; rejected once a majority is out of reach; else indeterminate."""
    n = len(flags)
    yes, no = sum(f is True for f in flags), sum(f is False for f in flags)
    if yes > n / 2:
        return "supported"
    if no >= n / 2:
        return "rejected"
    return "indeterminate"


def conjunction_verdict(flags: Sequence[bool | None]) -> str:
    """supported if all True, rejected if any False, else indeterminate."""
    if any(f is False for f in flags):
        return "rejected"
    return "supported" if flags and all(f is True for f in flags) else "indeterminate"


def hp1_round(
    pa_improvement: float,
    pa: float,
    ai: float,
    posterior: float,
    posterior_verdict: str | None,
    rule: str,
    pa_margin: str,
    ai_threshold: float,
    supported_threshold: float,
    combine: str,
) -> tuple[str, str, str]:
    """(verdict, rule in words, evidence) of HP1 in one round.

    Conditions: PA margin (extensive: PA_improvement > 0; intensive: PA ≥ 0.5 on the measure in force),
    AI ≥ ai_threshold, posterior ≥ supported_threshold. all_three: all hold (a missing input with none
    failing is indeterminate); bayes_only: the posterior's own verdict; influence_only: combined influence
    by ``combine``; majority_of_three: two of three hold (two fail: rejected).
    """
    if rule not in HP1_RULES:
        raise ValueError(f"hp1.rule: {rule!r} is not one of {sorted(HP1_RULES)}")
    if pa_margin not in {"extensive", "intensive"}:
        raise ValueError(f"hp1.pa_margin: {pa_margin!r} is not one of extensive, intensive")
    margin_value = pa_improvement if pa_margin == "extensive" else pa
    pa_ok = (
        None
        if math.isnan(margin_value)
        else (margin_value > 0 if pa_margin == "extensive" else margin_value >= 0.5)
    )
    ai_ok = None if math.isnan(ai) else ai >= ai_threshold
    bayes_ok = None if math.isnan(posterior) else posterior >= supported_threshold
    margin_words = "PA_improvement > 0" if pa_margin == "extensive" else "PA ≥ 0.5"
    evidence = (
        f"PA_improvement={_fmt(pa_improvement)}; PA={_fmt(pa)}; AI={_fmt(ai)}; posterior={_fmt(posterior)}"
    )
    if rule == "all_three":
        verdict = conjunction_verdict([pa_ok, ai_ok, bayes_ok])
        words = (
            f"hp1.rule=all_three, pa_margin={pa_margin}: supported when {margin_words} and "
            f"AI ≥ {ai_threshold:g} and posterior ≥ {supported_threshold:g}"
        )
    elif rule == "majority_of_three":
        verdict = majority_verdict([pa_ok, ai_ok, bayes_ok])
        words = (
            f"hp1.rule=majority_of_three, pa_margin={pa_margin}: supported when two of {margin_words}, "
            f"AI ≥ {ai_threshold:g}, posterior ≥ {supported_threshold:g} hold"
        )
    elif rule == "bayes_only":
        verdict = posterior_verdict or "indeterminate"
        words = "hp1.rule=bayes_only: the verdict of the posterior (process_tracing.thresholds)"
    else:
        value, passes = combined_influence(pa, ai, combine, ai_threshold)
        verdict = "indeterminate" if passes is None else "supported" if passes else "rejected"
        cut = {
            "product": "PA × AI ≥ 0.5",
            "hse_ordinal": "result(PA) × contribution(AI) ≥ 9",
            "none": f"AI ≥ {ai_threshold:g}",
        }[combine]
        words = f"hp1.rule=influence_only, attributed_influence.combine={combine}: supported when {cut}"
        evidence += f"; combined={_fmt(value)}"
    return verdict, words, evidence


def decide_verdicts(
    rounds: Sequence[Mapping[str, str]],
    attainment: pd.DataFrame,
    influence: pd.DataFrame,
    posteriors: pd.DataFrame,
    reactivity: pd.DataFrame,
    claims: pd.DataFrame,
    hp1: Mapping[str, Any],
    supported_threshold: float,
    combine: str,
    hp2_rule: str,
    reactive_state: str,
) -> pd.DataFrame:
    """verdicts.csv: HP1 per round, HP2 and HP3 over all rounds, each beside the thesis's verdict.

    HP2 (``hp2_rule``): majority or all rounds reactive. HP3 (``reactive_state``): conjunctive, both
    Calder criteria in a majority of rounds; family_resemblance, the mean of both criteria over rounds
    ≥ 0.5. The thesis verdict is read from thesis_claims (kind verdict, target_id ``HP:round``); it is
    empty where the thesis makes no claim (e.g. under another round segmentation).
    """
    if hp2_rule not in {"majority", "all"}:
        raise ValueError(f"reactivity.hp2_rule: {hp2_rule!r} is not one of majority, all")
    if reactive_state not in {"conjunctive", "family_resemblance"}:
        raise ValueError(
            f"reactive_state.aggregation: {reactive_state!r} is not one of conjunctive, family_resemblance"
        )
    thesis = thesis_verdicts(claims)
    rows = []
    for window in rounds:
        r = window["id"]
        us = (attainment["round"].astype(str) == r) & (attainment["actor"].astype(str) == PRESSURING)
        hp1_posterior = (posteriors["hypothesis"].astype(str) == "HP1") & (
            posteriors["round"].astype(str) == r
        )
        verdict, words, evidence = hp1_round(
            _number(_cell(attainment, us, "improvement", "attainment")),
            _number(_cell(attainment, us, "attainment", "attainment")),
            _number(_cell(influence, influence["round"].astype(str) == r, "influence", "influence")),
            _number(_cell(posteriors, hp1_posterior, "posterior", "posteriors")),
            _cell(posteriors, hp1_posterior, "verdict", "posteriors"),
            hp1["rule"],
            hp1["pa_margin"],
            float(hp1["ai_threshold"]),
            supported_threshold,
            combine,
        )
        rows.append(
            {
                "hypothesis": "HP1",
                "round": r,
                "verdict": verdict,
                "rule": words,
                "evidence": evidence,
                "thesis_verdict": thesis.get(f"HP1:{r}", ""),
            }
        )
    by_round = {str(row["round"]): row for row in reactivity.to_dict("records")}
    reactive = [_flag(by_round.get(w["id"], {}).get("reactive")) for w in rounds]
    hp2 = majority_verdict(reactive) if hp2_rule == "majority" else conjunction_verdict(reactive)
    rows.append(
        {
            "hypothesis": "HP2",
            "round": "all",
            "verdict": hp2,
            "rule": f"reactivity.hp2_rule={hp2_rule}: supported when rounds are reactive in "
            f"{'a majority of' if hp2_rule == 'majority' else 'all'} rounds",
            "evidence": "; ".join(
                f"reactive_{w['id']}={_word(f)}" for w, f in zip(rounds, reactive, strict=True)
            ),
            "thesis_verdict": thesis.get("HP2:all", ""),
        }
    )
    c1 = [_flag(by_round.get(w["id"], {}).get("criterion1")) for w in rounds]
    c2 = [_flag(by_round.get(w["id"], {}).get("criterion2")) for w in rounds]
    if reactive_state == "conjunctive":
        hp3 = majority_verdict([kleene_and(a, b) for a, b in zip(c1, c2, strict=True)])
        words = (
            "reactive_state.aggregation=conjunctive: supported when both Calder criteria hold in a "
            "majority of rounds"
        )
    else:
        known = [float(f) for f in c1 + c2 if f is not None]
        share = sum(known) / len(known) if known else math.nan
        hp3 = "indeterminate" if math.isnan(share) else "supported" if share >= 0.5 else "rejected"
        words = (
            "reactive_state.aggregation=family_resemblance: supported when the mean of both criteria "
            "over rounds ≥ 0.5"
        )
    rows.append(
        {
            "hypothesis": "HP3",
            "round": "all",
            "verdict": hp3,
            "rule": words,
            "evidence": "; ".join(
                f"criterion1_{w['id']}={_word(a)}; criterion2_{w['id']}={_word(b)}"
                for w, a, b in zip(rounds, c1, c2, strict=True)
            ),
            "thesis_verdict": thesis.get("HP3:all", ""),
        }
    )
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)


def _word(flag: bool | None) -> str:
    return "NA" if flag is None else str(flag).lower()


def thesis_verdicts(claims: pd.DataFrame) -> dict[str, str]:
    """{"HP1:R1": "supported", ...} from the thesis_claims rows of kind verdict."""
    for column in ("kind", "target_id", "value"):
        if column not in claims.columns:
            raise ValueError(f"thesis_claims: missing column {column}")
    verdicts = claims[claims["kind"].astype(str) == "verdict"]
    out = {}
    for row in verdicts.to_dict("records"):
        value = str(row["value"]).strip().lower()
        if value not in {"supported", "rejected", "indeterminate"}:
            raise ValueError(
                f"thesis_claims column 'value': {row['value']!r} is not a verdict "
                f"(target_id {row['target_id']})"
            )
        out[str(row["target_id"])] = value
    return out
