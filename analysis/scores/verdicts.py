"""Verdicts on HP1 (per round), HP2 and HP3, each with the rule and the numbers it read."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.registry import options
from analysis.scores.influence import combined_influence_array
from analysis.vocabulary import INDETERMINATE, NOT_SUPPORTED, PRESSURING, REJECTED, SUPPORTED

VERDICT_COLUMNS = ["hypothesis", "round", "verdict", "rule", "evidence", "thesis_verdict"]
HP1_RULES = options("hp1.rule")
PA_MARGINS = options("hp1.pa_margin")
HP2_RULES = options("reactivity.hp2_rule")
HP3_AGGREGATIONS = options("reactive_state.aggregation")
REJECTION_RULES = options("hp1.rejection")
# A condition's outcome: PASS reaches its threshold, MISS falls short of it with evidence that does
# not speak against the hypothesis, AGAINST falls short with evidence against it; NaN is unknown.
PASS, MISS, AGAINST = 1.0, 0.5, 0.0

FORMULAS = {
    "hp1_all_three": r"HP1_r \iff [\text{PA margin}_r] \wedge [AI_r \ge a] \wedge [P(HP1_r \mid E) \ge p^*]",
    "hp1_majority": r"HP1_r \iff \textstyle\sum_{j=1}^{3} [\text{condition}_j] \ge 2",
    "hp1_rejection": r"\text{rejected}_r \iff \neg HP1_r \wedge \big([\text{PA margin}_r \le 0] \vee "
    r"[AI_r \le a^-] \vee [P(HP1_r \mid E) \le p_*]\big), \text{ else not supported}",
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
    "hp1_rejection": (
        "HP1, rejected or not supported",
        "A round that fails HP1's rule is rejected only when the evidence speaks against HP1 (Japan did "
        "not move towards the US, the attributions credit the US with at most a minor contribution, or "
        "the posterior reaches the rejection threshold); a miss without such evidence is not supported.",
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


def _tri(flags: Sequence[bool | None]) -> np.ndarray:
    """Three-valued flags as floats: 1 true, 0 false, NaN unknown."""
    return np.array([np.nan if f is None else float(f) for f in flags], dtype=float)


def majority_array(flags: np.ndarray) -> np.ndarray:
    """Per row of ``flags`` (…, n; PASS / MISS / AGAINST / NaN): supported if a pass in more than half of
    the n; rejected once evidence against puts a majority out of reach (against in at least half); not
    supported once misses and evidence against together do; else indeterminate."""
    n = flags.shape[-1]
    yes, no = (flags == PASS).sum(axis=-1), (flags == AGAINST).sum(axis=-1)
    short = no + (flags == MISS).sum(axis=-1)
    return np.where(
        yes > n / 2,
        SUPPORTED,
        np.where(no >= n / 2, REJECTED, np.where(short >= n / 2, NOT_SUPPORTED, INDETERMINATE)),
    ).astype(object)


def conjunction_array(flags: np.ndarray) -> np.ndarray:
    """Per row: rejected if any condition has evidence against, else not supported if any misses, else
    supported if all pass (and there is one), else indeterminate."""
    n = flags.shape[-1]
    against, miss = (flags == AGAINST).any(axis=-1), (flags == MISS).any(axis=-1)
    all_pass = (flags == PASS).all(axis=-1) & (n > 0)
    return np.where(
        against, REJECTED, np.where(miss, NOT_SUPPORTED, np.where(all_pass, SUPPORTED, INDETERMINATE))
    ).astype(object)


def majority_verdict(flags: Sequence[bool | None]) -> str:
    """supported if True in more than half; rejected once a majority is out of reach; else indeterminate."""
    return str(majority_array(_tri(flags)[None, :])[0])


def conjunction_verdict(flags: Sequence[bool | None]) -> str:
    """supported if all True, rejected if any False, else indeterminate."""
    return str(conjunction_array(_tri(flags)[None, :])[0])


def condition_array(
    value: np.ndarray, passes: np.ndarray, against: np.ndarray, rejection: np.ndarray
) -> np.ndarray:
    """One condition's outcome: PASS, AGAINST where the evidence speaks against the hypothesis, else MISS;
    NaN where ``value`` is missing. hp1.rejection any_miss reads every miss as evidence against."""
    _check("hp1.rejection", rejection, REJECTION_RULES)
    against = against | (np.asarray(rejection) == "any_miss")
    return np.where(np.isnan(value), np.nan, np.where(passes, PASS, np.where(against, AGAINST, MISS)))


def _check(name: str, values: np.ndarray, allowed: Sequence[str]) -> None:
    unknown = sorted(set(map(str, np.unique(np.asarray(values).astype(str)))) - set(allowed))
    if unknown:
        raise ValueError(f"{name}: {unknown[0]!r} is not one of {', '.join(allowed)}")


def hp1_arrays(
    pa_improvement: np.ndarray,
    pa: np.ndarray,
    ai: np.ndarray,
    posterior: np.ndarray,
    posterior_verdict: np.ndarray,
    rule: np.ndarray,
    pa_margin: np.ndarray,
    ai_threshold: np.ndarray,
    supported_threshold: np.ndarray,
    combine: np.ndarray,
    rejection: np.ndarray,
    ai_against: np.ndarray | float,
    rejected_threshold: np.ndarray | float,
) -> tuple[np.ndarray, np.ndarray]:
    """HP1's verdict and combined influence for every specification and round at once.

    Round inputs have shape (specs, rounds); the choices (specs, 1) or anything that broadcasts.
    Conditions: PA margin (extensive: PA_improvement > 0; intensive: PA ≥ 0.5 on the measure in force),
    AI ≥ ai_threshold, posterior ≥ supported_threshold. A condition that misses has evidence against
    HP1 (``rejection`` evidence_against) when Japan did not move towards the US at all (the margin's value
    ≤ 0), AI ≤ ``ai_against``, or the posterior ≤ ``rejected_threshold``; under any_miss every miss
    counts as against (the rule before 'not supported' existed). all_three: all hold (any against:
    rejected; else any miss: not supported; a missing input with none failing: indeterminate);
    bayes_only: the posterior's own verdict (between the thresholds: not supported under
    evidence_against); influence_only: combined influence by ``combine`` (a fail is rejected when the
    PA or AI condition has evidence against); majority_of_three: two of three hold.
    """
    _check("hp1.rule", rule, HP1_RULES)
    _check("hp1.pa_margin", pa_margin, PA_MARGINS)
    rejection = np.asarray(rejection, dtype=object)
    pa_improvement, pa, ai, posterior = (
        np.asarray(x, dtype=float) for x in (pa_improvement, pa, ai, posterior)
    )
    extensive = np.asarray(pa_margin) == "extensive"
    margin_value = np.where(extensive, pa_improvement, pa)
    pa_against = margin_value <= 0
    ai_low = ai <= np.asarray(ai_against, dtype=float)
    pa_ok = condition_array(
        margin_value, np.where(extensive, margin_value > 0, margin_value >= 0.5), pa_against, rejection
    )
    ai_ok = condition_array(ai, ai >= np.asarray(ai_threshold, dtype=float), ai_low, rejection)
    bayes_ok = condition_array(
        posterior,
        posterior >= np.asarray(supported_threshold, dtype=float),
        posterior <= np.asarray(rejected_threshold, dtype=float),
        rejection,
    )
    three = np.stack(np.broadcast_arrays(pa_ok, ai_ok, bayes_ok), axis=-1)
    combined, passes = combined_influence_array(pa, ai, combine, ai_threshold)
    strict = rejection == "any_miss"
    by_posterior = np.asarray(posterior_verdict, dtype=object)
    by_posterior = np.where(pd.isna(by_posterior) | (by_posterior == ""), INDETERMINATE, by_posterior)
    by_posterior = np.where(
        (by_posterior == INDETERMINATE) & ~strict & ~np.isnan(posterior), NOT_SUPPORTED, by_posterior
    )
    influence_against = strict | (~np.isnan(margin_value) & pa_against) | (~np.isnan(ai) & ai_low)
    by_influence = np.where(
        np.isnan(passes),
        INDETERMINATE,
        np.where(passes == 1, SUPPORTED, np.where(influence_against, REJECTED, NOT_SUPPORTED)),
    )
    rule = np.asarray(rule, dtype=object)
    verdict = np.where(
        rule == "all_three",
        conjunction_array(three),
        np.where(
            rule == "majority_of_three",
            majority_array(three),
            np.where(rule == "bayes_only", by_posterior, by_influence),
        ),
    ).astype(object)
    return verdict, combined


def hp2_array(reactive: np.ndarray, hp2_rule: np.ndarray) -> np.ndarray:
    """HP2 per specification from the reactive flags (specs, rounds): a majority of rounds, or all."""
    _check("reactivity.hp2_rule", hp2_rule, HP2_RULES)
    return np.where(np.asarray(hp2_rule) == "majority", majority_array(reactive), conjunction_array(reactive))


def hp3_array(criterion1: np.ndarray, criterion2: np.ndarray, aggregation: np.ndarray) -> np.ndarray:
    """HP3 per specification from Calder's criteria (specs, rounds). conjunctive: both hold (Kleene AND)
    in a majority of rounds; family_resemblance: the mean of the known criteria over rounds ≥ 0.5."""
    _check("reactive_state.aggregation", aggregation, HP3_AGGREGATIONS)
    both = np.where(
        (criterion1 == 0) | (criterion2 == 0),
        0.0,
        np.where((criterion1 == 1) & (criterion2 == 1), 1.0, np.nan),
    )
    known = np.concatenate([criterion1, criterion2], axis=-1)
    count = (~np.isnan(known)).sum(axis=-1)
    share = np.where(count > 0, np.nansum(known, axis=-1) / np.maximum(count, 1), np.nan)
    family = np.where(np.isnan(share), "indeterminate", np.where(share >= 0.5, "supported", "rejected"))
    return np.where(np.asarray(aggregation) == "conjunctive", majority_array(both), family).astype(object)


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
    rejection: str,
    ai_against: float,
    rejected_threshold: float,
) -> tuple[str, str, str]:
    """(verdict, rule in words, evidence) of HP1 in one round (hp1_arrays for one round).

    Conditions: PA margin (extensive: PA_improvement > 0; intensive: PA ≥ 0.5 on the measure in force),
    AI ≥ ai_threshold, posterior ≥ supported_threshold. all_three: all hold (a missing input with none
    failing is indeterminate); bayes_only: the posterior's own verdict; influence_only: combined influence
    by ``combine``; majority_of_three: two of three hold (two fail: rejected).
    """
    verdicts, combined = hp1_arrays(
        *(np.array([[x]], dtype=float) for x in (pa_improvement, pa, ai, posterior)),
        np.array([[posterior_verdict]], dtype=object),
        np.array([[rule]], dtype=object),
        np.array([[pa_margin]], dtype=object),
        np.array([[ai_threshold]], dtype=float),
        np.array([[supported_threshold]], dtype=float),
        np.array([[combine]], dtype=object),
        np.array([[rejection]], dtype=object),
        np.array([[ai_against]], dtype=float),
        np.array([[rejected_threshold]], dtype=float),
    )
    words, evidence = hp1_words(
        pa_improvement,
        pa,
        ai,
        posterior,
        float(combined[0, 0]),
        rule,
        pa_margin,
        ai_threshold,
        supported_threshold,
        combine,
        rejection,
        ai_against,
        rejected_threshold,
    )
    return str(verdicts[0, 0]), words, evidence


def hp1_words(
    pa_improvement: float,
    pa: float,
    ai: float,
    posterior: float,
    value: float,
    rule: str,
    pa_margin: str,
    ai_threshold: float,
    supported_threshold: float,
    combine: str,
    rejection: str,
    ai_against: float,
    rejected_threshold: float,
) -> tuple[str, str]:
    """HP1's rule in words and the numbers it read (``value``: the combined influence)."""
    margin_words = "PA_improvement > 0" if pa_margin == "extensive" else "PA ≥ 0.5"
    evidence = (
        f"PA_improvement={_fmt(pa_improvement)}; PA={_fmt(pa)}; AI={_fmt(ai)}; posterior={_fmt(posterior)}"
    )
    if rule == "all_three":
        words = (
            f"hp1.rule=all_three, pa_margin={pa_margin}: supported when {margin_words} and "
            f"AI ≥ {ai_threshold:g} and posterior ≥ {supported_threshold:g}"
        )
    elif rule == "majority_of_three":
        words = (
            f"hp1.rule=majority_of_three, pa_margin={pa_margin}: supported when two of {margin_words}, "
            f"AI ≥ {ai_threshold:g}, posterior ≥ {supported_threshold:g} hold"
        )
    elif rule == "bayes_only":
        words = "hp1.rule=bayes_only: the verdict of the posterior (process_tracing.thresholds)"
    else:
        cut = {
            "product": "PA × AI ≥ 0.5",
            "hse_ordinal": "result(PA) × contribution(AI) ≥ 9",
            "none": f"AI ≥ {ai_threshold:g}",
        }[combine]
        words = f"hp1.rule=influence_only, attributed_influence.combine={combine}: supported when {cut}"
        evidence += f"; combined={_fmt(value)}"
    return words + "; " + rejection_words(
        rule, pa_margin, rejection, ai_against, rejected_threshold
    ), evidence


def rejection_words(
    rule: str, pa_margin: str, rejection: str, ai_against: float, rejected_threshold: float
) -> str:
    """When HP1's miss is 'rejected' rather than 'not supported', in words (hp1.rejection)."""
    if rejection == "any_miss":
        return "hp1.rejection=any_miss: rejected when it is not supported"
    against = {
        "margin": "Japan did not move towards the US ("
        + ("PA_improvement" if pa_margin == "extensive" else "PA")
        + " ≤ 0)",
        "ai": f"AI ≤ {ai_against:g}",
        "posterior": f"posterior ≤ {rejected_threshold:g}",
    }
    read = {"bayes_only": ["posterior"], "influence_only": ["margin", "ai"]}.get(rule, list(against))
    return "hp1.rejection=evidence_against: rejected, not merely not supported, when " + " or ".join(
        against[name] for name in read
    )


# The per-round scores a verdict reads, as read by round_inputs (the multiverse keeps them per spec).
ROUND_INPUTS = (
    "pa_improvement",
    "pa",
    "ai",
    "posterior",
    "posterior_verdict",
    "reactive",
    "criterion1",
    "criterion2",
)


def _arrays(out: Mapping[str, list]) -> dict[str, np.ndarray]:
    return {
        name: np.array(values, dtype=object if name == "posterior_verdict" else float)
        for name, values in out.items()
    }


def attainment_inputs(rounds: Sequence[Mapping[str, str]], attainment: pd.DataFrame) -> dict[str, np.ndarray]:
    """The US's PA_improvement and PA per round (attainment.csv)."""
    out: dict[str, list] = {"pa_improvement": [], "pa": []}
    for window in rounds:
        us = (attainment["round"].astype(str) == window["id"]) & (
            attainment["actor"].astype(str) == PRESSURING
        )
        out["pa_improvement"].append(_number(_cell(attainment, us, "improvement", "attainment")))
        out["pa"].append(_number(_cell(attainment, us, "attainment", "attainment")))
    return _arrays(out)


def influence_inputs(rounds: Sequence[Mapping[str, str]], influence: pd.DataFrame) -> dict[str, np.ndarray]:
    """Attributed influence per round (influence.csv)."""
    mask = [influence["round"].astype(str) == w["id"] for w in rounds]
    return _arrays({"ai": [_number(_cell(influence, m, "influence", "influence")) for m in mask]})


def posterior_inputs(rounds: Sequence[Mapping[str, str]], posteriors: pd.DataFrame) -> dict[str, np.ndarray]:
    """HP1's posterior and the posterior's own verdict per round (posteriors.csv)."""
    out: dict[str, list] = {"posterior": [], "posterior_verdict": []}
    for window in rounds:
        hp1 = (posteriors["hypothesis"].astype(str) == "HP1") & (
            posteriors["round"].astype(str) == window["id"]
        )
        out["posterior"].append(_number(_cell(posteriors, hp1, "posterior", "posteriors")))
        out["posterior_verdict"].append(_cell(posteriors, hp1, "verdict", "posteriors"))
    return _arrays(out)


def reactivity_inputs(rounds: Sequence[Mapping[str, str]], reactivity: pd.DataFrame) -> dict[str, np.ndarray]:
    """Calder's flags per round (reactivity.csv) as 1 / 0 / NaN; a round the table lacks is unknown."""
    by_round = {str(row["round"]): row for row in reactivity.to_dict("records")}
    out: dict[str, list] = {"reactive": [], "criterion1": [], "criterion2": []}
    for window in rounds:
        for flag in out:
            value = _flag(by_round.get(window["id"], {}).get(flag))
            out[flag].append(np.nan if value is None else float(value))
    return _arrays(out)


def round_inputs(
    rounds: Sequence[Mapping[str, str]],
    attainment: pd.DataFrame,
    influence: pd.DataFrame,
    posteriors: pd.DataFrame,
    reactivity: pd.DataFrame,
) -> dict[str, np.ndarray]:
    """What the verdicts read of the score tables, one array (rounds,) per name of ROUND_INPUTS."""
    return {
        **attainment_inputs(rounds, attainment),
        **influence_inputs(rounds, influence),
        **posterior_inputs(rounds, posteriors),
        **reactivity_inputs(rounds, reactivity),
    }


def verdict_arrays(
    inputs: Mapping[str, np.ndarray], choices: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Every verdict of every specification in one vectorised pass: the one verdict code path.

    ``inputs``: the arrays of ROUND_INPUTS, each (specs, rounds). ``choices``: one array (specs,) per
    verdict key: ``hp1.rule``, ``hp1.pa_margin``, ``hp1.ai_threshold``, ``hp1.rejection``,
    ``hp1.ai_against``, ``supported`` and ``rejected`` (the posterior's thresholds),
    ``attributed_influence.combine``, ``reactivity.hp2_rule``, ``reactive_state.aggregation``.
    Returns HP1 (specs, rounds), its combined influence (specs, rounds), HP2 (specs,) and HP3 (specs,).
    """

    def column(key: str, dtype: type = object) -> np.ndarray:
        return np.asarray(choices[key], dtype=dtype)[:, None]

    hp1, combined = hp1_arrays(
        inputs["pa_improvement"],
        inputs["pa"],
        inputs["ai"],
        inputs["posterior"],
        inputs["posterior_verdict"],
        column("hp1.rule"),
        column("hp1.pa_margin"),
        column("hp1.ai_threshold", float),
        column("supported", float),
        column("attributed_influence.combine"),
        column("hp1.rejection"),
        column("hp1.ai_against", float),
        column("rejected", float),
    )
    return {
        "HP1": hp1,
        "combined": combined,
        "HP2": hp2_array(
            np.asarray(inputs["reactive"], dtype=float), np.asarray(choices["reactivity.hp2_rule"])
        ),
        "HP3": hp3_array(
            np.asarray(inputs["criterion1"], dtype=float),
            np.asarray(inputs["criterion2"], dtype=float),
            np.asarray(choices["reactive_state.aggregation"]),
        ),
    }


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
    rejected_threshold: float = 0.25,
) -> pd.DataFrame:
    """verdicts.csv: HP1 per round, HP2 and HP3 over all rounds, each beside the thesis's verdict.

    The verdicts are verdict_arrays applied to a one-row table (the multiverse applies it to all rows);
    this function adds the rule in words and the numbers each verdict read. HP2 (``hp2_rule``): majority
    or all rounds reactive. HP3 (``reactive_state``): conjunctive, both Calder criteria in a majority of
    rounds; family_resemblance, the mean of both criteria over rounds ≥ 0.5. The thesis verdict is read
    from thesis_claims (kind verdict, target_id ``HP:round``); it is empty where the thesis makes no
    claim (e.g. under another round segmentation).
    """
    inputs = round_inputs(rounds, attainment, influence, posteriors, reactivity)
    verdicts = verdict_arrays(
        {name: values[None, :] for name, values in inputs.items()},
        {
            "hp1.rule": [hp1["rule"]],
            "hp1.pa_margin": [hp1["pa_margin"]],
            "hp1.ai_threshold": [float(hp1["ai_threshold"])],
            "hp1.rejection": [hp1["rejection"]],
            "hp1.ai_against": [float(hp1["ai_against"])],
            "supported": [supported_threshold],
            "rejected": [rejected_threshold],
            "attributed_influence.combine": [combine],
            "reactivity.hp2_rule": [hp2_rule],
            "reactive_state.aggregation": [reactive_state],
        },
    )
    thesis = thesis_verdicts(claims)
    rows = []
    for index, window in enumerate(rounds):
        r = window["id"]
        words, evidence = hp1_words(
            inputs["pa_improvement"][index],
            inputs["pa"][index],
            inputs["ai"][index],
            inputs["posterior"][index],
            float(verdicts["combined"][0, index]),
            hp1["rule"],
            hp1["pa_margin"],
            float(hp1["ai_threshold"]),
            supported_threshold,
            combine,
            hp1["rejection"],
            float(hp1["ai_against"]),
            rejected_threshold,
        )
        rows.append(
            {
                "hypothesis": "HP1",
                "round": r,
                "verdict": str(verdicts["HP1"][0, index]),
                "rule": words,
                "evidence": evidence,
                "thesis_verdict": thesis.get(f"HP1:{r}", ""),
            }
        )
    rows.append(
        {
            "hypothesis": "HP2",
            "round": "all",
            "verdict": str(verdicts["HP2"][0]),
            "rule": f"reactivity.hp2_rule={hp2_rule}: supported when rounds are reactive in "
            f"{'a majority of' if hp2_rule == 'majority' else 'all'} rounds",
            "evidence": "; ".join(
                f"reactive_{w['id']}={_word(f)}" for w, f in zip(rounds, inputs["reactive"], strict=True)
            ),
            "thesis_verdict": thesis.get("HP2:all", ""),
        }
    )
    if reactive_state == "conjunctive":
        words = (
            "reactive_state.aggregation=conjunctive: supported when both Calder criteria hold in a "
            "majority of rounds"
        )
    else:
        words = (
            "reactive_state.aggregation=family_resemblance: supported when the mean of both criteria "
            "over rounds ≥ 0.5"
        )
    rows.append(
        {
            "hypothesis": "HP3",
            "round": "all",
            "verdict": str(verdicts["HP3"][0]),
            "rule": words,
            "evidence": "; ".join(
                f"criterion1_{w['id']}={_word(a)}; criterion2_{w['id']}={_word(b)}"
                for w, a, b in zip(rounds, inputs["criterion1"], inputs["criterion2"], strict=True)
            ),
            "thesis_verdict": thesis.get("HP3:all", ""),
        }
    )
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)


def _word(flag: float) -> str:
    return "NA" if np.isnan(flag) else str(bool(flag)).lower()


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
