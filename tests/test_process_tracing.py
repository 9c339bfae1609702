"""Process tracing: hand-worked likelihood ratios and posteriors, dependence, Collier logic, properties."""

from __future__ import annotations

import copy
import math
import random
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from analysis.scores.process_tracing import (
    collier_verdict,
    counted_items,
    evidence_weights,
    score_process_tracing,
)

PROFILES = {
    "moderate": {
        "straw_in_the_wind": {"p_h": 0.60, "p_noth": 0.40},
        "hoop": {"p_h": 0.95, "p_noth": 0.50},
        "smoking_gun": {"p_h": 0.40, "p_noth": 0.04},
        "doubly_decisive": {"p_h": 0.90, "p_noth": 0.05},
    },
    "strong": {
        "straw_in_the_wind": {"p_h": 0.80, "p_noth": 0.20},
        "hoop": {"p_h": 0.99, "p_noth": 0.40},
        "smoking_gun": {"p_h": 0.30, "p_noth": 0.01},
        "doubly_decisive": {"p_h": 0.95, "p_noth": 0.01},
    },
}
ROUNDS = [{"id": "R1"}, {"id": "R2"}]
COLUMNS = [
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
]


def choices(**overrides) -> dict:
    base = {
        "mode": "bayesian",
        "lr_profile": "moderate",
        "profiles": PROFILES,
        "weak_scale": 0.5,
        "prior": 0.5,
        "thresholds": {"supported": 0.75, "rejected": 0.25},
        "dependence": "independent",
        "reliability_model": "none",
        "uninformative_report_probability": 0.5,
        "collier_min_reliability": 0.5,
    }
    return base | overrides


def item(
    i: int,
    test_type: str,
    outcome: str = "found",
    predicted_by: str = "H",
    reliability: float = 1.0,
    cluster: str | None = None,
    round_id: str = "R1",
    hypothesis: str = "HP1",
    p_h=None,
    p_noth=None,
) -> dict:
    return {
        "evidence_id": f"EV-{i:03d}",
        "hypothesis": hypothesis,
        "round": round_id,
        "test_type": test_type,
        "outcome": outcome,
        "predicted_by": predicted_by,
        "reliability": reliability,
        "cluster": cluster or f"C{i}",
        "p_h": p_h,
        "p_noth": p_noth,
    }


def lr_of(one: dict, **overrides) -> float:
    return math.exp(evidence_weights(pd.DataFrame([one]), choices(**overrides))["log_lr"].iloc[0])


def posterior(items: list[dict], round_id: str = "R1", hypothesis: str = "HP1", **overrides) -> pd.Series:
    _, table = score_process_tracing(pd.DataFrame(items, columns=COLUMNS), ROUNDS, choices(**overrides))
    return table[(table["hypothesis"] == hypothesis) & (table["round"] == round_id)].iloc[0]


def test_likelihood_ratios_by_hand():
    assert lr_of(item(1, "hoop")) == pytest.approx(0.95 / 0.50)  # 1.9
    assert lr_of(item(1, "hoop", "sought_not_found")) == pytest.approx(0.05 / 0.50)  # 0.1 → −10 dB
    assert lr_of(item(1, "smoking_gun", predicted_by="rival")) == pytest.approx(0.04 / 0.40)  # inverted
    assert lr_of(item(1, "doubly_decisive"), lr_profile="strong") == pytest.approx(0.95 / 0.01)
    # weak: the moderate log-LR halved → √1.5.
    assert lr_of(item(1, "straw_in_the_wind"), lr_profile="weak") == pytest.approx(1.5**0.5)


def test_weight_in_decibels():
    weights = evidence_weights(pd.DataFrame([item(1, "hoop", "sought_not_found")]), choices())
    assert weights["weight_db"].iloc[0] == pytest.approx(-10.0)  # 10·log10(0.1)


def test_reliability_models():
    # mixture, ρ 0.8, c 0.5: p'_H = 0.8·0.4 + 0.2·0.5 = 0.42; p'_¬H = 0.8·0.04 + 0.1 = 0.132.
    weights = evidence_weights(
        pd.DataFrame([item(1, "smoking_gun", reliability=0.8)]), choices(reliability_model="mixture")
    )
    assert weights[["p_h", "p_noth"]].iloc[0].tolist() == pytest.approx([0.42, 0.132])
    assert math.exp(weights["log_lr"].iloc[0]) == pytest.approx(0.42 / 0.132)
    # tempering, ρ 0.5: LR 10 → 10^0.5.
    assert lr_of(item(1, "smoking_gun", reliability=0.5), reliability_model="tempering") == pytest.approx(
        10**0.5
    )
    # A source of reliability 0 under the mixture model is pure noise: LR 1.
    assert lr_of(item(1, "doubly_decisive", reliability=0.0), reliability_model="mixture") == pytest.approx(1)


def test_custom_profile_and_fallback():
    assert lr_of(item(1, "hoop", p_h=0.7, p_noth=0.2), lr_profile="custom") == pytest.approx(3.5)
    # custom values are stated for H: a rival-predicted item keeps them as they are.
    assert lr_of(
        item(1, "hoop", predicted_by="rival", p_h=0.7, p_noth=0.2), lr_profile="custom"
    ) == pytest.approx(3.5)
    # Empty custom values fall back to the moderate pair of the test type.
    assert lr_of(item(1, "hoop"), lr_profile="custom") == pytest.approx(1.9)


def test_posterior_by_hand():
    # Prior odds 1; LRs 10 (smoking gun) and 1.5 (straw) → odds 15 → 15/16.
    row = posterior([item(1, "smoking_gun"), item(2, "straw_in_the_wind")])
    assert row["posterior"] == pytest.approx(15 / 16)
    assert row["log_odds"] == pytest.approx(math.log(15))
    assert row["verdict"] == "supported"
    assert (row["n_items"], row["n_counted"]) == (2, 2)
    # Prior 0.2 → odds 0.25; one failed hoop (0.1) → 0.025 → 0.025/1.025.
    row = posterior([item(1, "hoop", "sought_not_found")], prior=0.2)
    assert row["posterior"] == pytest.approx(0.025 / 1.025)
    assert row["verdict"] == "rejected"


def test_dependence_rules():
    items = [item(1, "smoking_gun", cluster="X"), item(2, "straw_in_the_wind", cluster="X")]
    # cluster_max: only the LR 10 item counts → 10/11.
    row = posterior(items, dependence="cluster_max")
    assert row["posterior"] == pytest.approx(10 / 11)
    assert row["n_counted"] == 1
    # cluster_mean: exp(mean(ln 10, ln 1.5)) = √15 → √15/(1 + √15).
    assert posterior(items, dependence="cluster_mean")["posterior"] == pytest.approx(15**0.5 / (1 + 15**0.5))
    weights = evidence_weights(pd.DataFrame(items), choices(dependence="cluster_max"))
    assert weights.set_index("evidence_id")["counted"].to_dict() == {"EV-001": True, "EV-002": False}


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["EV-1", "EV-2", "EV-10", "ev-3"]),  # repeats: ties on the id too
            st.sampled_from(["found", "sought_not_found", "not_sought"]),
            st.sampled_from(["A", "B", "", None]),
            st.sampled_from([0.0, 0.5, -0.5, 2.3, -2.3, math.nan]),
        ),
        max_size=10,
    ),
    labels=st.randoms(use_true_random=False),
)
@example(rows=[("EV-1", "found", "A", math.nan), ("EV-2", "found", "A", 0.0)], labels=random.Random(0))
def test_cluster_max_keeps_each_clusters_strongest_item(rows, labels):
    """Per cluster, the sought item with the largest |log-LR| counts (a NaN last; ties: the smallest
    evidence_id, then the first row); an item without a cluster never counts. Row labels in any order."""
    index = labels.sample(range(100), len(rows))
    items = pd.DataFrame(rows, columns=["evidence_id", "outcome", "cluster", "log_lr"], index=index)
    expected = set()
    for cluster in {c for _, outcome, c, _ in rows if c is not None and outcome != "not_sought"}:
        members = [
            (math.isnan(lr), -abs(lr) if not math.isnan(lr) else 0.0, eid, position)
            for position, (eid, outcome, c, lr) in enumerate(rows)
            if c == cluster and outcome != "not_sought"
        ]
        expected.add(index[min(members)[3]])
    kept = counted_items(items, "cluster_max")
    assert set(kept[kept].index) == expected


def test_all_pools_rounds_and_empty_rounds_keep_the_prior():
    items = [item(1, "smoking_gun", round_id="R1"), item(2, "smoking_gun", round_id="R2")]
    # all: 10 · 10 = 100 → 100/101; R2 of HP2 has no items → the prior, indeterminate.
    assert posterior(items, round_id="all")["posterior"] == pytest.approx(100 / 101)
    for round_id in ("R1", "R2"):  # each round holds its own item only: 10 → 10/11
        own = posterior(items, round_id=round_id)
        assert own["posterior"] == pytest.approx(10 / 11) and own["n_items"] == 1
    empty = posterior(items, round_id="R2", hypothesis="HP2")
    assert empty["posterior"] == pytest.approx(0.5) and empty["verdict"] == "indeterminate"
    assert empty["n_items"] == 0


def test_collier_logic():
    def verdict(items: list[dict]) -> str:
        return collier_verdict(pd.DataFrame(items), 0.5)

    assert verdict([item(1, "hoop", "sought_not_found")]) == "eliminated"
    assert verdict([item(1, "smoking_gun")]) == "confirmed"
    assert verdict([item(1, "smoking_gun"), item(2, "hoop", "sought_not_found")]) == "contradictory"
    # An unreliable failed doubly decisive test only weakens.
    assert verdict([item(1, "doubly_decisive", "sought_not_found", reliability=0.3)]) == "weakened"
    # A rival's passed smoking gun eliminates H; a rival's failed hoop confirms it.
    assert verdict([item(1, "smoking_gun", predicted_by="rival")]) == "eliminated"
    assert verdict([item(1, "hoop", "sought_not_found", predicted_by="rival")]) == "confirmed"
    # Straws: two pass, one fails → net +1.
    assert (
        verdict(
            [
                item(1, "straw_in_the_wind"),
                item(2, "straw_in_the_wind"),
                item(3, "straw_in_the_wind", "sought_not_found"),
            ]
        )
        == "strengthened"
    )
    assert verdict([]) == "inconclusive"


def test_collier_mode_maps_onto_verdicts():
    row = posterior(
        [item(1, "hoop", "sought_not_found"), item(2, "smoking_gun", cluster="Y")], mode="collier"
    )
    assert (row["collier_verdict"], row["verdict"], row["mode"]) == (
        "contradictory",
        "indeterminate",
        "collier",
    )
    row = posterior([item(1, "hoop", "sought_not_found")], mode="collier")
    assert (row["collier_verdict"], row["verdict"]) == ("eliminated", "rejected")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("test_type", "litmus", "test_type"),
        ("outcome", "maybe", "outcome"),
        ("predicted_by", "both", "predicted_by"),
        ("reliability", 1.5, "reliability"),
        ("hypothesis", "HP9", "hypothesis"),
    ],
)
def test_bad_values_are_named(field, value, message):
    with pytest.raises(ValueError, match=message):
        score_process_tracing(pd.DataFrame([item(1, "hoop") | {field: value}]), ROUNDS, choices())


def test_missing_column_and_bad_options():
    with pytest.raises(ValueError, match="cluster"):
        evidence_weights(pd.DataFrame([item(1, "hoop")]).drop(columns="cluster"), choices())
    with pytest.raises(ValueError, match="dependence"):
        score_process_tracing(pd.DataFrame([item(1, "hoop")]), ROUNDS, choices(dependence="pairs"))
    with pytest.raises(ValueError, match="prior"):
        score_process_tracing(pd.DataFrame([item(1, "hoop")]), ROUNDS, choices(prior=1.0))


# ── Properties ───────────────────────────────────────────────────────────────────────────────
test_types = st.sampled_from(["straw_in_the_wind", "hoop", "smoking_gun", "doubly_decisive"])
items_strategy = st.lists(
    st.tuples(
        test_types,
        st.sampled_from(["found", "sought_not_found"]),
        st.sampled_from(["H", "rival"]),
        st.floats(0, 1),
        st.sampled_from(["A", "B", "C"]),
    ),
    min_size=0,
    max_size=6,
)
option = st.fixed_dictionaries(
    {
        "lr_profile": st.sampled_from(["moderate", "strong", "weak"]),
        "reliability_model": st.sampled_from(["mixture", "tempering", "none"]),
        "prior": st.floats(0.05, 0.95),
    }
)


def build(raw: list[tuple]) -> list[dict]:
    return [item(i, t, o, p, r, cluster=c) for i, (t, o, p, r, c) in enumerate(raw)]


@settings(max_examples=80, deadline=None)
@given(
    raw=items_strategy,
    opts=option,
    dependence=st.sampled_from(["independent", "cluster_max", "cluster_mean"]),
)
def test_posterior_strictly_between_zero_and_one(raw, opts, dependence):
    value = posterior(build(raw), dependence=dependence, **opts)["posterior"]
    assert 0 < value < 1


@settings(max_examples=80, deadline=None)
@given(
    raw=items_strategy,
    opts=option,
    reliability=st.floats(0, 1),
    dependence=st.sampled_from(["independent", "cluster_max"]),
    cluster=st.sampled_from(["A", "new"]),
)
def test_found_smoking_gun_never_lowers_the_posterior(raw, opts, reliability, dependence, cluster):
    before = posterior(build(raw), dependence=dependence, **opts)["posterior"]
    extra = item(99, "smoking_gun", "found", "H", reliability, cluster=cluster)
    after = posterior(build(raw) + [extra], dependence=dependence, **opts)["posterior"]
    assert after >= before - 1e-12


@settings(max_examples=60, deadline=None)
@given(raw=items_strategy, opts=option, reliability=st.floats(0, 1))
def test_found_smoking_gun_in_a_new_cluster_never_lowers_cluster_mean(raw, opts, reliability):
    # Within an existing cluster the mean rule may let a weak item dilute a stronger one; in its own
    # cluster a favourable item can only add.
    before = posterior(build(raw), dependence="cluster_mean", **opts)["posterior"]
    extra = item(99, "smoking_gun", "found", "H", reliability, cluster="new")
    assert posterior(build(raw) + [extra], dependence="cluster_mean", **opts)["posterior"] >= before - 1e-12


@settings(max_examples=60, deadline=None)
@given(
    raw=items_strategy,
    opts=option,
    kind=test_types,
    dependence=st.sampled_from(["independent", "cluster_max", "cluster_mean"]),
)
def test_unsought_absence_contributes_nothing(raw, opts, kind, dependence):
    before = posterior(build(raw), dependence=dependence, **opts)
    extra = item(99, kind, "not_sought", cluster="A")
    after = posterior(build(raw) + [extra], dependence=dependence, **opts)
    assert after["posterior"] == pytest.approx(before["posterior"], abs=1e-12)
    assert after["n_counted"] == before["n_counted"]


@settings(max_examples=60, deadline=None)
@given(
    p_noth=st.floats(0.05, 0.5),
    low=st.floats(0.05, 0.95),
    high=st.floats(0.05, 0.95),
    prior=st.floats(0.05, 0.95),
)
def test_posterior_rises_with_the_likelihood_ratio(p_noth, low, high, prior):
    low, high = sorted((low, high))
    results = []
    for p_h in (low, high):
        opts = copy.deepcopy(choices(lr_profile="custom", prior=prior))
        results.append(posterior([item(1, "hoop", p_h=p_h, p_noth=p_noth)], **opts)["posterior"])
    assert results[1] >= results[0]
    if high - low > 1e-3:
        assert results[1] > results[0]


def test_posterior_range_spans_the_likelihood_profiles():
    """The range is the lowest and highest posterior over the weak, moderate and strong profiles."""
    import yaml

    from analysis.scores.process_tracing import score_process_tracing

    config = yaml.safe_load((Path(__file__).resolve().parents[1] / "config.yaml").read_text(encoding="utf-8"))
    choices = config["process_tracing"]
    evidence = pd.DataFrame(
        [
            {
                "evidence_id": "E1",
                "hypothesis": "HP1",
                "date": "2014-03-20",
                "round": "R1",
                "test_type": "smoking_gun",
                "outcome": "found",
                "predicted_by": "H",
                "reliability": 1.0,
                "cluster": "c1",
                "p_h": pd.NA,
                "p_noth": pd.NA,
            }
        ]
    )
    rounds = [{"id": "R1", "start": "2014-03-01", "end": "2014-03-31"}]
    _, table = score_process_tracing(evidence, rounds, choices, hypotheses=("HP1",))
    row = table[table["round"] == "R1"].iloc[0]
    each = [
        score_process_tracing(evidence, rounds, {**choices, "lr_profile": p}, hypotheses=("HP1",))[1]
        .query("round == 'R1'")["posterior"]
        .item()
        for p in ("weak", "moderate", "strong")
    ]
    assert row["posterior_low"] == pytest.approx(min(each)) and row["posterior_high"] == pytest.approx(
        max(each)
    )
    assert (
        row["posterior_low"] < row["posterior"] <= row["posterior_high"]
    )  # a smoking gun: strong reads it higher
