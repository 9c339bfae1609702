"""Reactivity: response share, the incompleteness readings, Calder's criteria, bad input."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.scores.reactivity import (
    kleene_and,
    kleene_or,
    peer_standing,
    reactivity_by_sender,
    reactivity_score,
    response_share,
    score_reactivity,
    yardstick_senders,
)

ROUNDS = [{"id": "R1"}, {"id": "R2"}]
ALL = ["responded_within_window", "not_first_mover", "incompleteness"]


def tables() -> dict[str, pd.DataFrame]:
    measures = pd.DataFrame(
        {
            "event_id": ["JP-a", "JP-b", "JP-c", "US-a"],
            "sender": ["JP", "JP", "JP", "US"],
            "instrument": ["travel_ban", "asset_freeze", "easing", "asset_freeze"],
            "date": ["2014-03-18", "2014-08-05", "2014-09-10", "2014-03-17"],
            "round": ["R1", "R2", "R2", "R1"],
        }
    )
    pressure = pd.DataFrame(
        {
            "pressure_id": ["P1", "P2", "P3", "P4"],
            "date": ["2014-03-01", "2014-03-10", "2014-04-20", "2014-08-20"],
            "round": ["R1", "R1", "R2", "R2"],
        }
    )
    engagements = pd.DataFrame(
        {"engagement_id": ["E1", "E2"], "independent_initiative": [True, False], "round": ["R2", "R1"]}
    )
    timing = pd.DataFrame({"round": ["R1", "R2"], "first_mover_share": [0.0, 0.5]})
    attainment = pd.DataFrame(
        {
            "round": ["R1", "R1", "R2", "R2"],
            "actor": ["US", "JP", "US", "JP"],
            "attainment": [0.4, 0.9, 1.2, 0.1],
        }
    )
    return {
        "measures": measures,
        "pressure": pressure,
        "engagements": engagements,
        "timing_rounds": timing,
        "attainment": attainment,
    }


def score(reading: str = "thesis", components=ALL, **changes) -> pd.DataFrame:
    t = tables() | changes
    return score_reactivity(
        t["measures"],
        t["pressure"],
        t["engagements"],
        t["timing_rounds"],
        t["attainment"],
        ROUNDS,
        90,
        components,
        0.5,
        reading,
    ).set_index("round")


def test_response_share_by_hand():
    acts = pd.to_datetime(pd.Series(["2014-03-01", "2014-03-10", "2014-08-01"]))
    measures = pd.to_datetime(pd.Series(["2014-03-18", "2014-12-01"]))
    # 1 Mar → 18 Mar (17 days) and 10 Mar → 18 Mar (8 days) are answered; 1 Aug → 1 Dec is 122 days.
    assert response_share(acts, measures, 90) == pytest.approx(2 / 3)
    assert response_share(acts, measures, 130) == pytest.approx(1.0)
    assert math.isnan(response_share(acts.iloc[:0], measures, 90))
    # A measure before the act does not answer it.
    assert response_share(pd.to_datetime(pd.Series(["2014-03-20"])), measures.iloc[:1], 90) == 0.0


def test_reactivity_table_by_hand():
    table = score()
    # R1: both acts answered by 18 Mar → 1; not first mover 1 − 0 = 1; incompleteness 1 − 0.4 = 0.6,
    # entering as 0.4 under the thesis reading → (1 + 1 + 0.4)/3 = 0.8.
    assert table.loc["R1", "responded_within_window"] == pytest.approx(1.0)
    assert table.loc["R1", "not_first_mover"] == pytest.approx(1.0)
    assert table.loc["R1", "incompleteness"] == pytest.approx(0.6)
    assert table.loc["R1", "reactivity"] == pytest.approx(0.8)
    assert bool(table.loc["R1", "reactive"])
    # R2: 20 Apr → 5 Aug is 107 days (not answered); 20 Aug → no later sanction (10 Sep is an easing) → 0;
    # not first mover 0.5; US attainment 1.2 clipped to 1 → incompleteness 0, entering as 1 →
    # (0 + 0.5 + 1)/3 = 0.5.
    assert table.loc["R2", "responded_within_window"] == pytest.approx(0.0)
    assert table.loc["R2", "incompleteness"] == pytest.approx(0.0)
    assert table.loc["R2", "reactivity"] == pytest.approx(0.5)
    assert bool(table.loc["R2", "reactive"])


def test_calder_literal_reverses_incompleteness():
    table = score("calder_literal")
    # R1: (1 + 1 + 0.6)/3; R2: (0 + 0.5 + 0)/3.
    assert table.loc["R1", "reactivity"] == pytest.approx(2.6 / 3)
    assert table.loc["R2", "reactivity"] == pytest.approx(0.5 / 3)
    assert not bool(table.loc["R2", "reactive"])


def test_calder_criteria():
    table = score()
    assert table["independent_initiatives"].tolist() == [0, 1]
    assert table["criterion1"].tolist() == [True, False]
    # R1: responsive (1 ≥ 0.5) and incomplete (0.6 ≥ 0.5) → true. R2: not responsive → false,
    # although Japan eased a measure (erratic) in R2.
    assert table["criterion2"].tolist() == [True, False]


def test_missing_component_is_left_out():
    # R1 without an attainment row: mean of the two other components (1 + 1)/2.
    attainment = tables()["attainment"].iloc[2:]
    table = score(attainment=attainment)
    assert math.isnan(table.loc["R1", "incompleteness"])
    assert table.loc["R1", "reactivity"] == pytest.approx(1.0)
    # criterion 2 in R1: responsive, no easing, incompleteness unknown → unknown.
    assert table.loc["R1", "criterion2"] is None or pd.isna(table.loc["R1", "criterion2"])


def test_components_subset():
    table = score(components=["not_first_mover"])
    assert table["reactivity"].tolist() == pytest.approx([1.0, 0.5])


def test_kleene_logic():
    assert kleene_and(True, None) is None and kleene_and(False, None) is False
    assert kleene_or(True, None) is True and kleene_or(False, None) is None


@settings(max_examples=60, deadline=None)
@given(resp=st.floats(0, 1), nfm=st.floats(0, 1), low=st.floats(0, 1), high=st.floats(0, 1))
def test_incompleteness_direction_by_reading(resp, nfm, low, high):
    low, high = sorted((low, high))

    def value(inc: float, reading: str) -> float:
        return reactivity_score(
            {"responded_within_window": resp, "not_first_mover": nfm, "incompleteness": inc}, ALL, reading
        )

    assert value(high, "thesis") <= value(low, "thesis") + 1e-12
    assert value(high, "calder_literal") >= value(low, "calder_literal") - 1e-12
    assert 0 <= value(low, "thesis") <= 1


def test_bad_input():
    with pytest.raises(ValueError, match="components"):
        score(components=["speed"])
    with pytest.raises(ValueError, match="incompleteness_reading"):
        score("gaiatsu")
    bad_dates = tables()["pressure"].assign(date=["2014-03-01", "March 2014", "2014-04-20", "2014-08-20"])
    with pytest.raises(ValueError, match="pressure column 'date'"):
        score(pressure=bad_dates)
    with pytest.raises(ValueError, match="first_mover_share"):
        score(timing_rounds=tables()["timing_rounds"].drop(columns="first_mover_share"))


def test_reports_of_one_pressure_act_count_once():
    """Two reports of one act (one event_id) are one act: the response share is over acts, not rows."""
    from analysis.data.clean import events_once

    pressure = pd.DataFrame(
        {
            "pressure_id": ["a-text", "a-bib", "b"],
            "event_id": ["a", "a", "b"],
            "date": ["2015-11-08", "2015-10-08", "2014-04-23"],
        }
    )
    once = events_once(pressure, "pressure_id")
    assert once["pressure_id"].tolist() == ["a-bib", "b"]  # the earliest report stands for the act
    assert len(events_once(pressure.drop(columns="event_id"), "pressure_id")) == 3
    blank = pressure.assign(event_id=["", "", "b"])
    assert len(events_once(blank, "pressure_id")) == 3


def test_score_counts_acts_and_initiatives_by_event():
    pressure = pd.DataFrame(
        {
            "pressure_id": ["P1", "P2", "P5"],
            "event_id": ["A", "A", "P5"],
            "date": ["2014-03-01", "2014-03-10", "2014-03-25"],
            "round": ["R1", "R1", "R1"],
        }
    )
    engagements = pd.DataFrame(
        {
            "engagement_id": ["E1", "E3"],
            "event_id": ["E", "E"],
            "independent_initiative": [True, True],
            "round": ["R2", "R2"],
        }
    )
    scored = score(pressure=pressure, engagements=engagements)
    # Act A (two reports) is answered on 18 March, P5 is not (JP-b comes 133 days later): 1 of 2 acts.
    assert scored.loc["R1", "responded_within_window"] == pytest.approx(0.5)
    assert scored.loc["R2", "independent_initiatives"] == 1
    rows = score(pressure=pressure.drop(columns="event_id"), engagements=engagements.drop(columns="event_id"))
    assert rows.loc["R1", "responded_within_window"] == pytest.approx(2 / 3)
    assert rows.loc["R2", "independent_initiatives"] == 2


def peers(**changes) -> pd.DataFrame:
    t = tables()
    measures = pd.concat(
        [
            t["measures"],
            pd.DataFrame(
                {
                    "event_id": ["CA-a", "CA-b", "RU-a"],
                    "sender": ["CA", "CA", "RU"],
                    "instrument": ["travel_ban", "easing", "counter_measure"],
                    "date": ["2014-06-01", "2014-03-12", "2014-08-07"],
                    "round": ["R2", "R1", "R2"],
                }
            ),
        ],
        ignore_index=True,
    )
    first_movers = pd.DataFrame(
        {
            "sender": ["JP", "JP", "CA", "CA"],
            "round": ["R1", "R2", "R1", "R2"],
            "n_measures": [1, 1, 0, 1],
            "first_mover_share": [0.0, 0.5, math.nan, 1.0],
        }
    )
    t = {"measures": measures, "pressure": t["pressure"], "first_movers": first_movers} | changes
    return reactivity_by_sender(
        t["measures"], t["pressure"], t["first_movers"], ROUNDS, 90, ALL, "thesis"
    ).set_index(["sender", "round"])


def test_the_yardstick_scores_every_sender_with_the_same_function():
    table = peers()
    # Japan, as in its own table: R1 responds to both acts (18 March within 90 days of 1 and 10 March),
    # not a first mover 1; incompleteness is left out for every sender (no US demands on the allies).
    assert table.loc[("JP", "R1"), "responded_within_window"] == 1.0
    assert table.loc[("JP", "R1"), "reactivity"] == reactivity_score(
        {"responded_within_window": 1.0, "not_first_mover": 1.0, "incompleteness": math.nan}, ALL, "thesis"
    )
    # Japan's components are the ones its own table reads (same function, same inputs)
    own = score()
    for round_id in ("R1", "R2"):
        for column in ("responded_within_window", "not_first_mover"):
            assert table.loc[("JP", round_id), column] == pytest.approx(own.loc[round_id, column])
    # Canada: in R1 only an easing, no sanction, is coded → no index (missing, never zero). In R2 the
    # 1 June ban answers 20 April but not 20 August → 0.5, first-mover share 1 → mean(0.5, 0).
    assert math.isnan(table.loc[("CA", "R1"), "reactivity"])
    assert math.isnan(table.loc[("CA", "R1"), "rank"]) and table.loc[("JP", "R1"), "n_ranked"] == 1
    assert math.isnan(table.loc[("JP", "R1"), "ratio_to_others_median"])  # no other sender to read against
    assert table.loc[("CA", "R2"), "responded_within_window"] == 0.5
    assert table.loc[("CA", "R2"), "reactivity"] == pytest.approx(0.25)
    # Japan in R2: mean(0, 1 − 0.5) = 0.25, tied with Canada
    assert table.loc[("JP", "R2"), "reactivity"] == pytest.approx(0.25)
    assert table.loc[("JP", "R2"), "rank"] == 1 and table.loc[("CA", "R2"), "rank"] == 1
    assert table.loc[("JP", "R2"), "share_below"] == 0.5 and table.loc[("JP", "R2"), "n_ranked"] == 2
    assert table.loc[("JP", "R2"), "ratio_to_others_median"] == pytest.approx(1.0)


def test_peer_standing_ties_and_missing():
    group = pd.DataFrame({"sender": ["JP", "EU", "CA", "NZ"], "reactivity": [0.5, 0.5, 0.25, math.nan]})
    out = peer_standing(group).set_index("sender")
    assert out.loc["JP", "rank"] == 1 and out.loc["EU", "rank"] == 1 and out.loc["CA", "rank"] == 3
    assert out.loc["JP", "share_below"] == pytest.approx(0.75)  # CA below, EU tied (half)
    assert math.isnan(out.loc["NZ", "rank"]) and (out["n_ranked"] == 3).all()


def test_yardstick_senders_are_the_coded_allies():
    measures = pd.DataFrame(
        {
            "sender": ["US", "EU", "JP", "RU", "NZ", "AU"],
            "instrument": [
                "travel_ban",
                "asset_freeze",
                "travel_ban",
                "counter_measure",
                "easing",
                "travel_ban",
            ],
        }
    )
    # Japan first; the leader and pressuring state, the target and a sender with no sanction are out
    assert yardstick_senders(measures, "US") == ["JP", "EU", "AU"]
    assert yardstick_senders(measures, "EU") == ["JP", "AU"]
