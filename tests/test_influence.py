"""Attributed influence: hand-worked aggregations, the competing-cause rule, combination, bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.scores.influence import (
    aggregate_influence,
    aggregate_influence_counts,
    combined_influence,
    hse_contribution,
    hse_result,
    score_influence,
    us_pressure_strength,
)

LADDER = {"none": 0.0, "minor": 1 / 3, "substantial": 2 / 3, "decisive": 1.0}
WEIGHTS = {"expert": 1.0, "alter_ally": 0.75, "alter_target": 0.75, "media": 0.75, "ego": 0.5}
ROUNDS = [{"id": "R1"}, {"id": "R2"}]


def statements(rows: list[tuple]) -> pd.DataFrame:
    """rows: (source, attributor_type, cause, strength[, round[, paragraph]]).

    Each row is its own statement (its own paragraph) unless a test gives two rows one paragraph.
    """
    records = []
    for i, row in enumerate(rows):
        source, kind, cause, strength, *rest = row
        records.append(
            {
                "attribution_id": f"AT-{i:03d}",
                "source": source,
                "attributor_type": kind,
                "cause": cause,
                "strength": strength,
                "round": rest[0] if rest else "R1",
                "attributor": f"person-{source}",
                "section": "",
                "paragraph": rest[1] if len(rest) > 1 else 100 + i,
            }
        )
    return pd.DataFrame(records)


def aggregate(rows: list[tuple], aggregation: str, competing: str = "zero") -> dict[str, float]:
    scored = us_pressure_strength(statements(rows), LADDER, 0.5, competing)
    return aggregate_influence(scored, aggregation, WEIGHTS)


def test_us_strength_per_cause():
    scored = us_pressure_strength(
        statements(
            [
                ("a", "expert", "us_pressure", "substantial"),
                ("a", "expert", "mixed", "decisive"),
                ("a", "expert", "own_interest", "decisive"),
            ]
        ),
        LADDER,
        0.5,
        "zero",
    )
    # us_pressure keeps its rung; mixed gets half of decisive; a competing cause credits the US nothing.
    assert scored["us_strength"].tolist() == pytest.approx([2 / 3, 0.5, 0.0])
    share_only = us_pressure_strength(
        statements([("a", "expert", "g7_coordination", "minor")]), LADDER, 0.5, "share_only"
    )
    assert math.isnan(share_only["us_strength"].iloc[0])


def test_weighted_mean_by_type():
    # expert decisive (ω 1, u 1) and ego none (ω 0.5, u 0): (1·1 + 0.5·0) / 1.5 = 2/3.
    result = aggregate(
        [("a", "expert", "us_pressure", "decisive"), ("b", "ego", "us_pressure", "none")], "weighted"
    )
    assert result["influence"] == pytest.approx(2 / 3)


def test_source_balanced_stops_a_prolific_source():
    rows = [("a", "expert", "us_pressure", "decisive")] * 3 + [("b", "expert", "us_pressure", "none")]
    # weighted: three 1s and one 0 → 3/4. source_balanced: a's statements weigh 1/3 each (total 1),
    # b's one statement weighs 1 → (1·1 + 1·0) / 2 = 0.5.
    assert aggregate(rows, "weighted")["influence"] == pytest.approx(0.75)
    assert aggregate(rows, "source_balanced")["influence"] == pytest.approx(0.5)


def test_share_of_causes():
    rows = [
        ("a", "expert", "us_pressure", "substantial"),
        ("b", "expert", "own_interest", "decisive"),
        ("c", "ego", "us_pressure", "none"),
    ]
    # US mass 1·2/3; all causes 1·2/3 + 1·1 + 0.5·0 = 5/3 → share 0.4 (the "none" adds nothing).
    assert aggregate(rows, "share")["influence"] == pytest.approx(0.4)
    # share_only changes nothing for the share measure itself.
    assert aggregate(rows, "share", "share_only")["influence"] == pytest.approx(0.4)


def test_ear_median_and_framing_gap():
    rows = [
        ("a", "ego", "us_pressure", "none"),  # E = 0
        ("b", "alter_ally", "us_pressure", "decisive"),  # A = (0.75·1 + 0.75·1/3) / 1.5 = 2/3
        ("c", "alter_target", "us_pressure", "minor"),
        ("d", "expert", "us_pressure", "substantial"),  # R = (1·2/3 + 0.75·0) / 1.75 = 0.380952
        ("e", "media", "us_pressure", "none"),
    ]
    result = aggregate(rows, "ear")
    assert result["ego"] == pytest.approx(0.0)
    assert result["alter"] == pytest.approx(2 / 3)
    assert result["researcher"] == pytest.approx((2 / 3) / 1.75)
    assert result["influence"] == pytest.approx((2 / 3) / 1.75)  # median of 0, 0.381, 0.667
    assert result["framing_gap"] == pytest.approx(2 / 3)


def test_competing_cause_counts_against_us_only_under_zero():
    rows = [("a", "expert", "us_pressure", "decisive"), ("b", "expert", "territorial_norm", "decisive")]
    # zero: (1 + 0) / 2; share_only: the competing statement leaves the mean → 1.
    assert aggregate(rows, "weighted", "zero")["influence"] == pytest.approx(0.5)
    assert aggregate(rows, "weighted", "share_only")["influence"] == pytest.approx(1.0)


def test_one_statement_naming_two_causes_votes_once():
    # One statement (same source, attributor, paragraph, round): US decisive, own interest minor.
    rows = [
        ("a", "expert", "us_pressure", "decisive", "R1", 7),
        ("a", "expert", "own_interest", "minor", "R1", 7),
        ("b", "expert", "us_pressure", "none", "R1", 8),
    ]
    scored = us_pressure_strength(statements(rows), LADDER, 0.5, "zero")
    assert math.isnan(scored["us_strength"].iloc[1])  # covered by the statement's US row
    # Mean over the two statements: (1 + 0)/2, not (1 + 0 + 0)/3.
    assert aggregate(rows, "weighted")["influence"] == pytest.approx(0.5)
    assert aggregate(rows, "source_balanced")["influence"] == pytest.approx(0.5)
    # share keeps every cause row: US 1 / (1 + 1/3 + 0) = 0.75.
    assert aggregate(rows, "share")["influence"] == pytest.approx(0.75)
    # The same cause rows in different paragraphs are two statements: (1 + 0 + 0)/3.
    apart = [rows[0], ("a", "expert", "own_interest", "minor", "R1", 9), rows[2]]
    assert aggregate(apart, "weighted")["influence"] == pytest.approx(1 / 3)


def test_rounds_and_general_statements():
    table = statements(
        [
            ("a", "expert", "us_pressure", "decisive", "R1"),
            ("b", "expert", "us_pressure", "none", "all"),
            ("c", "expert", "us_pressure", "decisive", pd.NA),
        ]
    )  # outside every round
    influence, by_type = score_influence(table, ROUNDS, "weighted", WEIGHTS, LADDER, 0.5, "zero")
    # A general statement bears on the whole period: only the pooled row reads it, no single round.
    # R1: the R1 statement alone → 1; R2: nothing → missing; all: (1 + 0)/2.
    assert influence["round"].tolist() == ["R1", "R2", "all"]
    assert influence["influence"].tolist()[0] == pytest.approx(1.0)
    assert math.isnan(influence["influence"].tolist()[1])
    assert influence["influence"].tolist()[2] == pytest.approx(0.5)
    assert influence["n_statements"].tolist() == [1, 0, 2]
    assert by_type[["round", "attributor_type", "n_statements"]].values.tolist() == [
        ["R1", "expert", 1],
        ["all", "expert", 2],
    ]


def test_a_general_statement_can_count_in_the_round_it_was_made():
    table = statements(
        [
            ("a", "expert", "us_pressure", "decisive", "R1"),
            ("b", "expert", "us_pressure", "none", "all"),
        ]
    ).assign(date=["2014-03-10", "2014-05-02"])
    windows = [
        {"id": "R1", "start": "2014-03-01", "end": "2014-03-31"},
        {"id": "R2", "start": "2014-04-01", "end": "2014-08-31"},
    ]
    influence, _ = score_influence(table, windows, "weighted", WEIGHTS, LADDER, 0.5, "zero", "statement_date")
    assert influence["n_statements"].tolist() == [1, 1, 2]  # the general one was said in R2
    assert influence["influence"].tolist()[:2] == pytest.approx([1.0, 0.0])


def test_round_without_statements_is_missing_not_zero():
    influence, _ = score_influence(
        statements([("a", "expert", "us_pressure", "decisive", "R1")]),
        ROUNDS,
        "source_balanced",
        WEIGHTS,
        LADDER,
        0.5,
        "zero",
    )
    assert math.isnan(influence["influence"].iloc[1])
    assert influence["n_statements"].iloc[1] == 0


def test_combined_influence():
    value, passes = combined_influence(0.8, 0.7, "product", 0.5)
    assert value == pytest.approx(0.56) and passes  # 0.8 × 0.7
    assert combined_influence(0.8, 0.5, "product", 0.5)[1] is False  # 0.4 < 0.5
    # PA 0.5 → result 3; AI 2/3 → contribution 3; 3 × 3 = 9 ≥ 9.
    assert combined_influence(0.5, 2 / 3, "hse_ordinal", 0.5) == (9.0, True)
    # PA 0.2 → 2; AI 1 → 4; 8 < 9.
    assert combined_influence(0.2, 1.0, "hse_ordinal", 0.5) == (8.0, False)
    assert combined_influence(math.nan, 0.9, "none", 0.5) == (0.9, True)  # PA is not read
    assert combined_influence(math.nan, 0.9, "product", 0.5)[1] is None


def test_hse_ladders():
    assert [hse_result(x) for x in (-0.2, 0.0, 0.1, 0.4, 0.7, 1.0)] == [1, 1, 2, 3, 4, 4]
    assert [hse_contribution(x) for x in (0.0, 1 / 3, 2 / 3, 1.0)] == [2, 2, 3, 4]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("strength", "huge", "strength"),
        ("cause", "weather", "cause"),
    ],
)
def test_bad_values_are_named(column, value, message):
    table = statements([("a", "expert", "us_pressure", "minor")])
    table[column] = value
    with pytest.raises(ValueError, match=message):
        us_pressure_strength(table, LADDER, 0.5, "zero")


def test_bad_input_missing_column_and_type_and_option():
    table = statements([("a", "expert", "us_pressure", "minor")])
    with pytest.raises(ValueError, match="source"):
        score_influence(table.drop(columns="source"), ROUNDS, "weighted", WEIGHTS, LADDER, 0.5, "zero")
    with pytest.raises(ValueError, match="attributor_type"):
        score_influence(
            table.assign(attributor_type="pundit"), ROUNDS, "weighted", WEIGHTS, LADDER, 0.5, "zero"
        )
    with pytest.raises(ValueError, match="aggregation"):
        score_influence(table, ROUNDS, "mode", WEIGHTS, LADDER, 0.5, "zero")
    with pytest.raises(ValueError, match="competing_causes"):
        score_influence(table, ROUNDS, "weighted", WEIGHTS, LADDER, 0.5, "ignore")


statement = st.tuples(
    st.sampled_from("abc"),
    st.sampled_from(sorted(WEIGHTS)),
    st.sampled_from(["us_pressure", "mixed", "own_interest", "g7_coordination"]),
    st.sampled_from(sorted(LADDER)),
)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(statement, min_size=1, max_size=8),
    aggregation=st.sampled_from(["source_balanced", "weighted", "share", "ear"]),
)
def test_influence_stays_in_unit_interval(rows, aggregation):
    value = aggregate(rows, aggregation)["influence"]
    assert math.isnan(value) or 0.0 <= value <= 1.0 + 1e-12


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(statement, min_size=1, max_size=8),
    aggregation=st.sampled_from(["source_balanced", "weighted", "share", "ear"]),
)
def test_a_decisive_expert_never_lowers_influence(rows, aggregation):
    before = aggregate(rows, aggregation)["influence"]
    after = aggregate(rows + [("new", "expert", "us_pressure", "decisive")], aggregation)["influence"]
    assert math.isnan(before) or after >= before - 1e-12


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(statement, min_size=1, max_size=8),
    aggregation=st.sampled_from(["source_balanced", "weighted", "share", "ear"]),
    counts=st.lists(st.lists(st.integers(0, 3), min_size=8, max_size=8), min_size=1, max_size=4),
)
def test_counting_a_row_k_times_equals_k_copies_of_it(rows, aggregation, counts):
    """The bootstrap's resamples as row counts give what the resampled copies themselves give."""
    scored = us_pressure_strength(statements(rows), LADDER, 0.5, "zero")
    matrix = np.array([draw[: len(scored)] for draw in counts], dtype=float)
    vectorised = aggregate_influence_counts(scored, aggregation, WEIGHTS, matrix)
    for b, draw in enumerate(matrix.astype(int)):
        copies = scored.loc[scored.index.repeat(draw)].reset_index(drop=True)
        expected = aggregate_influence(copies, aggregation, WEIGHTS)
        for name, value in expected.items():
            got = vectorised[name][b]
            assert (math.isnan(value) and math.isnan(got)) or got == pytest.approx(value, rel=1e-12), name


def test_the_bootstrap_interval_brackets_the_estimate_and_is_seeded():
    table = statements(
        [
            ("a", "expert", "us_pressure", "decisive", "R1"),
            ("b", "expert", "us_pressure", "none", "R1"),
            ("c", "media", "us_pressure", "minor", "R1"),
            ("d", "expert", "own_interest", "decisive", "R1"),
        ]
    )
    first, _ = score_influence(
        table, ROUNDS, "weighted", WEIGHTS, LADDER, 0.5, "zero", "whole_period", 300, 7
    )
    again, _ = score_influence(
        table, ROUNDS, "weighted", WEIGHTS, LADDER, 0.5, "zero", "whole_period", 300, 7
    )
    row = first.iloc[0]
    assert row["lower"] <= row["influence"] <= row["upper"] and row["lower"] < row["upper"]
    assert first.equals(again)
    none, _ = score_influence(table, ROUNDS, "weighted", WEIGHTS, LADDER, 0.5, "zero")
    assert math.isnan(none.iloc[0]["lower"])  # no draws, no interval
