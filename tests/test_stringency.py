"""Stringency index: hand-worked stock, flow, depth, easing, coverage, breadth; monotonicity property."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.scores.stringency import (
    INSTRUMENTS,
    breadth,
    positions_at,
    prepare_measures,
    stringency_index,
    stringency_table,
)

ORDINAL_2014 = {
    "diplomatic_suspension": 1,
    "travel_ban": 1,
    "asset_freeze": 2,
    "crimea_trade_ban": 2,
    "arms_embargo": 2,
    "dual_use_ban": 2,
    "sectoral_finance": 3,
    "energy_technology": 3,
}  # Σ = 16
# The instruments first used in 2022 are outside the 2014–2016 rounds' repertoire: their weight never counts.
ORDINAL = ORDINAL_2014 | {k: 5 for k in INSTRUMENTS if k not in ORDINAL_2014}
EQUAL = dict.fromkeys(INSTRUMENTS, 1)
LEVELS = {"symbolic": 0.5, "partial": 0.5, "full": 1.0}
ROUNDS = [
    {"id": "R1", "start": "2014-03-01", "end": "2014-03-31"},
    {"id": "R2", "start": "2014-04-01", "end": "2014-08-31"},
    {"id": "R3", "start": "2014-09-01", "end": "2014-12-31"},
]


def measure(event_id, sender, instrument, date, **extra):
    return {"event_id": event_id, "sender": sender, "instrument": instrument, "date": date, **extra}


MEASURES = pd.DataFrame(
    [
        measure("US-tb", "US", "travel_ban", "2014-03-06"),
        measure("US-af", "US", "asset_freeze", "2014-03-17"),
        measure("US-sf", "US", "sectoral_finance", "2014-07-16"),
        measure("JP-ds", "JP", "diplomatic_suspension", "2014-03-18"),  # uncoded
        measure("JP-tb", "JP", "travel_ban", "2014-04-29", intensity_code="symbolic"),
        measure("JP-af", "JP", "asset_freeze", "2014-08-05", intensity_code="partial"),
        measure("JP-ease", "JP", "easing", "2014-09-10", affects_instrument="diplomatic_suspension"),
        measure("RU-cm", "RU", "counter_measure", "2014-03-20", affects_instrument="travel_ban"),
    ]
)


def table(measures=MEASURES, **choices):
    options = {
        "weights": ORDINAL,
        "basis": "stock",
        "intensity": "three_level",
        "three_level_values": LEVELS,
        "leader": "US",
    } | choices
    return stringency_table(measures, ROUNDS, **options)


def cell(frame, sender, round_id, column):
    return frame.set_index(["sender", "round"]).loc[(sender, round_id), column]


def test_stock_and_flow_by_hand():
    scores, _ = table()
    # R1: JP's uncoded suspension counts as full (weight 1): 100·1/16.
    assert cell(scores, "JP", "R1", "stringency_stock") == pytest.approx(6.25)
    assert cell(scores, "JP", "R1", "stringency_flow") == pytest.approx(6.25)
    # R2 stock: suspension 1·1 + travel ban 0.5·1 + asset freeze 0.5·2 = 2.5 → 100·2.5/16.
    assert cell(scores, "JP", "R2", "stringency_stock") == pytest.approx(15.625)
    # R2 flow: only the travel ban and the freeze were adopted in April–August: 1.5/16.
    assert cell(scores, "JP", "R2", "stringency_flow") == pytest.approx(9.375)
    # R3: the September easing halves the suspension: 0.5 + 0.5 + 1 = 2 → 12.5; nothing adopted.
    assert cell(scores, "JP", "R3", "stringency_stock") == pytest.approx(12.5)
    assert cell(scores, "JP", "R3", "stringency_flow") == pytest.approx(0.0)
    # US R2: travel 1 + freeze 2 + sectoral 3 = 6 → 37.5; basis stock is the one chosen.
    assert cell(scores, "US", "R2", "stringency") == pytest.approx(37.5)
    assert cell(scores, "JP", "R2", "relative_to_leader") == pytest.approx(15.625 / 37.5)
    assert cell(scores, "US", "R2", "relative_to_leader") == pytest.approx(1.0)


def test_coverage_breadth_and_senders():
    scores, _ = table()
    # The leader has travel ban, freeze, sectoral finance in R2; Japan has the first two: 2/3.
    assert cell(scores, "JP", "R2", "coverage") == pytest.approx(2 / 3)
    # JP R2: other (suspension), travel, financial (freeze) → 3 GSDB types; US: travel, financial → 2.
    assert cell(scores, "JP", "R2", "breadth") == 3
    assert cell(scores, "US", "R2", "breadth") == 2
    # Russia has only counter-measures, which are not instruments of stringency: no RU row.
    assert set(scores["sender"]) == {"JP", "US"}
    assert list(scores["round"]) == ["R1", "R1", "R2", "R2", "R3", "R3"]


def test_flow_basis_and_relative_when_leader_zero():
    scores, _ = table(basis="flow")
    # R3 flow: the leader adopted nothing, so the ratio is undefined (missing, not zero).
    assert np.isnan(cell(scores, "JP", "R3", "relative_to_leader"))
    # R2 flow: JP 9.375 vs US 100·3/16 = 18.75 (only sectoral finance adopted by the US).
    assert cell(scores, "JP", "R2", "relative_to_leader") == pytest.approx(0.5)


def test_uncoded_partial_and_easing_factor():
    scores, _ = table(uncoded_intensity="partial")
    # The uncoded suspension now counts 0.5: 100·0.5/16; the leader's uncoded measures stay full.
    assert cell(scores, "JP", "R1", "stringency_stock") == pytest.approx(3.125)
    assert cell(scores, "US", "R1", "stringency_stock") == pytest.approx(100 * 3 / 16)
    lifted, _ = table(easing_factor=0.0)
    # Easing as a repeal: suspension 0 + 0.5 + 1 = 1.5 → 9.375, and the suspension leaves coverage/breadth.
    assert cell(lifted, "JP", "R3", "stringency_stock") == pytest.approx(9.375)
    assert cell(lifted, "JP", "R3", "breadth") == 2


def test_measure_after_easing_is_not_eased():
    later = pd.concat(
        [MEASURES, pd.DataFrame([measure("JP-ds2", "JP", "diplomatic_suspension", "2014-10-01")])],
        ignore_index=True,
    )
    scores, _ = table(later)
    # The October suspension postdates the easing: max(0.5, 1) = 1 → back to 2.5/16.
    assert cell(scores, "JP", "R3", "stringency_stock") == pytest.approx(15.625)


def test_leave_one_out_by_hand():
    _, loo = table()
    row = loo[(loo["sender"] == "JP") & (loo["round"] == "R2") & (loo["left_out"] == "asset_freeze")]
    # Without the freeze (weight 2): (1 + 0.5)/(16 − 2) = 1.5/14.
    assert row["stringency"].item() == pytest.approx(100 * 1.5 / 14)
    assert len(loo) == 2 * 3 * 8


DEPTH = pd.DataFrame(
    [
        measure("US-tb", "US", "travel_ban", "2014-03-06", individuals=7, list_public=True),
        measure("US-af", "US", "asset_freeze", "2014-03-17", individuals=10, entities=10, list_public=True),
        measure("US-af2", "US", "asset_freeze", "2014-04-28", individuals=20, list_public=True),
        measure("JP-ds", "JP", "diplomatic_suspension", "2014-03-18"),
        measure(
            "JP-tb",
            "JP",
            "travel_ban",
            "2014-04-29",
            individuals=23,
            list_public=False,
            intensity_code="symbolic",
        ),
        measure(
            "JP-af",
            "JP",
            "asset_freeze",
            "2014-08-05",
            individuals=8,
            entities=2,
            list_public=True,
            intensity_code="partial",
        ),
        measure("CA-tb", "CA", "travel_ban", "2014-03-17", individuals=30, list_public=True),
    ]
)


def test_depth_counts_by_hand():
    scores, _ = table(DEPTH, weights=EQUAL, intensity="depth_counts")
    # JP R2: freeze depth (8 + 2)/(10 + 10 + 20) = 0.25; travel ban list secret → missing;
    # suspension: the leader has no counted list of it, so the three-level value 1 (uncoded → full).
    # Renormalised over the 7 known instruments: 100·(1 + 0.25)/7.
    assert cell(scores, "JP", "R2", "stringency_stock") == pytest.approx(100 * 1.25 / 7)
    assert cell(scores, "JP", "R2", "n_missing") == 1
    # A secret list is still in force: coverage counts it (travel ban, freeze of the leader's two).
    assert cell(scores, "JP", "R2", "coverage") == pytest.approx(1.0)
    # CA lists 30 against the leader's 7: depth capped at 1 → 100·1/8.
    assert cell(scores, "CA", "R1", "stringency_stock") == pytest.approx(12.5)
    strict, _ = table(DEPTH, weights=EQUAL, intensity="depth_counts", missing="propagate")
    assert np.isnan(cell(strict, "JP", "R2", "stringency_stock"))
    # Under three_level the same frame has no missing intensity: (1 + 0.5 + 0.5)/8.
    levels, _ = table(DEPTH, weights=EQUAL)
    assert cell(levels, "JP", "R2", "stringency_stock") == pytest.approx(25.0)
    assert cell(levels, "JP", "R2", "n_missing") == 0


def test_index_vectorised_over_weight_sets():
    x = np.array([1.0, 0.5, 0, 0, 0, 0, 0, np.nan])
    weights = np.stack([np.ones(8), np.array(list(ORDINAL_2014.values()), dtype=float)])
    # Equal: (1 + 0.5)/7 over the known seven; ordinal: (1 + 0.5)/(16 − 3).
    assert stringency_index(x, weights) == pytest.approx([100 * 1.5 / 7, 100 * 1.5 / 13])
    assert np.isnan(stringency_index(np.full(8, np.nan), np.ones(8)))


def test_breadth_maps_instruments_to_gsdb_types():
    x = np.zeros(len(INSTRUMENTS))
    x[[3, 5, 7]] = 1.0  # Crimea trade ban, dual-use, energy technology: all GSDB `trade`
    assert breadth(x) == 1
    x[4] = np.nan  # an arms embargo of unknown intensity is still in force
    assert breadth(x) == 2


instrument_rows = st.lists(
    st.tuples(
        st.sampled_from(INSTRUMENTS + ["easing"]),
        st.integers(0, 900),
        st.sampled_from([None, "symbolic", "partial", "full"]),
        st.sampled_from(INSTRUMENTS),
    ),
    min_size=0,
    max_size=12,
)


def _frame(rows):
    base = pd.Timestamp("2014-03-01")
    return pd.DataFrame(
        [
            measure(
                f"JP-{i}",
                "JP",
                instrument,
                (base + pd.Timedelta(days=day)).strftime("%Y-%m-%d"),
                intensity_code=code,
                affects_instrument=affected if instrument == "easing" else None,
            )
            for i, (instrument, day, code, affected) in enumerate(rows)
        ],
        columns=["event_id", "sender", "instrument", "date", "intensity_code", "affects_instrument"],
    )


@settings(max_examples=80, deadline=None)
@given(
    rows=instrument_rows,
    extra=st.tuples(
        st.sampled_from(INSTRUMENTS),
        st.integers(0, 900),
        st.sampled_from([None, "symbolic", "partial", "full"]),
    ),
    end_day=st.integers(0, 900),
    uncoded=st.sampled_from(["full", "partial"]),
)
def test_adding_a_measure_never_lowers_stock(rows, extra, end_day, uncoded):
    end = pd.Timestamp("2014-03-01") + pd.Timedelta(days=end_day)
    options = {
        "leader": "US",
        "intensity": "three_level",
        "three_level_values": LEVELS,
        "uncoded_intensity": uncoded,
        "easing_factor": 0.5,
    }
    w = np.array(list(ORDINAL.values()), dtype=float)
    before = stringency_index(positions_at(prepare_measures(_frame(rows)), "JP", end, **options), w)
    grown = _frame([*rows, (extra[0], extra[1], extra[2], INSTRUMENTS[0])])
    after = stringency_index(positions_at(prepare_measures(grown), "JP", end, **options), w)
    assert 0.0 <= before <= 100.0 and 0.0 <= after <= 100.0
    assert after >= before - 1e-12


def test_running_total_stands_for_the_listings_it_contains():
    """The leader's 10 listed in March are inside its June total of 30; only July's 5 come on top."""
    frame = prepare_measures(
        pd.DataFrame(
            [
                measure("US-l1", "US", "travel_ban", "2014-03-17", individuals=10, count_basis="listing"),
                measure(
                    "US-tot", "US", "travel_ban", "2014-06-01", individuals=30, count_basis="running_total"
                ),
                measure("US-l2", "US", "travel_ban", "2014-07-01", individuals=5, count_basis="listing"),
                measure("JP-tb", "JP", "travel_ban", "2014-08-01", individuals=14, list_public=True),
            ]
        )
    )
    options = {
        "leader": "US",
        "intensity": "depth_counts",
        "three_level_values": LEVELS,
        "uncoded_intensity": "full",
        "easing_factor": 0.5,
    }
    travel = INSTRUMENTS.index("travel_ban")
    japan = positions_at(frame, "JP", pd.Timestamp("2014-08-31"), **options)
    assert japan[travel] == pytest.approx(14 / 35)
    # Before the total exists, the listings are summed as before.
    early = positions_at(
        frame.assign(sender=frame["sender"]),
        "JP",
        pd.Timestamp("2014-08-31"),
        leader_end=pd.Timestamp("2014-04-30"),
        **options,
    )
    assert early[travel] == pytest.approx(1.0)  # 14 against the 10 listed by 30 April, capped


def test_the_stringency_table_reads_running_totals_too():
    """The table, not only positions_at: the leader's June total of 30 holds its March 10, so Japan's
    14 listed are read against 30 + 5, exactly as if the leader had listed 30 and then 5."""
    japan = measure("JP-tb", "JP", "travel_ban", "2014-08-01", individuals=14, list_public=True)
    with_total = pd.DataFrame(
        [
            measure("US-l1", "US", "travel_ban", "2014-03-17", individuals=10, count_basis="listing"),
            measure("US-tot", "US", "travel_ban", "2014-06-01", individuals=30, count_basis="running_total"),
            measure("US-l2", "US", "travel_ban", "2014-07-01", individuals=5, count_basis="listing"),
            japan,
        ]
    )
    as_listings = pd.DataFrame(
        [
            measure("US-l1", "US", "travel_ban", "2014-06-01", individuals=30, count_basis="listing"),
            measure("US-l2", "US", "travel_ban", "2014-07-01", individuals=5, count_basis="listing"),
            japan,
        ]
    )
    read, expected = (table(m, intensity="depth_counts")[0] for m in (with_total, as_listings))
    assert cell(read, "JP", "R2", "stringency_stock") == pytest.approx(
        cell(expected, "JP", "R2", "stringency_stock")
    )
