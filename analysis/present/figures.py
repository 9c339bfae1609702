"""Altair figures of the report: one theme, colour-blind-safe, a description (alt text) on each."""

from __future__ import annotations

import hashlib
import inspect
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import vl_convert

from analysis.io import canonical_json, write_json, write_text_atomic
from analysis.present import labels
from analysis.present.figure_list import FIGURE_DESCRIPTIONS, FIGURE_INPUTS
from analysis.present.narrative import lag_comparison, sample_label
from analysis.vocabulary import (
    FOCAL,
    MAJOR_SENDERS,
    NOT_SUPPORTED,
    OKABE_ITO,
    PRESSURING,
    SENDER_COLOURS,
    SENDER_ORDER,
    VERDICT_COLOURS,
)
from analysis.vocabulary import SENDER_LABELS as SENDER_NAMES

WIDTH = 560
# The posterior's own verdict (process_tracing.thresholds): supported, rejected or, between the
# thresholds, indeterminate; 'not supported' is a word of the hypothesis verdicts only.
POSTERIOR_SCALE = alt.Scale(
    domain=[v for v in VERDICT_COLOURS if v != NOT_SUPPORTED],
    range=[c for v, c in VERDICT_COLOURS.items() if v != NOT_SUPPORTED],
)
TIMELINE_MARGIN_DAYS = 61
EVIDENCE_ITEMS_SHOWN = 4  # per hypothesis: the items that weigh most either way (all are in a table)


def _theme() -> dict[str, Any]:
    return {
        "config": {
            "font": "Source Sans 3, Helvetica, Arial, sans-serif",
            "view": {"stroke": None},
            "axis": {
                "labelFontSize": 11,
                "titleFontSize": 12,
                "gridColor": "#e6e6e6",
                "domainColor": "#888888",
                "tickColor": "#888888",
            },
            "legend": {
                "labelFontSize": 11,
                "titleFontSize": 12,
                "orient": "bottom",
                "direction": "horizontal",
                "labelLimit": 280,
            },
            "title": {"fontSize": 13, "anchor": "start"},
            "range": {"category": OKABE_ITO},
        }
    }


alt.theme.register("report", enable=True)(_theme)


# Dates are calendar days, the same everywhere: read, scaled, labelled and shown in UTC, so neither
# the SVG (drawn in the build machine's zone) nor the HTML (the reader's) shifts a day with `TZ`.
def _utc_tooltip(field: str, **kwargs: Any) -> alt.Tooltip:
    """A date in a tooltip, as the UTC day."""
    return alt.Tooltip(f"{field}:T", timeUnit="utcyearmonthdate", **kwargs)


def _round_axis(rounds: Sequence[dict[str, str]]) -> alt.Scale:
    return alt.Scale(domain=[r["id"] for r in rounds])


KEY_EVENT_DAYS = 21


def _key_events(dates: list[str], whats: list[str]) -> list[dict[str, str]]:
    """Japan's measures grouped into numbered key events: number, first date, key text."""
    groups: list[dict[str, Any]] = []
    for date, what in zip(dates, whats, strict=True):
        day = pd.Timestamp(date)
        if groups and (day - pd.Timestamp(groups[-1]["date"])).days < KEY_EVENT_DAYS:
            groups[-1]["whats"].append(what)
            groups[-1]["last"] = day
            continue
        groups.append({"date": date, "last": day, "whats": [what]})
    out = []
    for number, group in enumerate(groups, start=1):
        first, last = pd.Timestamp(group["date"]), group["last"]
        when = (
            first.strftime("%B %Y")
            if first.month == last.month
            else (f"{first.strftime('%B')}–{last.strftime('%B %Y')}")
        )
        out.append(
            {
                "date": group["date"],
                "number": str(number),
                "key": f"({number}) {when}: Japan's " + ", ".join(dict.fromkeys(group["whats"])),
            }
        )
    return out


def _round_bands(rounds: Sequence[dict[str, str]]) -> alt.Chart:
    bands = pd.DataFrame(
        {
            "round": [r["id"] for r in rounds],
            "label": [r["label"] for r in rounds],
            "start": [r["start"] for r in rounds],
            "end": [r["end"] for r in rounds],
            "shade": [i % 2 for i in range(len(rounds))],
            # the screen-reader label, written here: Vega-Lite's own would print `end` in local time
            "aria": [f"{r['label']}: {r['start']} to {r['end']}" for r in rounds],
        }
    )
    base = alt.Chart(bands)
    # Alternate two greys by a value condition, not a colour scale: a scale here would be shared
    # with the layer above and silently drop its legend.
    x = alt.X("start:T", scale=alt.Scale(type="utc"))
    rect = base.mark_rect(clip=True).encode(
        x=x,
        x2="end:T",
        description="aria:N",
        color=alt.condition("datum.shade == 1", alt.value("#d9d9d9"), alt.value("#eeeeee")),
        tooltip=[alt.Tooltip("label:N", title="Round")],
    )
    text = base.mark_text(align="left", dx=3, dy=-4, baseline="bottom", fontSize=10, color="#555555").encode(
        x=x, y=alt.value(0), text="round:N"
    )
    return rect + text


def timeline(
    measures: pd.DataFrame,
    pressure: pd.DataFrame,
    engagements: pd.DataFrame,
    rounds: Sequence[dict[str, str]],
) -> alt.VConcatChart:
    """Swimlanes: one per sender, one for US pressure (direct vs indirect), one for engagements."""
    lane_order = [SENDER_NAMES[s] for s in SENDER_ORDER if s in set(measures["sender"])]
    lane_order += ["US pressure on Japan", "Japan–Russia engagement"]
    events = pd.concat(
        [
            pd.DataFrame(
                {
                    "date": measures["date"],
                    "lane": measures["sender"].map(SENDER_NAMES),
                    "kind": "measure",
                    "what": [
                        labels.measure_what(i, a)
                        for i, a in zip(
                            measures["instrument"],
                            measures.get("affects_instrument", pd.Series([None] * len(measures))),
                            strict=True,
                        )
                    ],
                    "sender": measures["sender"],
                }
            ),
            pd.DataFrame(
                {
                    "date": pressure["date"],
                    "lane": "US pressure on Japan",
                    "kind": "pressure (" + pressure["channel"] + ")",
                    "what": pressure["actor"] + ": " + pressure["form"].map(lambda f: labels.label({}, f)),
                    "sender": PRESSURING,
                }
            ),
            pd.DataFrame(
                {
                    "date": engagements["date"],
                    "lane": "Japan–Russia engagement",
                    "kind": "engagement",
                    "what": engagements["kind"].map(lambda k: labels.label({}, k)),
                    "sender": FOCAL,
                }
            ),
        ],
        ignore_index=True,
    ).dropna(subset=["date"])
    events["date"] = pd.to_datetime(events["date"]).dt.strftime("%Y-%m-%d")
    # The axis spans the rounds plus a margin: context from years before or after would squeeze
    # the rounds into a sliver (those events stay in the tables, just not on this chart).
    start = pd.Timestamp(min(r["start"] for r in rounds)) - pd.Timedelta(days=TIMELINE_MARGIN_DAYS)
    end = pd.Timestamp(max(r["end"] for r in rounds)) + pd.Timedelta(days=TIMELINE_MARGIN_DAYS)
    events = events[
        (events["date"] >= start.strftime("%Y-%m-%d")) & (events["date"] <= end.strftime("%Y-%m-%d"))
    ]
    kinds = ["measure", "pressure (direct)", "pressure (indirect)", "engagement"]
    # the axis is the window itself, and marks are clipped to it, so no point is drawn past it
    x_scale = alt.Scale(type="utc", domain=[start.strftime("%Y-%m-%d"), end.strftime("%Y-%m-%d")])
    points = (
        alt.Chart(events)
        .mark_point(filled=True, size=70, opacity=0.85, clip=True)
        .encode(
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%b %Y"), scale=x_scale),
            y=alt.Y("lane:N", sort=lane_order, title=None),
            shape=alt.Shape(
                "kind:N",
                scale=alt.Scale(domain=kinds, range=["circle", "triangle-up", "triangle-down", "diamond"]),
                title=None,
            ),
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=kinds, range=["#0072B2", "#D55E00", "#E69F00", "#009E73"]),
                title=None,
            ),
            tooltip=[
                _utc_tooltip("date", format="%d %b %Y"),
                alt.Tooltip("lane:N", title="Who"),
                alt.Tooltip("what:N", title="What"),
            ],
        )
    )
    # The key events named: Japan's own measures, numbered above Japan's lane (steps less than
    # KEY_EVENT_DAYS after the first of a group share its number), and a key below the chart that
    # names each: labels on the lane itself would overlap, the 2014 steps being weeks apart.
    japan = events[(events["sender"] == FOCAL) & (events["kind"] == "measure")].sort_values(
        "date", kind="stable"
    )
    named = pd.DataFrame(_key_events(japan["date"].tolist(), japan["what"].tolist()))
    named["lane"] = SENDER_NAMES[FOCAL]
    named["row"] = list(range(len(named)))
    numbers = (
        alt.Chart(named)
        .mark_text(baseline="bottom", dy=-6, fontSize=10, fontWeight="bold", color="#0072B2", clip=True)
        .encode(
            x=alt.X("date:T", scale=alt.Scale(type="utc")),
            y=alt.Y("lane:N", sort=lane_order),
            text="number:N",
            tooltip=[alt.Tooltip("key:N", title="Key event")],
        )
    )
    # the window's domain is stated on the points' layer only: the layers share one x scale, and a
    # domain repeated in every layer was merged as conflicting (a warning in the reader's console)
    chart = (_round_bands(rounds) + points + numbers).properties(
        width=WIDTH, height=22 * len(lane_order) + 20
    )
    key = (
        alt.Chart(named)
        # a long key line (many measures in one key event) is cut to the chart's width; its
        # tooltip and the chapter's tables give it whole
        .mark_text(align="left", baseline="middle", fontSize=10, limit=WIDTH)
        .encode(
            x=alt.value(0),
            y=alt.Y("row:O", axis=None),
            text="key:N",
            tooltip=[alt.Tooltip("key:N", title="Key event")],
        )
        .properties(width=WIDTH, height=14 * max(1, len(named)))
    )
    return alt.vconcat(chart, key, spacing=6).properties(description=FIGURE_DESCRIPTIONS["timeline"])


def stringency(
    scores: pd.DataFrame, rounds: Sequence[dict[str, str]], leader: str, peers: Sequence[str]
) -> alt.Chart:
    """Stringency per round: Japan beside the leader and the peers (and the EU or US)."""
    senders = [s for s in SENDER_ORDER if s in {*MAJOR_SENDERS, leader, *peers}]
    data = scores[scores["sender"].isin(senders)].copy()
    data["name"] = data["sender"].map(SENDER_NAMES)
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "name:N",
                sort=[SENDER_NAMES[s] for s in senders],
                title=None,
                axis=alt.Axis(labels=False, ticks=False),
            ),
            y=alt.Y("stringency:Q", title="Stringency (0–100)", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color(
                "name:N",
                scale=alt.Scale(
                    domain=[SENDER_NAMES[s] for s in senders], range=[SENDER_COLOURS[s] for s in senders]
                ),
                title="Sender",
            ),
            column=alt.Column(
                "round:N", sort=[r["id"] for r in rounds], title=None, header=alt.Header(labelFontSize=12)
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Sender"),
                "round:N",
                alt.Tooltip("stringency:Q", format=".1f"),
                alt.Tooltip("relative_to_leader:Q", format=".2f", title="relative to leader"),
            ],
        )
        .properties(
            width=max(60, WIDTH // max(1, len(rounds)) - 30),
            height=170,
            description=FIGURE_DESCRIPTIONS["stringency"],
        )
    )


def lag(timing: pd.DataFrame, rounds: Sequence[dict[str, str]], leader: str) -> alt.Chart:
    """Japan's lag in days behind the leader for each matched measure."""
    data = timing.dropna(subset=["lag_days"]).copy()
    data["instrument"] = data["instrument"].map(labels.instrument)
    data["measure"] = (
        data["instrument"] + ", " + pd.to_datetime(data["date"]).dt.strftime("%d %b %Y").str.lstrip("0")
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y(
                "measure:N",
                sort=alt.EncodingSortField("date"),
                title="Japan's measure",
                axis=alt.Axis(labelLimit=400),
            ),
            x=alt.X("lag_days:Q", title=f"Days after the first comparable {leader} measure"),
            color=alt.Color("round:N", scale=_round_axis(rounds), title="Round"),
            tooltip=[
                alt.Tooltip("measure:N", title="Japan's measure"),
                "round:N",
                "lag_days:Q",
                alt.Tooltip("relative_lag_days:Q", title="relative to peers (days)"),
            ],
        )
        .properties(
            width=WIDTH - 260, height=max(120, 22 * len(data)), description=FIGURE_DESCRIPTIONS["lag"]
        )
    )


def attainment(scores: pd.DataFrame, rounds: Sequence[dict[str, str]]) -> alt.LayerChart:
    """Preference attainment per round for the US and Japan, point with interval."""
    data = scores.copy()
    data["actor_name"] = data["actor"].map(labels.sender)
    base = alt.Chart(data).encode(
        x=alt.X("round:N", scale=_round_axis(rounds), title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("actor_name:N"),
        color=alt.Color(
            "actor_name:N",
            scale=alt.Scale(
                domain=[labels.sender(PRESSURING), labels.sender(FOCAL)],
                range=[SENDER_COLOURS[PRESSURING], SENDER_COLOURS[FOCAL]],
            ),
            title="Attainment of",
        ),
    )
    bars = base.mark_rule(strokeWidth=2).encode(y=alt.Y("lower:Q", title="Attainment"), y2="upper:Q")
    points = base.mark_point(filled=True, size=80).encode(
        y="attainment:Q",
        tooltip=[
            alt.Tooltip("actor_name:N", title="Actor"),
            "round:N",
            alt.Tooltip("attainment:Q", format=".2f"),
            alt.Tooltip("lower:Q", format=".2f"),
            alt.Tooltip("upper:Q", format=".2f"),
        ],
    )
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#888888", strokeDash=[3, 3]).encode(y="y:Q")
    return (zero + bars + points).properties(
        width=WIDTH - 160, height=190, description=FIGURE_DESCRIPTIONS["attainment"]
    )


def influence(by_type: pd.DataFrame, rounds: Sequence[dict[str, str]]) -> alt.Chart:
    """Mean attributed US influence per round and attributor type."""
    # only the types with coded statements, so the legend lists no category without bars
    types = [t for t in labels.ATTRIBUTOR_TYPES if t in set(by_type["attributor_type"].astype(str))]
    names = [labels.ATTRIBUTOR_TYPES[t] for t in types]
    data = by_type.assign(who=by_type["attributor_type"].map(labels.ATTRIBUTOR_TYPES))
    colours = [OKABE_ITO[list(labels.ATTRIBUTOR_TYPES).index(t)] for t in types]
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("who:N", sort=names, title=None, axis=alt.Axis(labels=False, ticks=False)),
            y=alt.Y(
                "mean_strength:Q", title="Mean attributed influence (0–1)", scale=alt.Scale(domain=[0, 1])
            ),
            color=alt.Color(
                "who:N", sort=names, title="Who speaks", scale=alt.Scale(domain=names, range=colours)
            ),
            column=alt.Column("round:N", sort=[r["id"] for r in rounds], title=None),
            tooltip=[
                "round:N",
                alt.Tooltip("who:N", title="Who speaks"),
                alt.Tooltip("mean_strength:Q", format=".2f"),
                alt.Tooltip("n_statements:Q", title="statements"),
            ],
        )
        .properties(
            width=max(60, WIDTH // max(1, len(rounds)) - 30),
            height=170,
            description=FIGURE_DESCRIPTIONS["influence"],
        )
    )


def evidence_weights(weights: pd.DataFrame, evidence: pd.DataFrame | None = None) -> alt.Chart:
    """The items that weigh most (decibans) per hypothesis, labelled by what each shows; uncounted
    items faded. `evidence` (evidence_id, observation) gives the labels."""
    data = weights.copy()
    data["size"] = data["weight_db"].abs()
    data = (
        data.sort_values(["hypothesis", "size", "evidence_id"], ascending=[True, False, True])
        .groupby("hypothesis", sort=True)
        .head(EVIDENCE_ITEMS_SHOWN)
    )
    shows = (
        {} if evidence is None else dict(zip(evidence["evidence_id"], evidence["observation"], strict=True))
    )
    data["item"] = [labels.short(shows.get(e, e), 58) for e in data["evidence_id"]]
    data["test"] = data["test_type"].map(lambda v: labels.label(labels.TEST_TYPES, v))
    data["direction"] = data["weight_db"].apply(lambda w: "for" if w >= 0 else "against")
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y(
                "item:N",
                title=None,
                sort=alt.EncodingSortField("weight_db", order="descending"),
                axis=alt.Axis(labelLimit=400),
            ),
            x=alt.X("weight_db:Q", title="Weight of evidence (decibans)"),
            color=alt.Color(
                "direction:N",
                scale=alt.Scale(domain=["for", "against"], range=["#009E73", "#D55E00"]),
                title="Bears",
            ),
            opacity=alt.condition("datum.counted", alt.value(1.0), alt.value(0.35)),
            row=alt.Row("hypothesis:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
            tooltip=[
                alt.Tooltip("item:N", title="Item"),
                "hypothesis:N",
                "round:N",
                alt.Tooltip("test:N", title="Test"),
                "outcome:N",
                alt.Tooltip("weight_db:Q", format=".1f"),
                "counted:N",
            ],
        )
        .resolve_scale(y="independent")
        .properties(
            width=WIDTH - 380, height=alt.Step(14), description=FIGURE_DESCRIPTIONS["evidence_weights"]
        )
    )


def posteriors(
    table: pd.DataFrame, rounds: Sequence[dict[str, str]], thresholds: dict[str, float]
) -> alt.LayerChart:
    """Posterior per hypothesis and round, coloured by verdict, with the threshold lines."""
    order = [r["id"] for r in rounds] + ["all"]
    data = table.copy()
    data["round"] = data["round"].astype(str)
    points = (
        alt.Chart(data)
        .mark_point(filled=True, size=90)
        .encode(
            x=alt.X(
                "round:N",
                sort=order,
                title=None,
                # the pooled estimate is named, not shown by its code
                axis=alt.Axis(labelAngle=0, labelExpr="datum.label == 'all' ? 'pooled' : datum.label"),
            ),
            y=alt.Y("posterior:Q", title="Posterior probability", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "verdict:N",
                scale=POSTERIOR_SCALE,
                title="Verdict",
            ),
            shape=alt.Shape("hypothesis:N", title="Hypothesis"),
            tooltip=[
                "hypothesis:N",
                "round:N",
                alt.Tooltip("posterior:Q", format=".3f"),
                *(
                    [
                        alt.Tooltip("posterior_low:Q", format=".3f", title="lowest over profiles"),
                        alt.Tooltip("posterior_high:Q", format=".3f", title="highest over profiles"),
                    ]
                    if "posterior_low" in data.columns
                    else []
                ),
                "verdict:N",
                "n_items:Q",
            ],
        )
    )
    lines = (
        alt.Chart(pd.DataFrame({"y": [thresholds["supported"], thresholds["rejected"]]}))
        .mark_rule(color="#888888", strokeDash=[4, 3])
        .encode(y="y:Q")
    )
    layers = [lines]
    if {"posterior_low", "posterior_high"} <= set(data.columns):
        # the range of the posterior over the weak, moderate and strong likelihood profiles
        layers.append(
            alt.Chart(data)
            .mark_rule(strokeWidth=2, opacity=0.5)
            .encode(
                x=alt.X("round:N", sort=order),
                y="posterior_low:Q",
                y2="posterior_high:Q",
                color=alt.Color("verdict:N", scale=POSTERIOR_SCALE),
                xOffset="hypothesis:N",
            )
        )
        points = points.encode(xOffset="hypothesis:N")
    return alt.layer(*layers, points).properties(
        width=WIDTH - 160, height=190, description=FIGURE_DESCRIPTIONS["posteriors"]
    )


def lag_comparison_chart(by_sender: pd.DataFrame, rounds: Sequence[dict[str, Any]]) -> alt.Chart:
    """Japan's median lag per instrument behind each major sender: the in-sample rounds pooled beside
    each out-of-sample round (narrative.lag_comparison computes the medians the chapter's table shows)."""
    data = lag_comparison(by_sender, list(rounds))
    names = {r["id"]: r["label"] for r in rounds}
    data["sample_name"] = data["sample"].map(lambda s: names.get(s, s))
    samples = list(
        dict.fromkeys([sample_label(list(rounds))] + [r["id"] for r in rounds if r.get("out_of_sample")])
    )
    sample_names = [names.get(s, s) for s in samples]
    data["instrument_name"] = data["instrument"].map(labels.instrument)
    data["against_name"] = data["against"].map(labels.sender)
    order = [labels.instrument(i) for i in labels.INSTRUMENTS if i in set(data["instrument"])]
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#888888", strokeDash=[3, 3]).encode(x="x:Q")
    points = (
        alt.Chart()
        .mark_point(filled=True, size=80, opacity=0.9)
        .encode(
            y=alt.Y("instrument_name:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
            x=alt.X("median_lag_days:Q", title="Median lag (days)"),
            color=alt.Color(
                "sample_name:N",
                scale=alt.Scale(domain=sample_names, range=list(OKABE_ITO[: len(sample_names)])),
                title=None,
            ),
            shape=alt.Shape("sample_name:N", scale=alt.Scale(domain=sample_names), title=None),
            tooltip=[
                alt.Tooltip("instrument_name:N", title="Instrument"),
                alt.Tooltip("against_name:N", title="Behind"),
                alt.Tooltip("sample_name:N", title="Rounds"),
                alt.Tooltip("median_lag_days:Q", title="Median lag (days)", format=".1f"),
                alt.Tooltip("n:Q", title="Japanese measures timed"),
            ],
        )
    )
    return (
        alt.layer(zero, points, data=data)
        .properties(width=(WIDTH - 240) // 2, height=alt.Step(16))
        .facet(
            column=alt.Column(
                "against_name:N",
                title=None,
                sort=[labels.sender(s) for s in dict.fromkeys(data["against"])],
                header=alt.Header(labelFontSize=12),
            ),
            spacing=24,
        )
    )


def out_of_sample(
    measures: pd.DataFrame,
    pressure: pd.DataFrame,
    engagements: pd.DataFrame,
    by_sender: pd.DataFrame,
    rounds: Sequence[dict[str, Any]],
) -> alt.VConcatChart:
    """The out-of-sample chapter's figure: a timeline over the out-of-sample rounds (when any is built)
    above Japan's lag per instrument in and out of sample."""
    outside = [r for r in rounds if r.get("out_of_sample")]
    parts: list[alt.TopLevelMixin] = []
    if outside:
        parts.append(timeline(measures, pressure, engagements, outside))
    parts.append(lag_comparison_chart(by_sender, rounds))
    # each part keeps its own colours, shapes and legend (the timeline's kinds, the lag chart's rounds)
    return (
        alt.vconcat(*parts, spacing=18)
        .resolve_scale(color="independent", shape="independent")
        .properties(description=FIGURE_DESCRIPTIONS["out_of_sample"])
    )


def spec_and_svg(chart: alt.TopLevelMixin, previous: str | None = None) -> tuple[dict[str, Any], str]:
    """The Vega-Lite spec (for the interactive HTML) and its SVG rendering (for the PDF); `previous`,
    the figure's SVG from an earlier build, is reused when it was drawn from the same spec (svg_of)."""
    spec = chart.to_dict()
    return spec, svg_of(spec, previous)


def svg_of(spec: dict[str, Any], previous: str | None = None) -> str:
    """The SVG of a Vega-Lite spec, led by a comment naming what it was drawn from: the spec's sha256,
    vl-convert's version and that of the drawing code here. An SVG is a function of those three, so
    `previous` (the figure's SVG from an earlier build) is returned as it is when its comment is the
    same: an edit that changes two figures' data redraws two SVGs, not all of them (vl-convert takes
    0.05-0.6 s a figure). A cold build draws them all and writes the same bytes."""
    drawn_from = hashlib.sha256((canonical_json(spec) + "\0" + _DRAWING_CODE).encode("utf-8")).hexdigest()
    stamp = f"<!-- drawn by vl-convert {vl_convert.__version__} from spec {drawn_from} -->\n"
    if previous is not None and previous.startswith(stamp):
        return previous
    return stamp + renumber_clips(vl_convert.vegalite_to_svg(spec))


def renumber_clips(svg: str) -> str:
    """Number an SVG's clip paths 1, 2, … in their order. vl-convert counts them across every chart a
    process draws, so without this a figure's bytes would depend on the figures drawn before it."""
    numbers = sorted({int(n) for n in re.findall(r'id="clip(\d+)"', svg)})
    new = {old: index for index, old in enumerate(numbers, start=1)}
    return re.sub(
        r"\b(id=\"|url\(#)clip(\d+)\b",
        lambda m: f"{m.group(1)}clip{new.get(int(m.group(2)), m.group(2))}",
        svg,
    )


# What svg_of's drawing does besides vl-convert: an edit to it must redraw every SVG.
_DRAWING_CODE = inspect.getsource(svg_of) + inspect.getsource(renumber_clips)


def write_figure(chart: alt.TopLevelMixin, spec_path: str | Path, svg_path: str | Path) -> tuple[str, bool]:
    """Write a chart's spec and SVG; the SVG already at `svg_path` (an update() output, left in place
    while the job runs) is kept when it was drawn from the same spec (svg_of). Returns the SVG and
    whether it was kept."""
    previous = Path(svg_path).read_text(encoding="utf-8") if Path(svg_path).exists() else None
    spec, svg = spec_and_svg(chart, previous)
    write_json(spec, spec_path)
    write_text_atomic(svg_path, svg)
    return svg, svg == previous


def make_figure(
    name: str,
    tables: dict[str, pd.DataFrame],
    rounds: Sequence[dict[str, str]],
    leader: str,
    peers: Sequence[str],
    thresholds: dict[str, float],
) -> alt.TopLevelMixin:
    """Figure ``name`` of the report (see FIGURE_DESCRIPTIONS) from the tables FIGURE_INPUTS names."""
    inside = [r for r in rounds if not r.get("out_of_sample")]
    builders = {
        # the timeline spans the in-sample rounds only: out-of-sample rounds years later would squeeze
        # them flat; those rounds get their own timeline in the out_of_sample figure
        "timeline": lambda: timeline(tables["measures"], tables["pressure"], tables["engagements"], inside),
        "stringency": lambda: stringency(tables["stringency"], rounds, leader, peers),
        "lag": lambda: lag(tables["timing"], rounds, leader),
        "attainment": lambda: attainment(tables["attainment"], rounds),
        "influence": lambda: influence(tables["by_type"], rounds),
        "evidence_weights": lambda: evidence_weights(tables["weights"], tables.get("evidence")),
        "posteriors": lambda: posteriors(tables["posteriors"], rounds, thresholds),
        "out_of_sample": lambda: out_of_sample(
            tables["measures"], tables["pressure"], tables["engagements"], tables["by_sender"], rounds
        ),
    }
    if set(builders) != set(FIGURE_DESCRIPTIONS) or set(FIGURE_INPUTS) != set(FIGURE_DESCRIPTIONS):
        raise ValueError("FIGURE_DESCRIPTIONS, FIGURE_INPUTS and the chart functions name different figures")
    return builders[name]()


def all_figures(
    tables: dict[str, pd.DataFrame],
    rounds: Sequence[dict[str, str]],
    leader: str,
    peers: Sequence[str],
    thresholds: dict[str, float],
) -> dict[str, alt.TopLevelMixin]:
    """Every figure of the report, keyed by the name its files carry (see FIGURE_DESCRIPTIONS)."""
    return {
        name: make_figure(name, tables, rounds, leader, peers, thresholds) for name in FIGURE_DESCRIPTIONS
    }
