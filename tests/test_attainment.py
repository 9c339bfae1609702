"""Preference attainment: hand-worked formulas and positions, seeded Monte Carlo, range, monotonicity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.scores.attainment import (
    attainment_table,
    categorical,
    distance,
    improvement,
    jitter_placements,
    proportional,
    proximity,
    relative,
    score,
)
from analysis.scores.stringency import INSTRUMENTS

EQUAL = dict.fromkeys(INSTRUMENTS, 1)
LEVELS = {"symbolic": 0.5, "partial": 0.5, "full": 1.0}
ROUNDS = [
    {"id": "R1", "start": "2014-03-01", "end": "2014-03-31"},
    {"id": "R2", "start": "2014-04-01", "end": "2014-08-31"},
]
CHOICES = {
    "measure": "proportional",
    "reference": "pre_round_stock",
    "aggregation": "weighted_mean",
    "us_ideal_source": "explicit_us_requests",
    "tau": 0.05,
    "placement_jitter": 0.1,
    "monte_carlo_draws": 400,
    "seed": 7,
    "blank_us_requested": "not_requested",
}


def measure(event_id, sender, instrument, date, **extra):
    return {"event_id": event_id, "sender": sender, "instrument": instrument, "date": date, **extra}


MEASURES = pd.DataFrame(
    [
        measure("US-tb", "US", "travel_ban", "2014-03-06"),
        measure("US-af", "US", "asset_freeze", "2014-03-17", us_requested=True),
        measure("US-sf", "US", "sectoral_finance", "2014-07-16", us_requested=True),
        measure("JP-tb", "JP", "travel_ban", "2014-04-29", intensity_code="symbolic"),
        measure("JP-af", "JP", "asset_freeze", "2014-08-05", intensity_code="full"),
    ]
)


def run(**choices):
    frame = attainment_table(
        MEASURES,
        ROUNDS,
        weights=EQUAL,
        intensity="three_level",
        three_level_values=LEVELS,
        leader="US",
        choices=CHOICES | choices,
    )
    return frame.set_index(["round", "actor"])


def test_formulas_by_hand():
    # Demanded move 0.5, outcome 0.2 short of the ideal: 0.3 of 0.5 happened.
    assert proportional(np.array(0.5), np.array(0.2), np.array(0.3)) == pytest.approx(0.6)
    # Nothing demanded (x = R): staying put is full attainment, a move of 0.25 costs 0.25.
    assert proportional(np.array(0.0), np.array(0.25), np.array(0.25)) == pytest.approx(0.75)
    assert improvement(np.array(0.5), np.array(0.2)) == pytest.approx(0.3)
    assert proximity(np.array(0.2)) == pytest.approx(0.8)
    # Within τ of the ideal → full; part of the way → 0.5; no move → none.
    assert categorical(np.array(0.5), np.array(0.04), np.array(0.46), 0.05) == 1.0
    assert categorical(np.array(0.5), np.array(0.2), np.array(0.3), 0.05) == 0.5
    assert categorical(np.array(0.5), np.array(0.5), np.array(0.0), 0.05) == 0.0
    # Outcome 0.1 from actor i's ideal and 0.4 from j's: i is 0.3 closer.
    assert relative(np.array(0.1), np.array(0.4)) == pytest.approx(0.3)


def test_distances_by_hand():
    w = np.array([1.0, 3.0])
    # Euclidean: sqrt((1·1² + 3·0²)/4) = 0.5.
    assert distance(np.array([1.0, 0.0]), np.array([0.0, 0.0]), w, "euclidean") == pytest.approx(0.5)
    # A missing instrument drops out: only the second, sqrt(3·0.5²/3) = 0.5.
    assert distance(np.array([np.nan, 1.0]), np.array([0.0, 0.5]), w, "euclidean") == pytest.approx(0.5)
    assert distance(np.array(0.3), np.array(0.1), w, "weighted_mean") == pytest.approx(0.2)


def test_positions_and_scores_by_hand():
    table = run()
    us, jp = table.loc[("R2", "US")], table.loc[("R2", "JP")]
    # R = Japan's stock before April: nothing. O = travel ban 0.5 + freeze 1 → 1.5/8 = 0.1875.
    assert us["reversion"] == 0 and us["outcome"] == pytest.approx(0.1875)
    # US ideal = O with the requested freeze and sectoral finance at 1: (0.5 + 1 + 1)/8 = 0.3125.
    assert us["ideal"] == pytest.approx(0.3125)
    # Proportional: (0.3125 − 0.125)/0.3125 = 0.6; improvement 0.3125 − 0.125 = 0.1875.
    assert us["attainment"] == pytest.approx(0.6)
    assert us["improvement"] == pytest.approx(0.1875)
    # Japan's ideal: its first announcement of the round (the symbolic travel ban): 0.5/8 = 0.0625.
    assert jp["ideal"] == pytest.approx(0.0625)
    # (0.0625 − |0.0625 − 0.1875|)/0.0625 = (0.0625 − 0.125)/0.0625 = −1.
    assert jp["attainment"] == pytest.approx(-1.0)
    assert jp["improvement"] == pytest.approx(-0.0625)
    # R1: Japan has nothing; the US had asked for the freeze (1/8) and got nothing → 0.
    assert table.loc[("R1", "US"), "attainment"] == 0
    # Japan signalled nothing in R1 (ideal = R = O = 0): full attainment, and no placement to jitter.
    r1_jp = table.loc[("R1", "JP")]
    assert (r1_jp["attainment"], r1_jp["lower"], r1_jp["upper"]) == (1.0, 1.0, 1.0)
    assert list(table.index.get_level_values("actor")) == ["US", "JP", "US", "JP"]


def test_reference_first_announcement_and_us_own_measures():
    table = run(reference="japan_first_announcement")
    # R = the first announcement (0.0625): US (0.25 − 0.125)/0.25 = 0.5.
    assert table.loc[("R2", "US"), "attainment"] == pytest.approx(0.5)
    # Japan's ideal equals R, so PA = 1 − d(O, R) = 1 − 0.125.
    assert table.loc[("R2", "JP"), "attainment"] == pytest.approx(0.875)
    own = run(us_ideal_source="us_own_measures")
    # US stock at the end of R2: travel ban, freeze, sectoral finance, all full → 3/8.
    assert own.loc[("R2", "US"), "ideal"] == pytest.approx(0.375)
    # (0.375 − 0.1875)/0.375 = 0.5.
    assert own.loc[("R2", "US"), "attainment"] == pytest.approx(0.5)


def test_euclidean_aggregation_by_hand():
    table = run(aggregation="euclidean")
    # Per instrument (equal weights, 8 instruments): x − R = (tb .5, af 1, sf 1) → sqrt(2.25/8);
    # x − O = (sf 1) → sqrt(1/8). PA = 1 − sqrt(1/8)/sqrt(2.25/8) = 1 − 1/1.5 = 1/3.
    assert table.loc[("R2", "US"), "attainment"] == pytest.approx(1 / 3)
    assert table.loc[("R2", "US"), "improvement"] == pytest.approx(np.sqrt(2.25 / 8) - np.sqrt(1 / 8))


def test_monte_carlo_is_seeded_and_brackets_without_jitter():
    first, again = run(), run()
    pd.testing.assert_frame_equal(first, again)
    still = run(placement_jitter=0.0)
    # With no jitter every draw equals the point estimate.
    assert np.allclose(still["lower"], still["attainment"])
    assert np.allclose(still["upper"], still["attainment"])
    categorical_table = run(measure="categorical")
    assert set(categorical_table[["attainment", "lower", "upper"]].to_numpy().ravel()) <= {0.0, 0.5, 1.0}
    assert (categorical_table["measure"] == "categorical").all()


def test_identical_placements_move_together():
    vectors = np.array([[0.0, 0.5, 1.0], [0.0, 0.5, 0.8], [0.0, 0.5, 1.0]])
    drawn = jitter_placements(vectors, 0.1, 50, np.random.default_rng(3))
    assert np.all(drawn[:, :, 0] == 0.0)  # absent instruments are not jittered
    assert np.array_equal(drawn[:, 0], drawn[:, 2])  # same placements, same draws
    assert not np.array_equal(drawn[:, 1, 2], drawn[:, 0, 2])  # 0.8 is a placement of its own
    assert np.all((drawn >= 0) & (drawn <= 1))


unit = st.floats(0.0, 1.0, allow_nan=False)
vector = st.lists(unit, min_size=3, max_size=3).map(np.array)
MEASURE_NAMES = ["proportional", "proximity", "improvement", "categorical", "relative"]


@settings(max_examples=150, deadline=None)
@given(
    reversion=vector,
    outcome=vector,
    ideal=vector,
    other=vector,
    step=st.floats(0.0, 1.0),
    measure_name=st.sampled_from(MEASURE_NAMES),
    aggregation=st.sampled_from(["weighted_mean", "euclidean"]),
)
def test_range_and_monotone_towards_the_ideal(
    reversion, outcome, ideal, other, step, measure_name, aggregation
):
    w = np.array([1.0, 2.0, 3.0])

    def placed(vec):
        return vec if aggregation == "euclidean" else float(vec @ w / w.sum())

    def pa(out):
        return float(
            score(
                measure_name,
                placed(reversion),
                placed(out),
                placed(ideal),
                placed(other),
                weights=w,
                aggregation=aggregation,
                tau=0.05,
            )
        )

    closer = outcome + step * (ideal - outcome)  # the outcome moved part of the way towards x
    before, after = pa(outcome), pa(closer)
    for value in (before, after):
        assert -1.0 <= value <= 1.0
        if measure_name == "categorical":
            assert value in {0.0, 0.5, 1.0}
        if measure_name == "proximity":
            assert value >= 0.0
    assert after >= before - 1e-9


def test_us_own_stock_stands_in_before_any_request():
    unrequested = MEASURES.assign(us_requested=False)
    table = attainment_table(
        unrequested,
        ROUNDS,
        weights=EQUAL,
        intensity="three_level",
        three_level_values=LEVELS,
        leader="US",
        choices=CHOICES,
    ).set_index(["round", "actor"])
    # No request recorded: the US ideal is its own R2 stock, 3/8, not Japan's outcome.
    assert table.loc[("R2", "US"), "ideal"] == pytest.approx(0.375)
    # In R1 (only the travel ban and freeze in force): 2/8; Japan has nothing, so 0 of the move.
    assert table.loc[("R1", "US"), "ideal"] == pytest.approx(0.25)
    assert table.loc[("R1", "US"), "attainment"] == 0


def test_blank_us_requested_is_read_by_the_config_key():
    from analysis.scores.attainment import with_blank_flags_read

    frame = pd.DataFrame(
        [
            measure("JP-blank", "JP", "travel_ban", "2014-04-29", us_requested=None),
            measure("JP-no", "JP", "asset_freeze", "2014-08-05", us_requested=False),
            measure("JP-yes", "JP", "arms_embargo", "2014-09-25", us_requested=True),
            measure("US-blank", "US", "travel_ban", "2014-03-06", us_requested=None),
        ]
    )
    read = with_blank_flags_read(frame, "not_requested")["us_requested"].tolist()
    assert read == [False, False, True, False]
    assert with_blank_flags_read(frame, "requested")["us_requested"].tolist() == [True, False, True, False]
    with pytest.raises(ValueError, match="blank_us_requested"):
        with_blank_flags_read(frame, "maybe")
    # Read as requested, Japan's blank travel ban sets the US ideal: R2 ideal moves above the outcome.
    blank = MEASURES.assign(us_requested=[None, True, None, None, None])
    low, high = (
        attainment_table(
            blank,
            ROUNDS,
            weights=EQUAL,
            intensity="three_level",
            three_level_values=LEVELS,
            leader="US",
            choices=CHOICES | {"blank_us_requested": reading},
        )
        for reading in ("not_requested", "requested")
    )
    ideal = {
        name: t.set_index(["round", "actor"]).loc[("R2", "US"), "ideal"]
        for name, t in [("low", low), ("high", high)]
    }
    assert ideal["high"] > ideal["low"]
