"""Timing: hand-worked lags behind the leader and the peers, first moves, round summary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.scores.timing import timing_tables

ROUNDS = [{"id": "R1", "start": "2014-03-01", "end": "2014-03-31"},
          {"id": "R2", "start": "2014-04-01", "end": "2014-08-31"},
          {"id": "R3", "start": "2014-09-01", "end": "2014-12-31"}]


def measure(event_id, sender, instrument, date, **extra):
    return {"event_id": event_id, "sender": sender, "instrument": instrument, "date": date, **extra}


MEASURES = pd.DataFrame([
    measure("US-tb1", "US", "travel_ban", "2014-03-06"),
    measure("US-tb2", "US", "travel_ban", "2014-03-17"),
    measure("US-tb3", "US", "travel_ban", "2014-04-28"),
    measure("US-af", "US", "asset_freeze", "2014-03-17"),
    measure("US-du", "US", "dual_use_ban", "2014-04-10"),
    measure("CA-tb", "CA", "travel_ban", "2014-03-17"),
    measure("CA-tb2", "CA", "travel_ban", "2014-05-05"),
    measure("AU-tb", "AU", "travel_ban", "2014-03-19"),
    measure("NZ-tb", "NZ", "travel_ban", "2014-04-01"),
    measure("JP-tb", "JP", "travel_ban", "2014-04-29"),
    measure("JP-du", "JP", "dual_use_ban", "2014-04-01"),
    measure("JP-af", "JP", "asset_freeze", "2014-08-05"),
    measure("JP-ct", "JP", "crimea_trade_ban", "2014-09-24"),
    measure("JP-ease", "JP", "easing", "2014-10-01", affects_instrument="travel_ban"),
    measure("JP-late", "JP", "arms_embargo", "2017-01-10"),
])


def run(**choices):
    options = {"leader": "US", "peers": ["CA", "AU", "NZ"], "first_mover_window_days": 30} | choices
    by_measure, by_round = timing_tables(MEASURES, ROUNDS, **options)
    return by_measure.set_index("event_id"), by_round.set_index("round")


def test_lags_against_the_leaders_first_measure():
    rows, _ = run()
    travel = rows.loc["JP-tb"]
    assert travel["leader_event_id"] == "US-tb1" and travel["leader_date"] == "2014-03-06"
    # 6 March → 29 April: 25 days left in March + 29 in April = 54.
    assert travel["lag_days"] == 54
    # Peers' first travel bans behind 6 March: CA 11, AU 13, NZ 26 → median 13; 54 − 13 = 41.
    assert travel["peer_median_lag_days"] == 13
    assert travel["relative_lag_days"] == 41
    # The US added names on 28 April, within 30 days before: not a first move.
    assert not travel["first_mover"]
    # 17 March → 5 August: 14 + 30 + 31 + 30 + 31 + 5 = 141; no US freeze in the 30 days before.
    assert rows.loc["JP-af", "lag_days"] == 141
    assert rows.loc["JP-af", "first_mover"]
    # No peer froze assets: the peer median and the relative lag are missing, not zero.
    assert np.isnan(rows.loc["JP-af", "peer_median_lag_days"])
    assert np.isnan(rows.loc["JP-af", "relative_lag_days"])
    # Japan banned dual-use exports nine days before the US: negative lag, a first move.
    assert rows.loc["JP-du", "lag_days"] == -9
    assert rows.loc["JP-du", "first_mover"]


def test_unmatched_easing_and_out_of_round_measures():
    rows, _ = run()
    # The leader never banned Crimean trade: unmatched, empty lag, a first move.
    assert pd.isna(rows.loc["JP-ct", "leader_event_id"]) and np.isnan(rows.loc["JP-ct", "lag_days"])
    assert rows.loc["JP-ct", "first_mover"]
    # Easings are not measures of a sender's sanctions.
    assert "JP-ease" not in rows.index
    # A measure outside every window keeps an empty round.
    assert pd.isna(rows.loc["JP-late", "round"])


def test_latest_before_matching():
    rows, _ = run(matching="latest_before")
    travel = rows.loc["JP-tb"]
    # Most recent US travel ban on or before 29 April: 28 April → lag 1.
    assert travel["leader_event_id"] == "US-tb3" and travel["lag_days"] == 1
    # Peers' first travel ban on or after 28 April: only CA on 5 May (7 days) → relative 1 − 7 = −6.
    assert travel["peer_median_lag_days"] == 7 and travel["relative_lag_days"] == -6
    # With no US dual-use ban before 1 April, the first one after is used.
    assert rows.loc["JP-du", "lag_days"] == -9


def test_first_mover_window():
    rows, _ = run(first_mover_window_days=0)
    # With a zero-day window only a same-day leader measure counts: the travel ban becomes a first move.
    assert rows.loc["JP-tb", "first_mover"]
    wide, _ = run(first_mover_window_days=200)
    # 17 March lies within 200 days before 5 August.
    assert not wide.loc["JP-af", "first_mover"]


def test_round_summary_by_hand():
    _, rounds = run()
    assert rounds.loc["R1", "n_measures"] == 0
    assert np.isnan(rounds.loc["R1", "median_lag_days"]) and np.isnan(rounds.loc["R1", "first_mover_share"])
    # R2: travel ban (54, relative 41, follower), dual-use (−9, first), freeze (141, first).
    assert rounds.loc["R2", "n_measures"] == 3 and rounds.loc["R2", "n_matched"] == 3
    assert rounds.loc["R2", "median_lag_days"] == 54
    # Dual-use peers: none → relative lag missing; only the travel ban has one (41).
    assert rounds.loc["R2", "median_relative_lag_days"] == 41
    assert rounds.loc["R2", "first_mover_share"] == pytest.approx(2 / 3)
    # R3: the unmatched Crimea ban only (the easing is not counted).
    assert rounds.loc["R3", "n_measures"] == 1 and rounds.loc["R3", "n_matched"] == 0
    assert rounds.loc["R3", "first_mover_share"] == 1.0
    assert list(rounds.index) == ["R1", "R2", "R3"]


def test_vague_dates_are_not_timed():
    vague = pd.DataFrame([
        measure("US-sf", "US", "sectoral_finance", "2014-01-01", date_precision="year"),
        measure("US-sf2", "US", "sectoral_finance", "2014-07-16", date_precision="day"),
        measure("US-ar", "US", "arms_embargo", "2014-01-01", date_precision="year"),
        measure("CA-sf", "CA", "sectoral_finance", "2014-01-01", date_precision="year"),
        measure("AU-sf", "AU", "sectoral_finance", "2014-09-01", date_precision="month"),
        measure("JP-sf", "JP", "sectoral_finance", "2014-09-25", date_precision="day"),
        measure("JP-ar", "JP", "arms_embargo", "2014-09-25", date_precision="day"),
        measure("JP-du", "JP", "dual_use_ban", "2014-01-01", date_precision="year"),
    ])
    rows = timing_tables(vague, ROUNDS, leader="US", peers=["CA", "AU", "NZ"],
                         first_mover_window_days=30)[0].set_index("event_id")
    # The year-dated US measure is skipped: matched to 16 July → 15 + 31 + 25 = 71 days.
    assert rows.loc["JP-sf", "leader_event_id"] == "US-sf2" and rows.loc["JP-sf", "lag_days"] == 71
    # Peers: CA's year-dated measure is skipped; AU (month, kept) 1 September − 16 July = 47.
    assert rows.loc["JP-sf", "peer_median_lag_days"] == 47
    # No precise US step in the 30 days before 25 September, and the year-dated one (all of 2014)
    # might fall in them: unknown.
    assert pd.isna(rows.loc["JP-sf", "first_mover"])
    assert pd.isna(rows.loc["JP-ar", "first_mover"]) and pd.isna(rows.loc["JP-ar", "leader_event_id"])
    # A year-dated Japanese measure gets neither a lag nor a first-mover flag.
    assert pd.isna(rows.loc["JP-du", "first_mover"]) and np.isnan(rows.loc["JP-du", "lag_days"])
    everything = timing_tables(vague, ROUNDS, leader="US", peers=["CA"], first_mover_window_days=30,
                               coarsest_precision="year")[0].set_index("event_id")
    # Timing every date: the US's 1 January placement is the first → 267 days (Jan 1 → Sep 25).
    assert everything.loc["JP-sf", "lag_days"] == 267
