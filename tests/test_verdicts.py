"""Verdicts on HP1–HP3 under each rule, the thesis's verdicts beside them, and the headline numbers."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.scores import influence, process_tracing, reactivity
from analysis.scores import verdicts as verdicts_module
from analysis.scores.headline import headline_numbers
from analysis.scores.verdicts import conjunction_verdict, decide_verdicts, hp1_round, majority_verdict

ROUNDS = [{"id": "R1"}, {"id": "R2"}, {"id": "R3"}]
HP1 = {
    "rule": "all_three",
    "pa_margin": "extensive",
    "ai_threshold": 0.5,
    "rejection": "evidence_against",
    "ai_against": 0.333,
}


def hp1(improvement=0.31, pa=0.4, ai=0.62, posterior=0.83, posterior_verdict="supported", **changes):
    rule = changes.pop("rule", "all_three")
    margin = changes.pop("pa_margin", "extensive")
    combine = changes.pop("combine", "product")
    rejection = changes.pop("rejection", "evidence_against")
    return hp1_round(
        improvement,
        pa,
        ai,
        posterior,
        posterior_verdict,
        rule,
        margin,
        0.5,
        0.75,
        combine,
        rejection,
        0.333,
        0.25,
    )


def test_hp1_all_three():
    verdict, rule, evidence = hp1()
    assert verdict == "supported"  # 0.31 > 0, 0.62 ≥ 0.5, 0.83 ≥ 0.75
    assert "all_three" in rule and "extensive" in rule
    assert evidence == "PA_improvement=0.31; PA=0.4; AI=0.62; posterior=0.83"
    # a posterior between the thresholds misses without speaking against HP1: not supported
    assert hp1(posterior=0.7)[0] == "not supported"
    assert hp1(posterior=0.2)[0] == "rejected"  # at or below the rejection threshold: against
    assert hp1(ai=math.nan)[0] == "indeterminate"  # the others hold; AI unknown
    assert hp1(ai=math.nan, posterior=0.7)[0] == "not supported"  # one condition misses whatever AI is
    assert hp1(ai=math.nan, posterior=0.2)[0] == "rejected"
    # intensive margin reads PA (0.4 < 0.5), not the improvement: short of half the move, not against
    assert hp1(pa_margin="intensive")[0] == "not supported"
    assert hp1(pa=-0.1, pa_margin="intensive")[0] == "rejected"  # no move towards the US at all
    assert hp1(pa=0.5, pa_margin="intensive")[0] == "supported"


def test_hp1_other_rules():
    assert hp1(posterior=0.2, posterior_verdict="rejected", rule="bayes_only")[0] == "rejected"
    # majority: PA and AI hold, the posterior fails → 2 of 3.
    assert hp1(posterior=0.6, rule="majority_of_three")[0] == "supported"
    # AI 0.1 ≤ 0.333 speaks against, the posterior 0.6 only misses: the majority is out of reach
    assert hp1(ai=0.1, posterior=0.6, rule="majority_of_three")[0] == "not supported"
    assert hp1(ai=0.1, posterior=0.2, rule="majority_of_three")[0] == "rejected"
    # influence_only, product: 0.4 × 0.62 = 0.248 < 0.5; 0.9 × 0.62 = 0.558 ≥ 0.5.
    verdict, rule, evidence = hp1(rule="influence_only")
    assert verdict == "not supported" and "combine=product" in rule and "combined=0.248" in evidence
    assert hp1(rule="influence_only", rejection="any_miss")[0] == "rejected"
    assert hp1(pa=0.9, rule="influence_only")[0] == "supported"
    assert hp1(pa=0.1, ai=0.2, rule="influence_only", combine="none")[0] == "rejected"
    # bayes_only: the posterior between the thresholds is not supported (indeterminate under any_miss)
    assert hp1(posterior=0.6, posterior_verdict="indeterminate", rule="bayes_only")[0] == "not supported"
    assert (
        hp1(posterior=0.6, posterior_verdict="indeterminate", rule="bayes_only", rejection="any_miss")[0]
        == "indeterminate"
    )


@pytest.mark.parametrize(
    ("changes", "evidence_against", "any_miss"),
    [
        ({"posterior": 0.7}, "not supported", "rejected"),  # a miss between the thresholds
        ({"ai": 0.4}, "not supported", "rejected"),  # AI between ai_against and ai_threshold
        ({"ai": 0.3}, "rejected", "rejected"),  # AI at most minor: against
        ({"posterior": 0.25}, "rejected", "rejected"),  # at the rejection threshold: against
        ({"improvement": 0.0}, "rejected", "rejected"),  # Japan did not move towards the US
        ({}, "supported", "supported"),
        ({"ai": math.nan}, "indeterminate", "indeterminate"),
    ],
)
def test_not_supported_is_distinct_from_rejected(changes, evidence_against, any_miss):
    """The rejection rule decides only the word of a miss; any_miss reproduces the two-word rule."""
    assert hp1(**changes)[0] == evidence_against
    assert hp1(rejection="any_miss", **changes)[0] == any_miss


def test_rejection_rule_in_words():
    assert "AI ≤ 0.333" in hp1()[1] and "posterior ≤ 0.25" in hp1()[1]
    assert "any_miss" in hp1(rejection="any_miss")[1]
    with pytest.raises(ValueError, match="hp1.rejection"):
        hp1(rejection="sometimes")


def test_aggregation_helpers():
    assert majority_verdict([True, False, True]) == "supported"
    assert majority_verdict([True, None, False]) == "indeterminate"
    assert majority_verdict([False, None, False]) == "rejected"
    assert majority_verdict([True, False]) == "rejected"  # a tie is no majority
    assert conjunction_verdict([True, None]) == "indeterminate"
    assert conjunction_verdict([True, True]) == "supported"


def inputs() -> dict[str, pd.DataFrame]:
    attainment = pd.DataFrame(
        {
            "round": ["R1", "R2", "R3"] * 2,
            "actor": ["US"] * 3 + ["JP"] * 3,
            "attainment": [0.5, 0.6, 0.2, 0.9, 0.8, 0.9],
            "improvement": [0.3, 0.2, -0.1, 0.0, 0.0, 0.0],
        }
    )
    influence = pd.DataFrame({"round": ["R1", "R2", "R3"], "influence": [0.7, 0.6, 0.55]})
    posteriors = pd.DataFrame(
        {
            "hypothesis": ["HP1"] * 3,
            "round": ["R1", "R2", "R3"],
            "posterior": [0.9, 0.8, 0.9],
            "verdict": ["supported"] * 3,
        }
    )
    reactivity = pd.DataFrame(
        {
            "round": ["R1", "R2", "R3"],
            "reactive": [True, False, True],
            "criterion1": [True, True, False],
            "criterion2": [True, False, True],
            "reactivity": [0.6, 0.4, 0.7],
            "independent_initiatives": [0, 0, 2],
        }
    )
    claims = pd.DataFrame(
        {
            "claim_id": ["CL-1", "CL-2", "CL-3", "CL-4"],
            "kind": ["verdict", "verdict", "verdict", "date"],
            "target_id": ["HP1:R1", "HP2:all", "HP3:all", "JP-x"],
            "value": ["supported", "rejected", "rejected", "2014-03-18"],
        }
    )
    return {
        "attainment": attainment,
        "influence": influence,
        "posteriors": posteriors,
        "reactivity": reactivity,
        "claims": claims,
    }


def verdicts(rounds=ROUNDS, hp2_rule="majority", reactive_state="conjunctive", **changes) -> pd.DataFrame:
    t = inputs() | changes
    return decide_verdicts(
        rounds,
        t["attainment"],
        t["influence"],
        t["posteriors"],
        t["reactivity"],
        t["claims"],
        HP1,
        0.75,
        "product",
        hp2_rule,
        reactive_state,
    )


def test_decide_verdicts_table():
    table = verdicts()
    assert table.columns.tolist() == ["hypothesis", "round", "verdict", "rule", "evidence", "thesis_verdict"]
    got = dict(zip(table["hypothesis"] + ":" + table["round"], table["verdict"], strict=True))
    # HP1: R1 and R2 pass all three; R3's improvement −0.1: Japan moved away from the US, against HP1.
    # HP2: reactive in R1 and R3 → 2 of 3 → supported.
    # HP3 conjunctive: both criteria in R1 only (R2 fails c2, R3 fails c1) → 1 of 3 → rejected.
    assert got == {
        "HP1:R1": "supported",
        "HP1:R2": "supported",
        "HP1:R3": "rejected",
        "HP2:all": "supported",
        "HP3:all": "rejected",
    }
    thesis = dict(zip(table["hypothesis"] + ":" + table["round"], table["thesis_verdict"], strict=True))
    assert thesis == {
        "HP1:R1": "supported",
        "HP1:R2": "",
        "HP1:R3": "",
        "HP2:all": "rejected",
        "HP3:all": "rejected",
    }
    assert "reactive_R2=false" in table.loc[3, "evidence"]


def test_hp2_all_and_hp3_family_resemblance():
    table = verdicts(hp2_rule="all", reactive_state="family_resemblance").set_index("hypothesis")
    assert table.loc["HP2", "verdict"] == "rejected"  # R2 not reactive
    # Criteria over rounds: c1 T,T,F and c2 T,F,T → 4 of 6 = 0.67 ≥ 0.5.
    assert table.loc["HP3", "verdict"] == "supported"


def test_other_segmentation_has_no_thesis_verdict_for_new_rounds():
    finer = [{"id": "R1"}, {"id": "R2a"}]
    table = verdicts(rounds=finer)
    hp1_rows = table[table["hypothesis"] == "HP1"]
    assert hp1_rows["thesis_verdict"].tolist() == ["supported", ""]
    # R2a has no attainment, influence or posterior row → indeterminate, not rejected.
    assert hp1_rows["verdict"].tolist() == ["supported", "indeterminate"]


def test_reactive_read_back_from_csv_strings():
    reactivity = inputs()["reactivity"].astype({"reactive": str}).assign(reactive=["true", "false", "false"])
    assert verdicts(reactivity=reactivity).set_index("hypothesis").loc["HP2", "verdict"] == "rejected"


def test_bad_input():
    claims = inputs()["claims"].assign(value=["supported", "maybe", "rejected", "2014-03-18"])
    with pytest.raises(ValueError, match="maybe"):
        verdicts(claims=claims)
    with pytest.raises(ValueError, match="improvement"):
        verdicts(attainment=inputs()["attainment"].drop(columns="improvement"))
    with pytest.raises(ValueError, match="hp2_rule"):
        verdicts(hp2_rule="most")
    with pytest.raises(ValueError, match="hp1.rule"):
        hp1(rule="vote")


def test_headline_numbers():
    t = inputs()
    table = verdicts()
    tables = {
        "measures": pd.DataFrame({"sender": ["JP", "JP", "US"]}),
        "pressure": pd.DataFrame({"pressure_id": ["P1"]}),
        "attributions": pd.DataFrame({"attribution_id": ["A1", "A2"]}),
        "evidence": pd.DataFrame({"evidence_id": ["E1", "E2", "E3", "E4"]}),
        "stringency": pd.DataFrame(
            {
                "sender": ["JP", "US"],
                "round": ["R1", "R1"],
                "stringency_stock": [20.0, 80.0],
                "relative_to_leader": [0.25, 1.0],
            }
        ),
        "timing": pd.DataFrame({"round": ["R1"], "median_lag_days": [1.0], "first_mover_share": [0.0]}),
        "attainment": t["attainment"].assign(lower=0.1, upper=0.9),
        "influence": t["influence"].assign(framing_gap=0.2, n_statements=4),
        "posteriors": t["posteriors"],
        "reactivity": t["reactivity"],
        "verdicts": table,
        "data_checks": pd.DataFrame(
            {
                "check": ["rows", "conflicts"],
                "table": ["measures", "measures"],
                "subject": ["silbaum2017", pd.NA],
                "value": [12, 3],
            }
        ),
    }
    numbers = headline_numbers(ROUNDS, "US", tables)
    assert (numbers["n_measures"], numbers["n_measures_jp"], numbers["n_evidence_items"]) == (3, 2, 4)
    assert (numbers["R1_stringency_jp"], numbers["R1_stringency_leader"]) == (20.0, 80.0)
    assert numbers["R2_stringency_jp"] is None  # no row: missing, never zero
    assert (numbers["R1_pa_us"], numbers["R1_pa_jp"], numbers["R1_pa_us_lower"]) == (0.5, 0.9, 0.1)
    assert numbers["R1_ai"] == 0.7 and numbers["R1_posterior_HP1"] == 0.9
    assert numbers["verdict_HP1_R3"] == "rejected" and numbers["verdict_HP2"] == "supported"
    # Thesis claims: HP1:R1 supported (agrees), HP2 rejected (differs), HP3 rejected (agrees).
    assert (numbers["n_verdicts"], numbers["n_verdicts_with_thesis"], numbers["n_verdicts_agreeing"]) == (
        5,
        3,
        2,
    )
    assert numbers["check_rows_measures_silbaum2017"] == 12 and numbers["check_conflicts_measures"] == 3
    json.dumps(numbers, allow_nan=False)  # the JSON writer refuses NaN


@pytest.mark.parametrize("module", [influence, process_tracing, reactivity, verdicts_module])
def test_formulas_are_balanced_latex(module):
    assert module.FORMULAS
    for name, formula in module.FORMULAS.items():
        assert formula.count("{") == formula.count("}"), name
        assert formula.count(r"\begin{cases}") == formula.count(r"\end{cases}"), name


VERDICT_ORDER = {"rejected": 0, "not supported": 1, "indeterminate": 1, "supported": 2}
unit = st.floats(0, 1)


@settings(max_examples=100, deadline=None)
@given(
    improvement=st.floats(-1, 1),
    pa=st.floats(-1, 1),
    ai=unit,
    posterior=unit,
    bump=unit,
    rule=st.sampled_from(["all_three", "majority_of_three", "influence_only"]),
    margin=st.sampled_from(["extensive", "intensive"]),
    combine=st.sampled_from(["product", "hse_ordinal", "none"]),
)
def test_hp1_never_worsens_when_ai_rises(improvement, pa, ai, posterior, bump, rule, margin, combine):
    higher = min(1.0, ai + bump)
    before = hp1(improvement, pa, ai, posterior, rule=rule, pa_margin=margin, combine=combine)[0]
    after = hp1(improvement, pa, higher, posterior, rule=rule, pa_margin=margin, combine=combine)[0]
    assert VERDICT_ORDER[after] >= VERDICT_ORDER[before]
