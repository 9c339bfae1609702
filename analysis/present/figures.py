"""Altair figures of the report: one theme, colour-blind-safe, a description (alt text) on each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd
import vl_convert

from analysis.vocabulary import (
    FOCAL,
    MAJOR_SENDERS,
    OKABE_ITO,
    PRESSURING,
    SENDER_COLOURS,
    SENDER_LABELS,
    SENDER_ORDER,
    VERDICT_COLOURS,
)

WIDTH = 560
TIMELINE_MARGIN_DAYS = 61

FIGURE_DESCRIPTIONS = {
    "timeline": "Timeline of sanctions by sender, US pressure on Japan (direct and indirect) and "
                "Japan–Russia engagements, with the analysis rounds shaded.",
    "stringency": "Grouped bars of the stringency index per round for Japan, the leader and the "
                  "peers.",
    "lag": "Days between each Japanese measure and the leader's first comparable measure.",
    "attainment": "Preference attainment of the United States and of Japan per round, with "
                  "Monte Carlo intervals.",
    "influence": "Mean attributed US influence per round by type of attributor.",
    "evidence_weights": "Weight of evidence in decibans of every process-tracing item, by hypothesis.",
    "posteriors": "Posterior probability of each hypothesis per round, with the verdict thresholds.",
}


def _theme() -> dict[str, Any]:
    return {
        "config": {
            "font": "Source Sans 3, Helvetica, Arial, sans-serif",
            "view": {"stroke": None},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "gridColor": "#e6e6e6",
                     "domainColor": "#888888", "tickColor": "#888888"},
            "legend": {"labelFontSize": 11, "titleFontSize": 12, "orient": "bottom",
                       "direction": "horizontal"},
            "title": {"fontSize": 13, "anchor": "start"},
            "range": {"category": OKABE_ITO},
        }
    }


alt.theme.register("report", enable=True)(_theme)


# Dates are calendar days, the same everywhere: read, scaled, labelled and shown in UTC, so neither
# the SVG (drawn in the build machine's zone) nor the HTML (the reader's) shifts a day with `TZ`.
def _utc_x(field: str, **kwargs: Any) -> alt.X:
    """A temporal x channel on a UTC scale (Vega-Lite then formats its labels in UTC too)."""
    return alt.X(f"{field}:T", scale=alt.Scale(type="utc"), **kwargs)


def _utc_tooltip(field: str, **kwargs: Any) -> alt.Tooltip:
    """A date in a tooltip, as the UTC day."""
    return alt.Tooltip(f"{field}:T", timeUnit="utcyearmonthdate", **kwargs)


def _round_axis(rounds: Sequence[dict[str, str]]) -> alt.Scale:
    return alt.Scale(domain=[r["id"] for r in rounds])


def _round_bands(rounds: Sequence[dict[str, str]]) -> alt.Chart:
    bands = pd.DataFrame({"round": [r["id"] for r in rounds],
                          "label": [r["label"] for r in rounds],
                          "start": [r["start"] for r in rounds],
                          "end": [r["end"] for r in rounds],
                          "shade": [i % 2 for i in range(len(rounds))],
                          # the screen-reader label, written here: Vega-Lite's own would print `end`
                          # in local time
                          "aria": [f"{r['label']}: {r['start']} to {r['end']}" for r in rounds]})
    base = alt.Chart(bands)
    # Alternate two greys by a value condition, not a colour scale: a scale here would be shared
    # with the layer above and silently drop its legend.
    rect = base.mark_rect().encode(
        x=_utc_x("start"), x2="end:T", description="aria:N",
        color=alt.condition("datum.shade == 1", alt.value("#d9d9d9"), alt.value("#eeeeee")),
        tooltip=[alt.Tooltip("label:N", title="Round")])
    text = base.mark_text(align="left", dx=3, dy=-4, baseline="bottom", fontSize=10,
                          color="#555555").encode(x=_utc_x("start"), y=alt.value(0), text="round:N")
    return rect + text


def timeline(measures: pd.DataFrame, pressure: pd.DataFrame, engagements: pd.DataFrame,
             rounds: Sequence[dict[str, str]]) -> alt.LayerChart:
    """Swimlanes: one per sender, one for US pressure (direct vs indirect), one for engagements."""
    lane_order = [SENDER_LABELS[s] for s in SENDER_ORDER if s in set(measures["sender"])]
    lane_order += ["US pressure on Japan", "Japan–Russia engagement"]
    events = pd.concat([
        pd.DataFrame({"date": measures["date"], "lane": measures["sender"].map(SENDER_LABELS),
                      "kind": "measure", "what": measures["instrument"].str.replace("_", " "),
                      "id": measures["event_id"]}),
        pd.DataFrame({"date": pressure["date"], "lane": "US pressure on Japan",
                      "kind": "pressure (" + pressure["channel"] + ")",
                      "what": pressure["actor"] + ": " + pressure["form"].str.replace("_", " "),
                      "id": pressure["pressure_id"]}),
        pd.DataFrame({"date": engagements["date"], "lane": "Japan–Russia engagement",
                      "kind": "engagement", "what": engagements["kind"].str.replace("_", " "),
                      "id": engagements["engagement_id"]}),
    ], ignore_index=True).dropna(subset=["date"])
    events["date"] = pd.to_datetime(events["date"]).dt.strftime("%Y-%m-%d")
    # The axis spans the rounds plus a margin: context from years before or after would squeeze
    # the rounds into a sliver (those events stay in the tables, just not on this chart).
    start = (pd.Timestamp(min(r["start"] for r in rounds)) - pd.Timedelta(days=TIMELINE_MARGIN_DAYS))
    end = (pd.Timestamp(max(r["end"] for r in rounds)) + pd.Timedelta(days=TIMELINE_MARGIN_DAYS))
    events = events[(events["date"] >= start.strftime("%Y-%m-%d"))
                    & (events["date"] <= end.strftime("%Y-%m-%d"))]
    kinds = ["measure", "pressure (direct)", "pressure (indirect)", "engagement"]
    points = alt.Chart(events).mark_point(filled=True, size=70, opacity=0.85).encode(
        x=_utc_x("date", title=None, axis=alt.Axis(format="%b %Y")),
        y=alt.Y("lane:N", sort=lane_order, title=None),
        shape=alt.Shape("kind:N", scale=alt.Scale(
            domain=kinds, range=["circle", "triangle-up", "triangle-down", "diamond"]),
            title=None),
        color=alt.Color("kind:N", scale=alt.Scale(
            domain=kinds, range=["#0072B2", "#D55E00", "#E69F00", "#009E73"]), title=None),
        tooltip=[_utc_tooltip("date", format="%d %b %Y"), "lane:N", "what:N", "id:N"])
    return (_round_bands(rounds) + points).properties(
        width=WIDTH, height=28 * len(lane_order) + 20,
        description=FIGURE_DESCRIPTIONS["timeline"])


def stringency(scores: pd.DataFrame, rounds: Sequence[dict[str, str]], leader: str,
               peers: Sequence[str]) -> alt.Chart:
    """Stringency per round: Japan beside the leader and the peers (and the EU or US)."""
    senders = [s for s in SENDER_ORDER if s in {*MAJOR_SENDERS, leader, *peers}]
    data = scores[scores["sender"].isin(senders)].copy()
    data["name"] = data["sender"].map(SENDER_LABELS)
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("name:N", sort=[SENDER_LABELS[s] for s in senders], title=None,
                axis=alt.Axis(labels=False, ticks=False)),
        y=alt.Y("stringency:Q", title="Stringency (0–100)", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("sender:N", scale=alt.Scale(
            domain=senders, range=[SENDER_COLOURS[s] for s in senders]), title="Sender",
            legend=alt.Legend(labelExpr="datum.label")),
        column=alt.Column("round:N", sort=[r["id"] for r in rounds], title=None,
                          header=alt.Header(labelFontSize=12)),
        tooltip=["name:N", "round:N", alt.Tooltip("stringency:Q", format=".1f"),
                 alt.Tooltip("relative_to_leader:Q", format=".2f", title="relative to leader")],
    ).properties(width=max(60, WIDTH // max(1, len(rounds)) - 30), height=220,
                 description=FIGURE_DESCRIPTIONS["stringency"])


def lag(timing: pd.DataFrame, rounds: Sequence[dict[str, str]], leader: str) -> alt.Chart:
    """Japan's lag in days behind the leader for each matched measure."""
    data = timing.dropna(subset=["lag_days"]).copy()
    data["instrument"] = data["instrument"].str.replace("_", " ")
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("event_id:N", sort=alt.EncodingSortField("date"), title=None),
        x=alt.X("lag_days:Q", title=f"Days after the first comparable {leader} measure"),
        color=alt.Color("round:N", scale=_round_axis(rounds), title="Round"),
        tooltip=["event_id:N", "instrument:N", "round:N", "lag_days:Q",
                 alt.Tooltip("relative_lag_days:Q", title="relative to peers (days)")],
    ).properties(width=WIDTH - 180, height=max(120, 22 * len(data)),
                 description=FIGURE_DESCRIPTIONS["lag"])


def attainment(scores: pd.DataFrame, rounds: Sequence[dict[str, str]]) -> alt.LayerChart:
    """Preference attainment per round for the US and Japan, point with interval."""
    data = scores.copy()
    base = alt.Chart(data).encode(
        x=alt.X("round:N", scale=_round_axis(rounds), title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("actor:N"),
        color=alt.Color("actor:N", scale=alt.Scale(domain=[PRESSURING, FOCAL],
                                                   range=[SENDER_COLOURS[PRESSURING],
                                                          SENDER_COLOURS[FOCAL]]),
                        title="Actor"))
    bars = base.mark_rule(strokeWidth=2).encode(y=alt.Y("lower:Q", title="Attainment"),
                                                y2="upper:Q")
    points = base.mark_point(filled=True, size=80).encode(
        y="attainment:Q",
        tooltip=["actor:N", "round:N", alt.Tooltip("attainment:Q", format=".2f"),
                 alt.Tooltip("lower:Q", format=".2f"), alt.Tooltip("upper:Q", format=".2f")])
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#888888", strokeDash=[3, 3]).encode(
        y="y:Q")
    return (zero + bars + points).properties(width=WIDTH - 160, height=240,
                                             description=FIGURE_DESCRIPTIONS["attainment"])


def influence(by_type: pd.DataFrame, rounds: Sequence[dict[str, str]]) -> alt.Chart:
    """Mean attributed US influence per round and attributor type."""
    types = ["ego", "alter_ally", "alter_target", "expert", "media"]
    return alt.Chart(by_type).mark_bar().encode(
        x=alt.X("attributor_type:N", sort=types, title=None, axis=alt.Axis(labels=False,
                                                                         ticks=False)),
        y=alt.Y("mean_strength:Q", title="Mean attributed influence (0–1)",
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("attributor_type:N", sort=types, title="Attributor",
                        scale=alt.Scale(domain=types, range=OKABE_ITO[:5])),
        column=alt.Column("round:N", sort=[r["id"] for r in rounds], title=None),
        tooltip=["round:N", "attributor_type:N", alt.Tooltip("mean_strength:Q", format=".2f"),
                 alt.Tooltip("n_statements:Q", title="statements")],
    ).properties(width=max(60, WIDTH // max(1, len(rounds)) - 30), height=200,
                 description=FIGURE_DESCRIPTIONS["influence"])


def evidence_weights(weights: pd.DataFrame) -> alt.Chart:
    """Weight of evidence (decibans) of each item, faceted by hypothesis; uncounted items faded."""
    data = weights.copy()
    data["direction"] = data["weight_db"].apply(lambda w: "for" if w >= 0 else "against")
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("evidence_id:N", title=None, sort=alt.EncodingSortField("weight_db", order="descending")),
        x=alt.X("weight_db:Q", title="Weight of evidence (decibans)"),
        color=alt.Color("direction:N", scale=alt.Scale(domain=["for", "against"],
                                                       range=["#009E73", "#D55E00"]),
                        title="Bears"),
        opacity=alt.condition("datum.counted", alt.value(1.0), alt.value(0.35)),
        row=alt.Row("hypothesis:N", title=None, header=alt.Header(labelAngle=0,
                                                                  labelAlign="left")),
        tooltip=["evidence_id:N", "hypothesis:N", "round:N", "test_type:N", "outcome:N",
                 alt.Tooltip("weight_db:Q", format=".1f"), "counted:N"],
    ).resolve_scale(y="independent").properties(width=WIDTH - 180,
                                                description=FIGURE_DESCRIPTIONS["evidence_weights"])


def posteriors(table: pd.DataFrame, rounds: Sequence[dict[str, str]],
               thresholds: dict[str, float]) -> alt.LayerChart:
    """Posterior per hypothesis and round, coloured by verdict, with the threshold lines."""
    order = [r["id"] for r in rounds] + ["all"]
    data = table.copy()
    data["round"] = data["round"].astype(str)
    points = alt.Chart(data).mark_point(filled=True, size=90).encode(
        x=alt.X("round:N", sort=order, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("posterior:Q", title="Posterior probability", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("verdict:N", scale=alt.Scale(domain=list(VERDICT_COLOURS),
                                                     range=list(VERDICT_COLOURS.values())),
                        title="Verdict"),
        shape=alt.Shape("hypothesis:N", title="Hypothesis"),
        tooltip=["hypothesis:N", "round:N", alt.Tooltip("posterior:Q", format=".3f"),
                 "verdict:N", "n_items:Q"])
    lines = alt.Chart(pd.DataFrame({"y": [thresholds["supported"], thresholds["rejected"]]})).mark_rule(
        color="#888888", strokeDash=[4, 3]).encode(y="y:Q")
    return (lines + points).properties(width=WIDTH - 160, height=240,
                                       description=FIGURE_DESCRIPTIONS["posteriors"])


def spec_and_svg(chart: alt.TopLevelMixin) -> tuple[dict[str, Any], str]:
    """The Vega-Lite spec (for the interactive HTML) and its SVG rendering (for the PDF)."""
    spec = chart.to_dict()
    return spec, vl_convert.vegalite_to_svg(spec)


# The tables each figure reads (the make_figure rule declares exactly these as inputs).
FIGURE_INPUTS = {
    "timeline": ["measures", "pressure", "engagements"],
    "stringency": ["stringency"],
    "lag": ["timing"],
    "attainment": ["attainment"],
    "influence": ["by_type"],
    "evidence_weights": ["weights"],
    "posteriors": ["posteriors"],
}


def make_figure(name: str, tables: dict[str, pd.DataFrame], rounds: Sequence[dict[str, str]], leader: str,
                peers: Sequence[str], thresholds: dict[str, float]) -> alt.TopLevelMixin:
    """Figure ``name`` of the report (see FIGURE_DESCRIPTIONS) from the tables FIGURE_INPUTS names."""
    builders = {
        "timeline": lambda: timeline(tables["measures"], tables["pressure"], tables["engagements"], rounds),
        "stringency": lambda: stringency(tables["stringency"], rounds, leader, peers),
        "lag": lambda: lag(tables["timing"], rounds, leader),
        "attainment": lambda: attainment(tables["attainment"], rounds),
        "influence": lambda: influence(tables["by_type"], rounds),
        "evidence_weights": lambda: evidence_weights(tables["weights"]),
        "posteriors": lambda: posteriors(tables["posteriors"], rounds, thresholds),
    }
    if set(builders) != set(FIGURE_DESCRIPTIONS) or set(FIGURE_INPUTS) != set(FIGURE_DESCRIPTIONS):
        raise ValueError("FIGURE_DESCRIPTIONS, FIGURE_INPUTS and the chart functions name different figures")
    return builders[name]()


def all_figures(tables: dict[str, pd.DataFrame], rounds: Sequence[dict[str, str]], leader: str,
                peers: Sequence[str], thresholds: dict[str, float]) -> dict[str, alt.TopLevelMixin]:
    """Every figure of the report, keyed by the name its files carry (see FIGURE_DESCRIPTIONS)."""
    return {name: make_figure(name, tables, rounds, leader, peers, thresholds)
            for name in FIGURE_DESCRIPTIONS}
