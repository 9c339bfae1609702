"""Attributed influence of US pressure per round (methods §2) and its combination with attainment."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.registry import check_option, options
from analysis.vocabulary import ALL_ROUNDS

INFLUENCE_COLUMNS = [
    "round",
    "aggregation",
    "influence",
    "lower",
    "upper",
    "n_statements",
    "n_sources",
    "ego",
    "alter",
    "researcher",
    "framing_gap",
]
BY_TYPE_COLUMNS = ["round", "attributor_type", "mean_strength", "n_statements"]
ATTRIBUTOR_TYPES = ["ego", "alter_ally", "alter_target", "expert", "media"]
COMPETING_CAUSES = {"g7_coordination", "territorial_norm", "own_interest"}
CAUSES = {"us_pressure", "mixed"} | COMPETING_CAUSES
# What identifies one statement across its cause rows.
STATEMENT_KEY = ("source", "section", "paragraph", "attributor", "round")
# Arts & Verschuren's three perspectives. Media are not parties to the decision, so they sit with the
# independent observers (experts) rather than with alter.
EAR_GROUPS = {
    "ego": "ego",
    "alter_ally": "alter",
    "alter_target": "alter",
    "expert": "researcher",
    "media": "researcher",
}

FORMULAS = {
    "us_strength": r"u_k = \begin{cases} a_k & \text{if cause}_k = \text{US pressure} \\ "
    r"m\,a_k & \text{if cause}_k = \text{mixed} \\ 0 & \text{if a competing cause only} \end{cases}",
    "weighted": r"AI = \frac{\sum_k \omega_{\tau(k)}\, u_k}{\sum_k \omega_{\tau(k)}}",
    "source_balanced": r"AI = \frac{\sum_k (\omega_{\tau(k)}/n_{s(k)})\, u_k}"
    r"{\sum_k \omega_{\tau(k)}/n_{s(k)}}",
    "share": r"AI = \frac{\sum_k \omega_{\tau(k)}\, u_k}{\sum_k \omega_{\tau(k)}\, a_k}",
    "ear": r"AI = \operatorname{median}(E, A, R_s), \quad G = A - E",
    "combined_product": r"INF_r = PA_r \times AI_r \geq 0.5",
    "combined_hse": r"\text{result}(PA_r) \times \text{contribution}(AI_r) \geq 9",
}

# What each formula measures and why, in words: a label and one sentence (the report shows them
# beside FORMULAS, key for key).
DESCRIPTIONS = {
    "us_strength": (
        "Strength credited to US pressure",
        "Each statement's asserted strength counts in full when it names US pressure, in part when "
        "it names US pressure among other motives, and not at all when it names another cause.",
    ),
    "weighted": (
        "Attributed influence (pooled)",
        "The weighted mean strength of US pressure over all statements, each attributor type weighted.",
    ),
    "source_balanced": (
        "Attributed influence (document-balanced)",
        "The same mean with each document's statements averaged first, so a document with many "
        "statements cannot dominate.",
    ),
    "share": (
        "Attributed influence (share of causes)",
        "US pressure's share of the strength asserted for all causes.",
    ),
    "ear": (
        "Attributed influence (ego, alter, researcher)",
        "The median of the means of Japanese officials, other governments and researchers; the gap "
        "between alter and ego shows how differently each side frames the decision.",
    ),
    "combined_product": (
        "Combined influence",
        "Attainment times attributed influence: influence needs both an outcome near the US "
        "position and credit for it.",
    ),
    "combined_hse": (
        "Combined influence (ordinal)",
        "The ordinal variant scores result and contribution on four-step ladders and multiplies them.",
    ),
}


def _require(frame: pd.DataFrame, columns: Sequence[str], table: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{table}: missing column(s) {', '.join(missing)}")


def us_pressure_strength(
    attributions: pd.DataFrame, ladder: Mapping[str, float], mixed_share: float, competing_causes: str
) -> pd.DataFrame:
    """Each statement's asserted strength a_k (the ladder) and its US-pressure strength u_k.

    u_k = a_k for a us_pressure statement and mixed_share·a_k for a mixed one (a statement naming US
    pressure and Japan's own interest together, without ranking them). A statement naming a competing
    cause (G7 coordination, the territorial norm, own interest) credits that cause and not the US:
    under ``competing_causes == "zero"`` its u_k is 0 (it counts against US influence in every
    aggregation); under ``"share_only"`` its u_k is missing, so it drops out of the mean-based
    aggregations and enters only the share measure's denominator.

    The table has one row per statement *and* claimed cause. A statement is one attributor at one
    locator (source, section, paragraph) about one round; when it also names US pressure (or mixed),
    that row already carries its US strength, so its competing-cause rows are left out of the means
    (u_k missing) rather than counted as a second, contradicting vote of 0. They still enter the
    share measure's denominator.
    """
    _require(attributions, ["cause", "strength", *STATEMENT_KEY], "attributions")
    check_option("attributed_influence.competing_causes", competing_causes)
    if not 0 <= mixed_share <= 1:
        raise ValueError(f"mixed_share: {mixed_share!r} is outside [0, 1]")
    unknown_strength = sorted(set(attributions["strength"].astype(str)) - set(ladder))
    if unknown_strength:
        raise ValueError(
            f"attributions column 'strength': unknown value(s) {unknown_strength}; "
            f"expected one of {sorted(ladder)}"
        )
    unknown_cause = sorted(set(attributions["cause"].astype(str)) - CAUSES)
    if unknown_cause:
        raise ValueError(
            f"attributions column 'cause': unknown value(s) {unknown_cause}; expected one of {sorted(CAUSES)}"
        )
    out = attributions.copy()
    out["strength_value"] = out["strength"].astype(str).map(ladder).astype(float)
    cause = out["cause"].astype(str)
    competing_value = 0.0 if competing_causes == "zero" else np.nan
    names_us = cause.isin(["us_pressure", "mixed"])
    key = out[list(STATEMENT_KEY)].astype("string").fillna("").agg("\x1f".join, axis=1)
    covered = key.isin(set(key[names_us])) & ~names_us
    out["us_strength"] = np.where(
        cause == "us_pressure",
        out["strength_value"],
        np.where(cause == "mixed", mixed_share * out["strength_value"], competing_value),
    )
    out.loc[covered, "us_strength"] = np.nan
    return out


def statements_in_round(scored: pd.DataFrame, round_id: str, general: str = "whole_period") -> pd.DataFrame:
    """The statements that count in a round (``attributed_influence.general_statements``).

    A statement about a measure counts in that measure's round. A general statement (round `all`: about
    Japan's sanctions as a whole) counts under `whole_period` only in the pooled estimate (round `all`),
    never in a single round; under `statement_date` in the round that contains the date it was made.
    """
    check_option("attributed_influence.general_statements", general)
    rounds = scored["round"].astype("string").fillna("")
    if round_id == ALL_ROUNDS:
        return scored[rounds != ""]
    if general == "whole_period":
        return scored[rounds == round_id]
    said_in = scored["said_in_round"].astype("string").fillna("") if "said_in_round" in scored else rounds
    return scored[(rounds == round_id) | ((rounds == ALL_ROUNDS) & (said_in == round_id))]


def _type_weights(statements: pd.DataFrame, type_weights: Mapping[str, float]) -> pd.Series:
    unknown = sorted(set(statements["attributor_type"].astype(str)) - set(type_weights))
    if unknown:
        raise ValueError(f"attributions column 'attributor_type': no type weight for {unknown}")
    return statements["attributor_type"].astype(str).map(type_weights).astype(float)


def _weighted_means(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Row-wise weighted mean of ``values`` (n,) under each row of ``weights`` (draws, n); rows of
    ``values`` that are missing, and weights that are not positive, are left out (missing when none
    is left)."""
    keep = ~np.isnan(values)[None, :] & (weights > 0)
    w = np.where(keep, weights, 0.0)
    total = w.sum(axis=1)
    sums = (w * np.where(keep, values[None, :], 0.0)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, sums / np.where(total > 0, total, 1.0), np.nan)


def aggregate_influence_counts(
    statements: pd.DataFrame, aggregation: str, type_weights: Mapping[str, float], counts: np.ndarray
) -> dict[str, np.ndarray]:
    """aggregate_influence for many resamples at once: ``counts`` (draws, rows) says how often each
    row of ``statements`` is in each resample (a row drawn twice counts twice, exactly as two copies
    of it would), so the bootstrap is one array computation instead of a DataFrame per draw."""
    check_option("attributed_influence.aggregation", aggregation)
    counts = np.asarray(counts, dtype=float)
    weights = counts * _type_weights(statements, type_weights).to_numpy(dtype=float)[None, :]
    u = statements["us_strength"].astype(float).to_numpy()
    groups = statements["attributor_type"].astype(str).map(EAR_GROUPS).to_numpy()
    ear = {g: _weighted_means(u, np.where(groups == g, weights, 0.0)) for g in ("ego", "alter", "researcher")}
    if aggregation == "weighted":
        influence = _weighted_means(u, weights)
    elif aggregation == "source_balanced":
        # n_s counts the rows that enter the mean (a covered competing-cause row does not).
        source = pd.factorize(statements["source"])[0]
        entering = np.zeros((len(counts), source.max() + 1 if len(source) else 0))
        for code in range(entering.shape[1]):
            entering[:, code] = (counts[:, source == code] * ~np.isnan(u[source == code])).sum(axis=1)
        # a row without a source belongs to no document, so it enters no mean (as before: grouping
        # by source left it out)
        known = source >= 0
        per_source = np.full(counts.shape, np.nan)
        per_source[:, known] = entering[:, source[known]]
        with np.errstate(invalid="ignore", divide="ignore"):
            influence = _weighted_means(u, np.where(counts > 0, weights / per_source, 0.0))
    elif aggregation == "share":
        strength = statements["strength_value"].astype(float).to_numpy()
        total = (weights * np.nan_to_num(strength)[None, :]).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            influence = np.where(total > 0, (weights * np.nan_to_num(u)[None, :]).sum(axis=1) / total, np.nan)
    else:
        stacked = np.column_stack(list(ear.values()))
        present = ~np.isnan(stacked)
        influence = np.full(len(counts), np.nan)
        for i in np.flatnonzero(present.any(axis=1)):
            influence[i] = np.median(stacked[i][present[i]])
    return {"influence": influence, **ear, "framing_gap": ear["alter"] - ear["ego"]}


def aggregate_influence(
    statements: pd.DataFrame, aggregation: str, type_weights: Mapping[str, float]
) -> dict[str, float]:
    """AI of one round's statements (columns source, attributor_type, strength_value, us_strength).

    weighted: type-weighted mean of u_k. source_balanced: each statement weighs ω_k / n_s, so every
    document carries its mean type weight however many statements it makes. share: US pressure's
    strength-weighted share of all causes' asserted strength (a "none" statement adds nothing to
    either side). ear: median of the ego, alter and researcher means (type-weighted; a perspective
    with no weighted statement is left out of the median); framing gap G = A − E.
    Returns influence, ego, alter, researcher, framing_gap (missing when undefined).
    """
    check_option("attributed_influence.aggregation", aggregation)  # before any data is read
    once = np.ones((1, len(statements)))
    return {
        k: float(v[0])
        for k, v in aggregate_influence_counts(statements, aggregation, type_weights, once).items()
    }


def score_influence(
    attributions: pd.DataFrame,
    rounds: Sequence[Mapping[str, str]],
    aggregation: str,
    type_weights: Mapping[str, float],
    strength_ladder: Mapping[str, float],
    mixed_share: float,
    competing_causes: str,
    general_statements: str = "whole_period",
    bootstrap_draws: int = 0,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """influence.csv (one row per round, then the pooled row `all`) and influence_by_type.csv.

    Statements whose round is empty (about a measure outside every window) count in no round; general
    statements count as ``general_statements`` says (see statements_in_round).
    mean_strength by type is the plain mean of u_k (type weights are constant within a type).
    """
    _require(
        attributions,
        ["attribution_id", "attributor_type", "cause", "strength", "source", "round"],
        "attributions",
    )
    scored = us_pressure_strength(attributions, strength_ladder, mixed_share, competing_causes)
    if "date" in scored:  # the round each statement was made in (statement_date reads it)
        said = pd.to_datetime(scored["date"].astype("string").str.slice(0, 10), errors="coerce")
        scored = scored.assign(said_in_round=[_window_of(d, rounds) for d in said])
    rows, by_type = [], []
    for round_id in [*(w["id"] for w in rounds), ALL_ROUNDS]:
        statements = statements_in_round(scored, round_id, general_statements)
        result = aggregate_influence(statements, aggregation, type_weights)
        low, high = bootstrap_interval(
            statements,
            aggregation,
            type_weights,
            bootstrap_draws,
            np.random.default_rng([int(seed), len(rows)]),
        )
        rows.append(
            {
                "round": round_id,
                "aggregation": aggregation,
                "influence": result["influence"],
                "lower": low,
                "upper": high,
                "n_statements": len(statements),
                "n_sources": statements["source"].nunique(),
                "ego": result["ego"],
                "alter": result["alter"],
                "researcher": result["researcher"],
                "framing_gap": result["framing_gap"],
            }
        )
        for kind in ATTRIBUTOR_TYPES:
            of_type = statements[statements["attributor_type"].astype(str) == kind]
            if len(of_type):
                by_type.append(
                    {
                        "round": round_id,
                        "attributor_type": kind,
                        "mean_strength": float(of_type["us_strength"].mean()),
                        "n_statements": len(of_type),
                    }
                )
    return (pd.DataFrame(rows, columns=INFLUENCE_COLUMNS), pd.DataFrame(by_type, columns=BY_TYPE_COLUMNS))


def bootstrap_interval(
    statements: pd.DataFrame,
    aggregation: str,
    type_weights: Mapping[str, float],
    draws: int,
    rng: np.random.Generator,
) -> tuple[float, float]:
    """5th and 95th percentiles of AI over ``draws`` resamples of the round's statements (with
    replacement; the rows of one statement, one per cause it names, move together). Missing without
    statements or draws."""
    if draws <= 0 or statements.empty:
        return math.nan, math.nan
    keys = ["source", "attributor_type"]
    keys += [c for c in ("section", "paragraph", "attributor") if c in statements]
    # one group per statement (its cause rows move together); the draws are the loop's draws
    group = statements.groupby(keys, sort=True, dropna=False).ngroup().to_numpy()
    n_groups = int(group.max()) + 1
    picks = np.stack(
        [np.bincount(rng.integers(0, n_groups, size=n_groups), minlength=n_groups) for _ in range(int(draws))]
    )
    values = aggregate_influence_counts(statements, aggregation, type_weights, picks[:, group])[
        "influence"
    ].tolist()
    values = [v for v in values if not math.isnan(v)]
    if not values:
        return math.nan, math.nan
    return float(np.percentile(values, 5)), float(np.percentile(values, 95))


def _window_of(date: pd.Timestamp, rounds: Sequence[Mapping[str, str]]) -> str:
    if pd.isna(date):
        return ""
    day = date.strftime("%Y-%m-%d")
    return next((w["id"] for w in rounds if w["start"] <= day <= w["end"]), "")


COMBINE_RULES = options("attributed_influence.combine")


def hse_result_array(pa: np.ndarray) -> np.ndarray:
    """HSE policy result 1–4 from attainment: ≤ 0 failed (1); then thirds of the demanded move (2, 3, 4)."""
    pa = np.asarray(pa, dtype=float)
    return np.where(pa <= 0, 1, np.where(pa < 1 / 3, 2, np.where(pa < 2 / 3, 3, 4)))


def hse_contribution_array(ai: np.ndarray) -> np.ndarray:
    """HSE contribution 1–4 from AI: nearest rung of the ladder (none and minor are both HSE's 2)."""
    ai = np.asarray(ai, dtype=float)
    return np.where(ai < 0, 1, np.where(ai < 0.5, 2, np.where(ai < 5 / 6, 3, 4)))


def hse_result(pa: float) -> int:
    return int(hse_result_array(np.asarray(pa)))


def hse_contribution(ai: float) -> int:
    return int(hse_contribution_array(np.asarray(ai)))


def combined_influence_array(
    pa: np.ndarray, ai: np.ndarray, combine: np.ndarray, ai_threshold: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Combined influence (HSE analogy) and whether it counts as influence, element-wise.

    product: INF = PA × AI, influence when ≥ 0.5. hse_ordinal: result(PA) × contribution(AI) on 1–16,
    influence when ≥ 9 (HSE's success cut). none: AI alone against ai_threshold. Returns (value, passes)
    with passes 1.0 / 0.0, and NaN for both where an input the rule reads is missing. All arguments
    broadcast against each other, so one call scores a whole table of specifications.
    """
    pa, ai, thr = (np.asarray(x, dtype=float) for x in (pa, ai, ai_threshold))
    combine = np.asarray(combine, dtype=object)
    unknown = sorted({str(c) for c in np.unique(combine.astype(str))} - set(COMBINE_RULES))
    if unknown:
        raise ValueError(f"combine: {unknown[0]!r} is not one of {', '.join(COMBINE_RULES)}")
    product, hse = combine == "product", combine == "hse_ordinal"
    value = np.where(product, pa * ai, np.where(hse, hse_result_array(pa) * hse_contribution_array(ai), ai))
    cut = np.where(product, 0.5, np.where(hse, 9.0, thr))
    missing = np.isnan(ai) | (~(combine == "none") & np.isnan(pa))
    value = np.where(missing, np.nan, value).astype(float)
    passes = np.where(missing, np.nan, (value >= cut).astype(float))
    return value, passes


def combined_influence(pa: float, ai: float, combine: str, ai_threshold: float) -> tuple[float, bool | None]:
    """combined_influence_array for one round: (value, passes) with passes None when an input is missing."""
    value, passes = combined_influence_array(
        np.asarray(math.nan if pa is None else pa),
        np.asarray(math.nan if ai is None else ai),
        np.asarray(combine, dtype=object),
        np.asarray(ai_threshold),
    )
    return float(value), None if np.isnan(passes) else bool(passes)
