"""Figures: one spec per figure, alt text and tooltips on each, deterministic SVG from the spec."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.present.figures import FIGURE_DESCRIPTIONS, OKABE_ITO, all_figures, spec_and_svg

THRESHOLDS = {"supported": 0.75, "rejected": 0.25}
ROUNDS = [
    {"id": "R1", "label": "Round 1", "start": "2014-03-01", "end": "2014-03-31"},
    {"id": "R2", "label": "Round 2", "start": "2014-04-01", "end": "2014-08-31"},
]


@pytest.fixture()
def tables() -> dict[str, pd.DataFrame]:
    measures = pd.DataFrame(
        {
            "event_id": ["JP-a", "US-b", "JP-c", "JP-old"],
            "sender": ["JP", "US", "JP", "JP"],
            "instrument": ["travel_ban", "travel_ban", "asset_freeze", "other"],
            "date": ["2014-03-18", "2014-03-06", "2014-07-28", "2009-01-01"],
        }
    )
    pressure = pd.DataFrame(
        {
            "pressure_id": ["US-p"],
            "date": ["2014-04-24"],
            "actor": ["Obama"],
            "channel": ["direct"],
            "form": ["summit"],
        }
    )
    engagements = pd.DataFrame({"engagement_id": ["EN-x"], "date": ["2014-05-01"], "kind": ["talks"]})
    stringency = pd.DataFrame(
        {
            "sender": ["JP", "US", "JP", "US"],
            "round": ["R1", "R1", "R2", "R2"],
            "stringency": [10.0, 40.0, 30.0, 60.0],
            "relative_to_leader": [0.25, 1.0, 0.5, 1.0],
        }
    )
    timing = pd.DataFrame(
        {
            "event_id": ["JP-a", "JP-c"],
            "instrument": ["travel_ban", "asset_freeze"],
            "round": ["R1", "R2"],
            "date": ["2014-03-18", "2014-07-28"],
            "lag_days": [12, 140],
            "relative_lag_days": [2, 100],
        }
    )
    attainment = pd.DataFrame(
        {
            "round": ["R1", "R1"],
            "actor": ["US", "JP"],
            "attainment": [0.4, 0.9],
            "lower": [0.3, 0.8],
            "upper": [0.5, 1.0],
        }
    )
    by_type = pd.DataFrame(
        {"round": ["R1"], "attributor_type": ["expert"], "mean_strength": [0.6], "n_statements": [3]}
    )
    weights = pd.DataFrame(
        {
            "evidence_id": ["EV-1", "EV-2"],
            "hypothesis": ["HP1", "HP1"],
            "round": ["R1", "R1"],
            "test_type": ["hoop", "smoking_gun"],
            "outcome": ["found", "found"],
            "weight_db": [2.8, -1.0],
            "counted": [True, False],
        }
    )
    posteriors = pd.DataFrame(
        {
            "hypothesis": ["HP1", "HP1"],
            "round": ["R1", "all"],
            "posterior": [0.7, 0.8],
            "verdict": ["indeterminate", "supported"],
            "n_items": [2, 2],
        }
    )
    return {
        "measures": measures,
        "pressure": pressure,
        "engagements": engagements,
        "stringency": stringency,
        "timing": timing,
        "attainment": attainment,
        "by_type": by_type,
        "weights": weights,
        "posteriors": posteriors,
    }


def test_every_figure_has_alt_text_tooltips_and_an_svg(tables):
    charts = all_figures(tables, ROUNDS, "US", ["CA"], THRESHOLDS)
    assert set(charts) == set(FIGURE_DESCRIPTIONS)
    for name, chart in charts.items():
        spec, svg = spec_and_svg(chart)
        assert spec["description"] == FIGURE_DESCRIPTIONS[name]
        assert "tooltip" in json.dumps(spec), name
        assert svg.lstrip().startswith("<svg"), name
        assert "<image" not in svg, f"{name}: the PDF figure must be vector, not an embedded raster"


def test_figures_use_the_colour_blind_safe_palette(tables):
    spec, _ = spec_and_svg(all_figures(tables, ROUNDS, "US", ["CA"], THRESHOLDS)["stringency"])
    assert spec["config"]["range"]["category"] == OKABE_ITO


def test_same_tables_give_the_same_spec_and_svg(tables):
    first = spec_and_svg(all_figures(tables, ROUNDS, "US", ["CA"], THRESHOLDS)["lag"])
    second = spec_and_svg(all_figures(tables, ROUNDS, "US", ["CA"], THRESHOLDS)["lag"])
    assert json.dumps(first[0], sort_keys=True) == json.dumps(second[0], sort_keys=True)
    assert first[1] == second[1]


def test_timeline_shows_the_rounds_not_distant_context(tables):
    spec, _ = spec_and_svg(all_figures(tables, ROUNDS, "US", ["CA"], THRESHOLDS)["timeline"])
    dates = [row.get("date") for rows in spec["datasets"].values() for row in rows if "date" in row]
    assert "2014-03-18" in dates
    assert "2009-01-01" not in dates  # years before the first round would squeeze the rounds flat


def _values(spec: dict) -> list[dict]:
    return [row for rows in spec["datasets"].values() for row in rows]


def test_timeline_names_japans_measures_and_keeps_points_on_its_axis(tables):
    spec, svg = spec_and_svg(all_figures(tables, ROUNDS, "US", ["CA"], THRESHOLDS)["timeline"])
    keys = [row["key"] for row in _values(spec) if "key" in row]
    assert keys == ["(1) March 2014: Japan's travel and visa bans", "(2) July 2014: Japan's asset freezes"]
    domain = json.dumps(spec)
    assert '"clip": true' in domain  # marks are clipped to the axis window
    assert "JP-a" not in svg and "travel_ban" not in svg  # labels, not ids or codes


def test_influence_legend_lists_only_coded_groups(tables):
    spec, svg = spec_and_svg(all_figures(tables, ROUNDS, "US", ["CA"], THRESHOLDS)["influence"])
    assert "researchers" in svg
    assert "allied officials" not in svg and "alter_ally" not in svg


def test_evidence_figure_shows_what_each_item_shows(tables):
    tables["evidence"] = pd.DataFrame(
        {"evidence_id": ["EV-1", "EV-2"], "observation": ["Obama asked Abe to act", "Moscow welcomed it"]}
    )
    spec, svg = spec_and_svg(all_figures(tables, ROUNDS, "US", ["CA"], THRESHOLDS)["evidence_weights"])
    assert "Obama asked Abe to act" in svg
    assert "EV-1" not in svg
