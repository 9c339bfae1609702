"""Figures: one spec per figure, alt text and tooltips on each, deterministic SVG from the spec."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import vl_convert

from analysis.present import figures
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
    by_sender = pd.DataFrame(
        {
            "event_id": ["JP-a", "JP-c", "JP-a", "JP-c"],
            "instrument": ["travel_ban", "asset_freeze"] * 2,
            "round": ["R1", "R2"] * 2,
            "against": ["US", "US", "EU", "EU"],
            "lag_days": [12, 140, 5, None],
        }
    )
    return {
        "by_sender": by_sender,
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
        assert re.match(r"<!-- drawn by vl-convert \S+ from spec [0-9a-f]{64} -->\n<svg", svg), name
        assert "<image" not in svg, f"{name}: the PDF figure must be vector, not an embedded raster"


def test_figures_use_the_colour_blind_safe_palette(tables):
    spec, _ = spec_and_svg(all_figures(tables, ROUNDS, "US", ["CA"], THRESHOLDS)["stringency"])
    assert spec["config"]["range"]["category"] == OKABE_ITO


def test_same_tables_give_the_same_spec_and_svg(tables):
    """Drawn twice in one process (make_figures draws them all in one), every figure is the same bytes:
    the second drawing's clip paths would otherwise count on from the first's."""
    first = {
        name: spec_and_svg(chart)
        for name, chart in all_figures(tables, ROUNDS, "US", ["CA"], THRESHOLDS).items()
    }
    second = {
        name: spec_and_svg(chart)
        for name, chart in all_figures(tables, ROUNDS, "US", ["CA"], THRESHOLDS).items()
    }
    assert any("clip-path" in svg for _, svg in first.values())  # the property has something to bite on
    for name in first:
        assert json.dumps(first[name][0], sort_keys=True) == json.dumps(second[name][0], sort_keys=True), name
        assert first[name][1] == second[name][1], name


def test_an_unchanged_figure_keeps_its_svg_and_a_changed_one_is_drawn_anew(tables, monkeypatch):
    """make_figures hands each figure its SVG from the last build: kept when drawn from the same spec
    by the same vl-convert and drawing code, else drawn anew, byte for byte as a cold build draws it."""
    charts = all_figures(tables, ROUNDS, "US", ["CA"], THRESHOLDS)
    _, svg = spec_and_svg(charts["stringency"])
    _, other = spec_and_svg(charts["influence"])
    with monkeypatch.context() as patched:
        patched.setattr(
            vl_convert, "vegalite_to_svg", lambda spec: pytest.fail("an unchanged figure was redrawn")
        )
        assert spec_and_svg(charts["stringency"], svg)[1] == svg
    assert spec_and_svg(charts["influence"], svg)[1] == other  # another spec: drawn anew
    with monkeypatch.context() as patched:  # the same spec drawn by another vl-convert
        patched.setattr(vl_convert, "__version__", "0.0.0")
        _, another_engine = spec_and_svg(charts["stringency"])
    assert another_engine != svg
    with monkeypatch.context() as patched:  # the same spec after an edit to the drawing code
        patched.setattr(figures, "_DRAWING_CODE", figures._DRAWING_CODE + "# edited\n")
        assert spec_and_svg(charts["stringency"], svg)[1] != svg
    unstamped = svg.split("\n", 1)[1]  # as drawn before SVGs named their source
    for previous in (another_engine, unstamped):
        assert spec_and_svg(charts["stringency"], previous)[1] == svg


def test_timeline_shows_the_rounds_not_distant_context(tables):
    spec, _ = spec_and_svg(all_figures(tables, ROUNDS, "US", ["CA"], THRESHOLDS)["timeline"])
    dates = [row.get("date") for rows in spec["datasets"].values() for row in rows if "date" in row]
    assert "2014-03-18" in dates
    assert "2009-01-01" not in dates  # years before the first round would squeeze the rounds flat


# ── Time zones: dates are days in UTC, whatever the machine's or the reader's zone ───────────────

_SPECS_AND_SVGS = """
import hashlib, json, sys
sys.path.insert(0, {tests!r})
import test_figures as t
from analysis.present.figures import all_figures, spec_and_svg
tables = t.tables.__wrapped__()
charts = all_figures(tables, t.ROUNDS, "US", ["CA"], t.THRESHOLDS)
out = {{}}
for name, chart in sorted(charts.items()):
    spec, svg = spec_and_svg(chart)
    out[name] = [json.dumps(spec, sort_keys=True), svg]
print(json.dumps(out))
"""


def _figures_under(tz: str) -> dict[str, list[str]]:
    import os
    import subprocess
    import sys
    from pathlib import Path

    tests = str(Path(__file__).resolve().parent)
    env = {**os.environ, "TZ": tz}
    result = subprocess.run(
        [sys.executable, "-c", _SPECS_AND_SVGS.format(tests=tests)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(result.stdout)


def test_specs_and_svgs_are_byte_identical_in_every_time_zone():
    """UTC+14 (Kiritimati) and UTC-8 (Los Angeles) straddle the date line: a local-time axis moves."""
    reference = _figures_under("UTC")
    for tz in ("Pacific/Kiritimati", "America/Los_Angeles"):
        other = _figures_under(tz)
        for name in reference:
            assert other[name][0] == reference[name][0], f"{name}: the spec differs under TZ={tz}"
            assert other[name][1] == reference[name][1], f"{name}: the SVG differs under TZ={tz}"


def test_temporal_encodings_are_utc(tables):
    """Every temporal field is on a UTC scale (axes) or a UTC time unit (tooltips, text)."""
    for name, chart in all_figures(tables, ROUNDS, "US", ["CA"], THRESHOLDS).items():
        for channel in _temporal_channels(chart.to_dict()):
            on_utc_scale = (channel.get("scale") or {}).get("type") == "utc"
            assert on_utc_scale or str(channel.get("timeUnit", "")).startswith("utc"), (name, channel)


def _temporal_channels(node):
    if isinstance(node, dict):
        if node.get("type") == "temporal":
            yield node
        for value in node.values():
            yield from _temporal_channels(value)
    elif isinstance(node, list):
        for value in node:
            yield from _temporal_channels(value)


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


OUT_OF_SAMPLE = {
    "id": "R4",
    "label": "Round 4 (out of sample)",
    "start": "2022-01-01",
    "end": "2022-12-31",
    "out_of_sample": True,
}


def with_out_of_sample_round(tables):
    """The fixture plus a later round marked out of sample, with a Japanese measure and its timing."""
    extra = pd.DataFrame(
        {
            "event_id": ["JP-z", "US-z"],
            "sender": ["JP", "US"],
            "instrument": ["asset_freeze"] * 2,
            "date": ["2022-03-01", "2022-02-24"],
        }
    )
    timed = pd.DataFrame(
        {
            "event_id": ["JP-z", "JP-z"],
            "instrument": ["asset_freeze"] * 2,
            "round": ["R4"] * 2,
            "against": ["US", "EU"],
            "lag_days": [5, 3],
        }
    )
    return {
        **tables,
        "measures": pd.concat([tables["measures"], extra], ignore_index=True),
        "by_sender": pd.concat([tables["by_sender"], timed], ignore_index=True),
    }


def test_timeline_keeps_to_the_in_sample_rounds(tables):
    rounds = [*ROUNDS, OUT_OF_SAMPLE]
    spec, _ = spec_and_svg(
        all_figures(with_out_of_sample_round(tables), rounds, "US", ["CA"], THRESHOLDS)["timeline"]
    )
    dates = [row.get("date") for row in _values(spec) if "date" in row]
    assert "2014-03-18" in dates and "2022-03-01" not in dates


def test_out_of_sample_figure_times_each_round_against_the_in_sample_ones(tables):
    rounds = [*ROUNDS, OUT_OF_SAMPLE]
    spec, _ = spec_and_svg(
        all_figures(with_out_of_sample_round(tables), rounds, "US", ["CA"], THRESHOLDS)["out_of_sample"]
    )
    assert len(spec["vconcat"]) == 2  # the round's own timeline above the lag comparison
    rows = [row for row in _values(spec) if "median_lag_days" in row]
    by = {(r["instrument"], r["against"], r["sample"]): r["median_lag_days"] for r in rows}
    assert by[("asset_freeze", "US", "R4")] == 5
    assert by[("asset_freeze", "US", "2014")] == 140
    assert ("asset_freeze", "EU", "2014") not in by  # an untimed measure has no lag to show
    timeline_dates = [row.get("date") for row in _values(spec) if "date" in row and "lane" in row]
    assert "2022-03-01" in timeline_dates and "2014-03-18" not in timeline_dates


def test_out_of_sample_figure_without_such_a_round_shows_the_in_sample_lags_only(tables):
    spec, _ = spec_and_svg(all_figures(tables, ROUNDS, "US", ["CA"], THRESHOLDS)["out_of_sample"])
    assert len(spec["vconcat"]) == 1
    assert {row["sample"] for row in _values(spec) if "sample" in row} == {"2014"}


def test_timeline_names_what_a_carve_out_spares(tables):
    extra = pd.DataFrame(
        {
            "event_id": ["JP-k"],
            "sender": ["JP"],
            "instrument": ["carve_out"],
            "affects_instrument": ["energy_import_ban"],
            "date": ["2014-05-20"],
        }
    )
    tables = {**tables, "measures": pd.concat([tables["measures"], extra], ignore_index=True)}
    spec, _ = spec_and_svg(all_figures(tables, ROUNDS, "US", ["CA"], THRESHOLDS)["timeline"])
    whats = {row.get("what") for row in _values(spec)}
    assert "carve-out from energy import bans" in whats
    assert "travel and visa bans" in whats  # an ordinary measure keeps its instrument's name
