"""The comparison of two builds lists exactly what differs, and nothing for a build with itself."""

from __future__ import annotations

import pandas as pd

from analysis.present.compare import compare_builds, comparison_page


def build(
    influence: str = "0.3",
    aggregation: str = "source_balanced",
    verdict: str = "rejected",
    svg: str = "<svg/>",
) -> dict:
    return {
        "choices": pd.DataFrame(
            {
                "key": ["attributed_influence.aggregation", "hp1.rule"],
                "value": [aggregation, "all_three"],
                "description": ["", ""],
            }
        ),
        "verdicts": pd.DataFrame(
            {"hypothesis": ["HP1", "HP2"], "round": ["R1", "all"], "verdict": [verdict, "supported"]}
        ),
        "headline": {"R1_ai": influence, "n_measures": "38"},
        "scores": {
            "influence": pd.DataFrame(
                {"round": ["R1", "R2"], "influence": [influence, "0.5"], "n_statements": ["4", "5"]}
            )
        },
        "svgs": {"influence": svg, "timeline": "<svg>t</svg>"},
    }


def test_a_build_compared_with_itself_lists_nothing():
    config, changes, figures = compare_builds(build(), build())
    assert config.empty and changes.empty and figures == []
    assert "do not differ" in comparison_page("a", "a", config, changes, figures, {}, {})


def test_one_changed_key_lists_that_key_and_exactly_the_cells_that_change():
    a = build()
    b = build(influence="0.6", aggregation="weighted", verdict="supported", svg="<svg>b</svg>")
    config, changes, figures = compare_builds(a, b)
    assert config.to_dict("records") == [
        {"key": "attributed_influence.aggregation", "value_a": "source_balanced", "value_b": "weighted"}
    ]
    cells = {(r.table, r.row, r.column, r.value_a, r.value_b, r.change) for r in changes.itertuples()}
    assert cells == {
        ("verdicts", "HP1 · R1", "verdict", "rejected", "supported", ""),
        ("headline", "R1_ai", "value", "0.3", "0.6", "+0.3"),
        ("influence", "R1", "influence", "0.3", "0.6", "+0.3"),
    }
    assert figures == ["influence"]


def test_a_row_present_in_one_build_only_is_listed():
    a, b = build(), build()
    b["scores"]["influence"] = pd.concat(
        [
            b["scores"]["influence"],
            pd.DataFrame({"round": ["R3"], "influence": ["0.1"], "n_statements": ["2"]}),
        ],
        ignore_index=True,
    )
    _, changes, _ = compare_builds(a, b)
    assert set(changes["row"]) == {"R3"} and set(changes["value_a"]) == {""}


def test_the_page_escapes_what_it_shows():
    a, b = build(), build(aggregation="<script>alert(1)</script>")
    config, changes, figures = compare_builds(a, b)
    page = comparison_page("a", "<b>", config, changes, figures, {}, {})
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "&lt;b&gt;" in page
