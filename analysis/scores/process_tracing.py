"""Process tracing: Bayesian updating or Collier's test logic per hypothesis and round (methods §3)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.registry import check_option

WEIGHT_COLUMNS = [
    "evidence_id",
    "hypothesis",
    "round",
    "test_type",
    "outcome",
    "predicted_by",
    "reliability",
    "cluster",
    "p_h",
    "p_noth",
    "log_lr",
    "weight_db",
    "counted",
]
# The likelihood profiles whose posteriors bound the posterior's range (custom reads per-item values).
RANGE_PROFILES = ("weak", "moderate", "strong")
POSTERIOR_COLUMNS = [
    "hypothesis",
    "round",
    "prior",
    "log_odds",
    "posterior",
    "posterior_low",
    "posterior_high",
    "verdict",
    "n_items",
    "n_counted",
    "mode",
    "collier_verdict",
]
TEST_TYPES = ["straw_in_the_wind", "hoop", "smoking_gun", "doubly_decisive"]
# not_sought is accepted defensively: an absence nobody looked for carries no weight.
OUTCOMES = {"found", "sought_not_found", "not_sought"}
# A probability of exactly 0 or 1 would let one item settle a hypothesis beyond any later evidence.
PROBABILITY_FLOOR = 1e-6
COLLIER_TO_VERDICT = {
    "confirmed": "supported",
    "eliminated": "rejected",
    "strengthened": "indeterminate",
    "weakened": "indeterminate",
    "contradictory": "indeterminate",
    "inconclusive": "indeterminate",
}

FORMULAS = {
    "reliability_mixture": r"p'_H = \rho\, p_H + (1-\rho)\, c, \quad "
    r"p'_{\neg H} = \rho\, p_{\neg H} + (1-\rho)\, c",
    "likelihood_ratio": r"LR_i = \begin{cases} p'_H / p'_{\neg H} & \text{if found} \\ "
    r"(1-p'_H)/(1-p'_{\neg H}) & \text{if sought, not found} \end{cases}",
    "log_lr": r"\ell_i = s\,\kappa_i \ln LR_i,\quad s = \text{weak scale (weak profile) else } 1,"
    r"\ \kappa_i = \rho_i \text{ (tempering) else } 1",
    "weight_db": r"\mathrm{WoE}_i = 10 \log_{10} LR_i = \frac{10}{\ln 10}\,\ell_i",
    "posterior": r"L = \ln\frac{p_0}{1-p_0} + \sum_{i\ \text{counted}} \ell_i, \quad "
    r"P(H \mid E) = \frac{1}{1+e^{-L}}",
    "cluster_max": r"\ell_C = \ell_{i^*},\ i^* = \arg\max_{i \in C} |\ell_i|",
    "cluster_mean": r"\ell_C = \frac{1}{|C|}\sum_{i \in C} \ell_i",
}

# What each formula measures and why, in words: a label and one sentence (the report shows them
# beside FORMULAS, key for key).
DESCRIPTIONS = {
    "reliability_mixture": (
        "Reliability of a report",
        "A report from a less reliable source is treated as partly noise, which pulls its "
        "likelihoods towards each other.",
    ),
    "likelihood_ratio": (
        "Likelihood ratio",
        "How much more likely the observation (or its absence, when it was sought and not found) is"
        " if the hypothesis is true than if it is false.",
    ),
    "log_lr": (
        "Log likelihood ratio",
        "The ratio on a log scale, optionally scaled for the weak profile or tempered by reliability.",
    ),
    "weight_db": (
        "Weight of evidence",
        "The same quantity in decibans, the unit the figures use: positive favours the hypothesis, "
        "ten decibans is a tenfold shift in odds.",
    ),
    "posterior": (
        "Posterior probability",
        "The prior odds updated by the sum of the counted items' log ratios, turned back into a probability.",
    ),
    "cluster_max": (
        "Dependent items (strongest counts)",
        "Items that rest on the same source or event count once, by their strongest item, so "
        "repetition is not taken for corroboration.",
    ),
    "cluster_mean": (
        "Dependent items (mean)",
        "The alternative rule averages a cluster's items.",
    ),
}


def likelihood_pair(
    test_type: str,
    lr_profile: str,
    profiles: Mapping[str, Any],
    custom_p_h: float | None = None,
    custom_p_noth: float | None = None,
) -> tuple[float, float]:
    """(P(E|H), P(E|¬H)) of an item before the reliability model.

    moderate / strong read the named profile by test type; weak reads the moderate pair (its log-LR
    is scaled later, in item_log_lr); custom takes the item's own p_h and p_noth, falling back to the
    moderate pair when either is empty (as the codebook says).
    """
    if test_type not in TEST_TYPES:
        raise ValueError(
            f"evidence column 'test_type': unknown value {test_type!r}; expected one of {TEST_TYPES}"
        )
    check_option("process_tracing.lr_profile", lr_profile)
    if lr_profile == "custom" and not _missing(custom_p_h) and not _missing(custom_p_noth):
        return float(custom_p_h), float(custom_p_noth)
    name = "strong" if lr_profile == "strong" else "moderate"
    pair = profiles[name][test_type]
    return float(pair["p_h"]), float(pair["p_noth"])


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def apply_reliability(
    p_h: float, p_noth: float, reliability: float, model: str, c: float
) -> tuple[float, float]:
    """Reliability model on the probabilities: mixture p' = ρp + (1−ρ)c; tempering and none leave them."""
    check_option("process_tracing.reliability_model", model)
    if not 0 <= reliability <= 1:
        raise ValueError(f"evidence column 'reliability': {reliability!r} is outside [0, 1]")
    if model == "mixture":
        return reliability * p_h + (1 - reliability) * c, reliability * p_noth + (1 - reliability) * c
    return p_h, p_noth


def item_log_lr(
    p_h: float,
    p_noth: float,
    outcome: str,
    predicted_by: str,
    reliability: float,
    reliability_model: str,
    scale: float,
) -> float:
    """Natural log-LR of one item for H.

    found → p_h/p_noth; sought_not_found → (1−p_h)/(1−p_noth); not_sought → 0. An item the rival
    predicts has the roles swapped (its LR for H is the inverse). tempering multiplies the log-LR by ρ;
    ``scale`` (the weak profile's factor, else 1) multiplies it too.
    """
    if outcome not in OUTCOMES:
        raise ValueError(
            f"evidence column 'outcome': unknown value {outcome!r}; expected one of {sorted(OUTCOMES)}"
        )
    if predicted_by not in {"H", "rival"}:
        raise ValueError(
            f"evidence column 'predicted_by': unknown value {predicted_by!r}; expected H or rival"
        )
    if outcome == "not_sought":
        return 0.0
    p_h, p_noth = (min(max(p, PROBABILITY_FLOOR), 1 - PROBABILITY_FLOOR) for p in (p_h, p_noth))
    log_lr = math.log(p_h / p_noth) if outcome == "found" else math.log((1 - p_h) / (1 - p_noth))
    if predicted_by == "rival":
        log_lr = -log_lr
    if reliability_model == "tempering":
        log_lr *= reliability
    return log_lr * scale


def evidence_weights(evidence: pd.DataFrame, choices: Mapping[str, Any]) -> pd.DataFrame:
    """One row per item: probabilities after the reliability model, log-LR, decibels; counted per round.

    ``choices`` is the process_tracing config section. For a rival-predicted item p_h and p_noth are
    the profile's pair swapped (P(E|H) is then the profile's P(E|rival)); custom per-item values are
    already stated for H and are not swapped. ``counted`` applies the dependence rule within the
    item's hypothesis × round.
    """
    return _sorted_weights(_weight_rows(_evidence_records(evidence), choices))[0]


def _evidence_records(evidence: pd.DataFrame) -> list[dict[str, Any]]:
    required = WEIGHT_COLUMNS[: WEIGHT_COLUMNS.index("cluster") + 1]  # the coded columns, up to `cluster`
    missing = [c for c in required if c not in evidence.columns]
    if missing:
        raise ValueError(f"evidence: missing column(s) {', '.join(missing)}")
    return evidence.to_dict("records")


def _sorted_weights(rows: list[dict[str, Any]]) -> tuple[pd.DataFrame, list[int]]:
    """evidence_weights.csv's table of ``rows``, and the order it put them in (row positions)."""
    table = pd.DataFrame(rows, columns=WEIGHT_COLUMNS)
    table = table.sort_values(["hypothesis", "round", "evidence_id"], kind="stable")
    return table.reset_index(drop=True), table.index.tolist()


def _weight_rows(evidence: list[dict[str, Any]], choices: Mapping[str, Any]) -> list[dict[str, Any]]:
    """evidence_weights' rows, in the evidence's order."""
    scale = float(choices["weak_scale"]) if choices["lr_profile"] == "weak" else 1.0
    rows = []
    for item in evidence:
        custom = (
            choices["lr_profile"] == "custom"
            and not _missing(item.get("p_h"))
            and not _missing(item.get("p_noth"))
        )
        p_h, p_noth = likelihood_pair(
            item["test_type"], choices["lr_profile"], choices["profiles"], item.get("p_h"), item.get("p_noth")
        )
        if item["predicted_by"] not in {"H", "rival"}:
            raise ValueError(
                f"evidence column 'predicted_by': unknown value {item['predicted_by']!r} "
                f"({item['evidence_id']}); expected H or rival"
            )
        if item["predicted_by"] == "rival" and not custom:
            p_h, p_noth = p_noth, p_h
        p_h, p_noth = apply_reliability(
            p_h,
            p_noth,
            float(item["reliability"]),
            choices["reliability_model"],
            float(choices["uninformative_report_probability"]),
        )
        # The swap is done on the probabilities already, so the LR below is taken as H-predicted.
        log_lr = item_log_lr(
            p_h, p_noth, item["outcome"], "H", float(item["reliability"]), choices["reliability_model"], scale
        )
        round_id = "" if _missing(item["round"]) else str(item["round"])
        rows.append(
            {
                "evidence_id": item["evidence_id"],
                "hypothesis": item["hypothesis"],
                "round": round_id,
                "test_type": item["test_type"],
                "outcome": item["outcome"],
                "predicted_by": item["predicted_by"],
                "reliability": float(item["reliability"]),
                "cluster": item["cluster"],
                "p_h": p_h,
                "p_noth": p_noth,
                "log_lr": log_lr,
                "weight_db": 10 * log_lr / math.log(10),
                "counted": item["outcome"] != "not_sought",
            }
        )
    groups: dict[tuple[Any, str], list[dict[str, Any]]] = {}
    for row in rows:
        if not _missing(row["hypothesis"]):  # as a groupby would, leave an item without one as it is
            groups.setdefault((row["hypothesis"], row["round"]), []).append(row)
    for group in groups.values():
        for row, counted in zip(group, _counted_flags(group, choices["dependence"]), strict=True):
            row["counted"] = counted
    return rows


def counted_items(items: pd.DataFrame, dependence: str) -> pd.Series:
    """Which items count: cluster_max keeps each cluster's largest |log-LR| (ties: first evidence_id)."""
    return pd.Series(_counted_flags(items.to_dict("records"), dependence), index=items.index, dtype=bool)


def _counted_flags(items: Sequence[Mapping[str, Any]], dependence: str) -> list[bool]:
    """counted_items on plain records, in their order. The multiverse and the property tests score a
    handful of items thousands of times, where each pandas operation costs more than the work."""
    check_option("process_tracing.dependence", dependence)
    counted = [item["outcome"] != "not_sought" for item in items]
    if dependence != "cluster_max":
        return counted
    # An item without a cluster belongs to none, so it is never kept; a NaN log-LR ranks last.
    best: dict[Any, tuple[tuple[bool, float, str], int]] = {}
    for position, (item, is_counted) in enumerate(zip(items, counted, strict=True)):
        cluster = item["cluster"]
        if not is_counted or _missing(cluster):
            continue
        size = abs(float(item["log_lr"]))
        unsized = math.isnan(size)
        rank = (unsized, 0.0 if unsized else -size, str(item["evidence_id"]))
        if cluster not in best or rank < best[cluster][0]:  # ties: the first row keeps it
            best[cluster] = (rank, position)
    keep = [False] * len(items)
    for _, position in best.values():
        keep[position] = True
    return keep


def combined_log_lr(items: pd.DataFrame, dependence: str) -> float:
    """Σ of the items' log-LRs under the dependence rule (cluster_mean: each cluster's mean)."""
    return _combined(items.to_dict("records"), dependence)


def _combined(items: Sequence[Mapping[str, Any]], dependence: str) -> float:
    """combined_log_lr on plain records (numpy's sum, as a pandas column sums, so the same bits)."""
    counted = [item for item, keep in zip(items, _counted_flags(items, dependence), strict=True) if keep]
    if dependence == "cluster_mean":
        if not counted:
            return 0.0
        # pandas' grouped mean, as before: its summation order is its own (the same bits need it)
        frame = pd.DataFrame(
            {
                "cluster": [item["cluster"] for item in counted],
                "log_lr": pd.Series([item["log_lr"] for item in counted], dtype=float),
            }
        )
        return float(frame.groupby("cluster")["log_lr"].mean().sum())
    return float(np.nansum(np.array([item["log_lr"] for item in counted], dtype=float)))


def posterior_from_log_odds(prior: float, log_lr_sum: float) -> tuple[float, float]:
    """(log posterior odds, posterior): L = logit(p0) + Σ ℓ, P = 1/(1+e^(−L))."""
    if not 0 < prior < 1:
        raise ValueError(f"prior: {prior!r} must lie strictly between 0 and 1")
    log_odds = math.log(prior / (1 - prior)) + log_lr_sum
    return log_odds, float(1 / (1 + np.exp(-log_odds)))


def bayes_verdict(posterior: float, thresholds: Mapping[str, float]) -> str:
    """supported at or above the supported threshold, rejected at or below the rejected one."""
    if posterior >= thresholds["supported"]:
        return "supported"
    if posterior <= thresholds["rejected"]:
        return "rejected"
    return "indeterminate"


def collier_effect(test_type: str, outcome: str, predicted_by: str, reliable: bool) -> str:
    """What one item does to H under Collier's test logic.

    For H's own tests: a passed smoking gun or doubly decisive test confirms, a failed hoop or doubly
    decisive test eliminates, straws and the other cells strengthen or weaken. A rival's test mirrors
    this (rival = ¬H): the rival's passed smoking gun / doubly decisive eliminates H, its failed hoop /
    doubly decisive confirms H. Only a reliable item can confirm or eliminate; otherwise the effect
    degrades to strengthened / weakened.
    """
    if outcome == "not_sought":
        return "none"
    passed = outcome == "found"
    if test_type == "doubly_decisive":
        effect = "confirmed" if passed else "eliminated"
    elif test_type == "smoking_gun":
        effect = "confirmed" if passed else "weakened"
    elif test_type == "hoop":
        effect = "strengthened" if passed else "eliminated"
    else:
        effect = "strengthened" if passed else "weakened"
    if predicted_by == "rival":
        effect = {
            "confirmed": "eliminated",
            "eliminated": "confirmed",
            "strengthened": "weakened",
            "weakened": "strengthened",
        }[effect]
    if not reliable:
        effect = {"confirmed": "strengthened", "eliminated": "weakened"}.get(effect, effect)
    return effect


def collier_verdict(items: pd.DataFrame, min_reliability: float) -> str:
    """Collier verdict of a set of counted items.

    contradictory when something confirms and something eliminates; else eliminated / confirmed;
    else by net straws (strengthened minus weakened): strengthened, weakened, or inconclusive at zero.
    """
    return _collier(items.to_dict("records"), min_reliability)


def _collier(items: Sequence[Mapping[str, Any]], min_reliability: float) -> str:
    effects = [
        collier_effect(r["test_type"], r["outcome"], r["predicted_by"], r["reliability"] >= min_reliability)
        for r in items
    ]
    if "confirmed" in effects and "eliminated" in effects:
        return "contradictory"
    if "eliminated" in effects:
        return "eliminated"
    if "confirmed" in effects:
        return "confirmed"
    net = effects.count("strengthened") - effects.count("weakened")
    return "strengthened" if net > 0 else "weakened" if net < 0 else "inconclusive"


def _cells(items: list[dict[str, Any]]) -> Callable[[str, str], list[dict[str, Any]]]:
    """The items of one hypothesis in one round (`all`: every round), in the order given."""
    by_hypothesis: dict[Any, list[dict[str, Any]]] = {}
    by_cell: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    for item in items:
        by_hypothesis.setdefault(item["hypothesis"], []).append(item)
        by_cell.setdefault((item["hypothesis"], item["round"]), []).append(item)

    def cell(hypothesis: str, round_id: str) -> list[dict[str, Any]]:
        if round_id == "all":
            return by_hypothesis.get(hypothesis, [])
        return by_cell.get((hypothesis, round_id), [])

    return cell


def score_process_tracing(
    evidence: pd.DataFrame,
    rounds: Sequence[Mapping[str, str]],
    choices: Mapping[str, Any],
    hypotheses: Sequence[str] = ("HP1", "HP2", "HP3"),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """evidence_weights.csv and posteriors.csv (hypothesis × each round and `all`).

    `all` pools every item of the hypothesis (including items outside every round), with the dependence
    rule applied across the pooled items. Under mode collier the verdict column carries the Collier
    verdict mapped onto supported (confirmed) / rejected (eliminated) / indeterminate (the rest), and
    collier_verdict the Collier label; the posterior is computed either way.
    """
    check_option("process_tracing.mode", choices["mode"])
    unknown = (
        sorted(set(evidence["hypothesis"].astype(str)) - set(hypotheses)) if "hypothesis" in evidence else []
    )
    if unknown:
        raise ValueError(f"evidence column 'hypothesis': unknown value(s) {unknown}")
    records = _evidence_records(evidence)
    weight_rows = _weight_rows(records, choices)
    weights, order = _sorted_weights(weight_rows)
    # The posterior's range over the likelihood profiles (weak, moderate, strong): how far it depends
    # on how strongly each test type is read, the uncertainty the profiles encode. Their tables hold
    # the same items, sorted alike, so they are kept as rows in the order of the table in force.
    spread = {name: _weight_rows(records, {**choices, "lr_profile": name}) for name in RANGE_PROFILES}
    # each table split once into its hypothesis × round cells (table order kept), not filtered per cell
    cells = {name: _cells([rows[i] for i in order]) for name, rows in {"": weight_rows, **spread}.items()}
    prior, dependence = float(choices["prior"]), choices["dependence"]
    rows = []
    for hypothesis in hypotheses:
        for round_id in [w["id"] for w in rounds] + ["all"]:
            items = cells[""](hypothesis, round_id)
            log_odds, posterior = posterior_from_log_odds(prior, _combined(items, dependence))
            flags = _counted_flags(items, dependence)
            counted = [item for item, keep in zip(items, flags, strict=True) if keep]
            others = [
                posterior_from_log_odds(prior, _combined(cells[name](hypothesis, round_id), dependence))[1]
                for name in spread
            ]
            collier = _collier(counted, float(choices["collier_min_reliability"]))
            verdict = (
                bayes_verdict(posterior, choices["thresholds"])
                if choices["mode"] == "bayesian"
                else COLLIER_TO_VERDICT[collier]
            )
            rows.append(
                {
                    "hypothesis": hypothesis,
                    "round": round_id,
                    "prior": float(choices["prior"]),
                    "log_odds": log_odds,
                    "posterior": posterior,
                    "posterior_low": min(others),
                    "posterior_high": max(others),
                    "verdict": verdict,
                    "n_items": len(items),
                    "n_counted": len(counted),
                    "mode": choices["mode"],
                    "collier_verdict": collier,
                }
            )
    return weights, pd.DataFrame(rows, columns=POSTERIOR_COLUMNS)
