"""Placing dates the documents give only to the month or year (data.coarse_date_placement)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.data.clean import with_dates
from analysis.data.codebook import place_date
from analysis.data.rounds import assign_round

WINDOWS = [
    {"id": "R1", "label": "", "start": "2014-03-01", "end": "2014-03-31"},
    {"id": "R2", "label": "", "start": "2014-04-01", "end": "2014-08-31"},
    {"id": "R3", "label": "", "start": "2014-09-01", "end": "2016-07-31"},
]


@pytest.mark.parametrize(
    ("text", "placement", "expected"),
    [
        ("2014", "first_day", "2014-01-01"),
        ("2014", "last_day", "2014-12-31"),
        ("2014", "midpoint", "2014-07-02"),  # 364 days // 2 = 182 days after 1 January
        ("2016", "midpoint", "2016-07-01"),  # leap year: 365 // 2 = 182 days after 1 January
        ("2014-09", "midpoint", "2014-09-15"),  # 29 // 2 = 14 days after 1 September
        ("2014-02", "last_day", "2014-02-28"),
        ("2014-07-28", "last_day", "2014-07-28"),  # a full date is itself under every placement
        ("2014-13", "midpoint", ""),
    ],
)
def test_place_date(text, placement, expected):
    assert place_date(text, placement) == expected


def test_unknown_placement_is_refused():
    with pytest.raises(ValueError, match="coarse_date_placement"):
        place_date("2014", "start")


def test_placement_decides_the_round_of_a_year_date():
    assert assign_round(["2014"], WINDOWS, "first_day") == [""]  # 1 January: before every round
    assert assign_round(["2014"], WINDOWS, "midpoint") == ["R2"]  # 2 July
    assert assign_round(["2014"], WINDOWS, "last_day") == ["R3"]  # 31 December
    assert assign_round(["2014-03-18"], WINDOWS, "last_day") == ["R1"]


def test_with_dates_keeps_the_precision_beside_the_placed_day():
    frame = pd.DataFrame({"date": ["2014", "2014-09", "2014-04-29"]})
    dated = with_dates(frame, WINDOWS, "midpoint")
    assert dated["date"].tolist() == ["2014-07-02", "2014-09-15", "2014-04-29"]
    assert dated["date_precision"].tolist() == ["year", "month", "day"]
    assert dated["round"].tolist() == ["R2", "R3", "R2"]
