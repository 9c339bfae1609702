"""Attributed influence of US pressure per round (methods §2) and its combination with attainment."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.registry import check_option

INFLUENCE_COLUMNS = [
    "round",
    "aggregation",
    "influence",
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
        "The weighted mean strength of US pressure over all statements, each attributor type "
        "weighted.",
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
        "The ordinal variant scores result and contribution on four-step ladders and multiplies "
        "them.",
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


def statements_in_round(scored: pd.DataFrame, round_id: str) -> pd.DataFrame:
    """The statements that count in a round: those about its measures plus the general (`all`) ones."""
    rounds = scored["round"].astype("string").fillna("")
    return scored[(rounds == round_id) | (rounds == "all")]


def _type_weights(statements: pd.DataFrame, type_weights: Mapping[str, float]) -> pd.Series:
    unknown = sorted(set(statements["attributor_type"].astype(str)) - set(type_weights))
    if unknown:
        raise ValueError(f"attributions column 'attributor_type': no type weight for {unknown}")
    return statements["attributor_type"].astype(str).map(type_weights).astype(float)


def _weighted_mean(values: pd.Series, weights: pd.Series) -> float:
    keep = values.notna() & (weights > 0)
    total = float(weights[keep].sum())
    return float((values[keep] * weights[keep]).sum() / total) if total > 0 else math.nan


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
    check_option("attributed_influence.aggregation", aggregation)
    weights = _type_weights(statements, type_weights)
    u = statements["us_strength"].astype(float)
    groups = statements["attributor_type"].astype(str).map(EAR_GROUPS)
    ear = {g: _weighted_mean(u[groups == g], weights[groups == g]) for g in ("ego", "alter", "researcher")}
    if aggregation == "weighted":
        influence = _weighted_mean(u, weights)
    elif aggregation == "source_balanced":
        # n_s counts the rows that enter the mean (a covered competing-cause row does not).
        per_source = u.notna().groupby(statements["source"]).transform("sum").astype(float)
        influence = _weighted_mean(u, weights / per_source)
    elif aggregation == "share":
        total = float((weights * statements["strength_value"].astype(float)).sum())
        influence = float((weights * u.fillna(0.0)).sum() / total) if total > 0 else math.nan
    else:
        present = [v for v in ear.values() if not math.isnan(v)]
        influence = float(np.median(present)) if present else math.nan
    return {"influence": influence, **ear, "framing_gap": ear["alter"] - ear["ego"]}


def score_influence(
    attributions: pd.DataFrame,
    rounds: Sequence[Mapping[str, str]],
    aggregation: str,
    type_weights: Mapping[str, float],
    strength_ladder: Mapping[str, float],
    mixed_share: float,
    competing_causes: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """influence.csv (one row per round) and influence_by_type.csv (round × attributor type).

    Statements whose round is empty (about a measure outside every window) count in no round.
    mean_strength by type is the plain mean of u_k (type weights are constant within a type).
    """
    _require(
        attributions,
        ["attribution_id", "attributor_type", "cause", "strength", "source", "round"],
        "attributions",
    )
    scored = us_pressure_strength(attributions, strength_ladder, mixed_share, competing_causes)
    rows, by_type = [], []
    for window in rounds:
        round_id = window["id"]
        statements = statements_in_round(scored, round_id)
        result = aggregate_influence(statements, aggregation, type_weights)
        rows.append(
            {
                "round": round_id,
                "aggregation": aggregation,
                "influence": result["influence"],
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


def hse_result(pa: float) -> int:
    """HSE policy result 1–4 from attainment: ≤ 0 failed (1); then thirds of the demanded move (2, 3, 4)."""
    if pa <= 0:
        return 1
    return 2 if pa < 1 / 3 else 3 if pa < 2 / 3 else 4


def hse_contribution(ai: float) -> int:
    """HSE contribution 1–4 from AI: nearest rung of the ladder (none and minor are both HSE's 2)."""
    if ai < 0:
        return 1
    return 2 if ai < 0.5 else 3 if ai < 5 / 6 else 4


def combined_influence(pa: float, ai: float, combine: str, ai_threshold: float) -> tuple[float, bool | None]:
    """Combined influence (HSE analogy) and whether it counts as influence.

    product: INF = PA × AI, influence when ≥ 0.5. hse_ordinal: result(PA) × contribution(AI) on 1–16,
    influence when ≥ 9 (HSE's success cut). none: AI alone against ai_threshold. None when an input is
    missing.
    """
    check_option("attributed_influence.combine", combine)
    if ai is None or math.isnan(ai) or (combine != "none" and (pa is None or math.isnan(pa))):
        return math.nan, None
    if combine == "product":
        value = pa * ai
        return value, value >= 0.5
    if combine == "hse_ordinal":
        value = float(hse_result(pa) * hse_contribution(ai))
        return value, value >= 9
    return ai, ai >= ai_threshold
