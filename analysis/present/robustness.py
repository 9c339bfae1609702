"""Robustness across the multiverse: what the report shows of results/multiverse/specifications.parquet.

Per hypothesis and round: the default's verdict, the share of specifications agreeing with it and with
the thesis, a status (robust / fragile / reversed, thresholds in config ``multiverse``), the median and
interquartile range of the deciding score; flip rates per choice (how often changing only that key, all
else fixed, flips the verdict); a specification curve; a generated paragraph naming the choices the
conclusion hinges on.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from analysis import registry
from analysis.present.figures import VERDICT_COLOURS, WIDTH
from analysis.scores.multiverse import SPEC_ID, STRUCTURE_ID, axes, round_ids
from analysis.vocabulary import VERDICT_HOLDS, VERDICTS, conclusion, verdicts_agree

ROBUSTNESS_COLUMNS = [
    "hypothesis",
    "round",
    "target",
    "n_specs",
    "default_verdict",
    "thesis_verdict",
    "share_default",
    "share_thesis",
    *(f"share_{v.replace(' ', '_')}" for v in VERDICTS),
    "status",
    "score",
    "score_default",
    "score_median",
    "score_q1",
    "score_q3",
]
FLIP_COLUMNS = ["key", "target", "n_pairs", "n_flips", "flip_rate"]
SCORE_LABELS = {"ai": "attributed influence", "mean_reactivity": "mean reactivity over rounds"}


def targets(table: pd.DataFrame, config: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(hypothesis, round, verdict column) of every verdict the table holds for some specification."""
    out = [("HP1", r, f"verdict_HP1_{r}") for r in round_ids(config)]
    out += [("HP2", "all", "verdict_HP2"), ("HP3", "all", "verdict_HP3")]
    return [t for t in out if t[2] in table.columns and table[t[2]].notna().any()]


def deciding_score(
    table: pd.DataFrame, hypothesis: str, round_id: str, config: Mapping[str, Any]
) -> tuple[str, pd.Series]:
    """The score a verdict is read on: HP1 in a round, its attributed influence (the cut the default
    rejects on); HP2 and HP3, the mean reactivity over the rounds a specification has."""
    if hypothesis == "HP1":
        return "ai", table[f"{round_id}_ai"].astype(float)
    columns = [f"{r}_reactivity" for r in round_ids(config) if f"{r}_reactivity" in table.columns]
    return "mean_reactivity", table[columns].astype(float).mean(axis=1, skipna=True)


def default_index(table: pd.DataFrame, config: Mapping[str, Any]) -> int:
    """The row of config.yaml's own specification (every varied key at its config value)."""
    mask = np.ones(len(table), dtype=bool)
    for key in axes(config):
        if key in table.columns:
            mask &= (table[key] == registry.lookup(config, key)).to_numpy()
    hits = np.flatnonzero(mask)
    if len(hits) != 1:
        raise ValueError(f"the multiverse holds {len(hits)} rows for config.yaml's specification, not 1")
    return int(hits[0])


def status(share_default: float, robust_share: float, reversed_share: float) -> str:
    """robust: at least robust_share of specifications agree with the default; reversed: at most
    reversed_share do; fragile in between."""
    if share_default >= robust_share:
        return "robust"
    return "reversed" if share_default <= reversed_share else "fragile"


def robustness_table(
    table: pd.DataFrame,
    config: Mapping[str, Any],
    thesis: Mapping[str, str],
    robust_share: float,
    reversed_share: float,
) -> pd.DataFrame:
    """One row per hypothesis and round of the default coding (ROBUSTNESS_COLUMNS); shares over the
    specifications that have the round (a round of another segmentation is absent from the others)."""
    default = default_index(table, config)
    rows = []
    for hypothesis, round_id, column in targets(table, config):
        verdicts = table[column]
        present = verdicts.notna()
        n = int(present.sum())
        mine = verdicts[default]
        if pd.isna(mine):  # a round of another segmentation: the default coding has no verdict to test
            continue
        thesis_verdict = thesis.get(f"{hypothesis}:{round_id}", "")
        name, score = deciding_score(table, hypothesis, round_id, config)
        scored = score[present].dropna()
        # agreeing = reaching the default's conclusion (the exact words' shares are the share_* columns)
        share = float((by_value(verdicts[present], conclusion) == conclusion(mine)).mean())
        agrees_with_thesis = functools.partial(verdicts_agree, thesis=thesis_verdict)
        rows.append(
            {
                "hypothesis": hypothesis,
                "round": round_id,
                "target": column.removeprefix("verdict_"),
                "n_specs": n,
                "default_verdict": mine or "",
                "thesis_verdict": thesis_verdict,
                "share_default": share,
                # the thesis only accepts or rejects: a verdict agrees when both accept or neither does
                "share_thesis": float(by_value(verdicts[present], agrees_with_thesis).mean())
                if thesis_verdict
                else np.nan,
                **{f"share_{v.replace(' ', '_')}": float((verdicts[present] == v).mean()) for v in VERDICTS},
                "status": status(share, robust_share, reversed_share),
                "score": name,
                "score_default": float(score[default]),
                "score_median": float(scored.median()) if len(scored) else np.nan,
                "score_q1": float(scored.quantile(0.25)) if len(scored) else np.nan,
                "score_q3": float(scored.quantile(0.75)) if len(scored) else np.nan,
            }
        )
    return pd.DataFrame(rows, columns=ROBUSTNESS_COLUMNS)


def flip_rates(table: pd.DataFrame, keys: Sequence[str], columns: Sequence[str]) -> pd.DataFrame:
    """How often changing only ``key`` (every other choice fixed) changes the conclusion in ``column``
    (vocabulary.conclusion: a move between "not supported" and "rejected" is no flip).

    Specifications that agree on every other choice form a group; every pair of them differs in ``key``
    alone. The rate is the share of such pairs (both with the verdict) whose conclusions differ. Pairs
    excluded by a constraint simply do not exist, so a key held under some condition is compared only
    where it varies.
    """
    choice_columns = [c for c in table.columns if c in set(keys) | set(_choice_columns(table))]
    codes = pd.DataFrame({c: pd.factorize(table[c].map(str))[0] for c in choice_columns})
    # each column's conclusions, coded once for every key
    concluded = {
        column: (table[column].notna().to_numpy(), pd.factorize(by_value(table[column], conclusion))[0])
        for column in columns
    }
    rows = []
    for key in keys:
        others = [c for c in choice_columns if c != key]
        group = codes.groupby(others, sort=False).ngroup().to_numpy() if others else np.zeros(len(table), int)
        for column in columns:
            present, verdict = concluded[column]
            if not present.any():
                continue
            counts = pd.DataFrame({"g": group[present], "v": verdict[present]})
            sizes = counts.groupby("g").size()
            same = counts.groupby(["g", "v"]).size()
            pairs = int((sizes * (sizes - 1) // 2).sum())
            agreeing = int((same * (same - 1) // 2).sum())
            rows.append(
                {
                    "key": key,
                    "target": column.removeprefix("verdict_"),
                    "n_pairs": pairs,
                    "n_flips": pairs - agreeing,
                    "flip_rate": (pairs - agreeing) / pairs if pairs else np.nan,
                }
            )
    return pd.DataFrame(rows, columns=FLIP_COLUMNS)


def by_value(column: pd.Series, function: Callable[[Any], Any]) -> pd.Series:
    """``function`` of each cell, called once per distinct value (a verdict column of the full
    multiverse holds a million cells and four words)."""
    return column.map({value: function(value) for value in column.dropna().unique()})


def _choice_columns(table: pd.DataFrame) -> list[str]:
    """The choice columns of a multiverse table: dotted registry keys."""
    known = set(registry.choices())
    return [c for c in table.columns if c in known]


def hinge_paragraph(robust: pd.DataFrame, flips: pd.DataFrame, total: int, top: int = 2) -> str:
    """A short paragraph in words: each verdict's robustness and the choices that flip it most often."""
    sentences = [f"Across {total:,} admissible specifications:"]
    for row in robust.to_dict("records"):
        where = f"{row['hypothesis']} in {row['round']}" if row["round"] != "all" else row["hypothesis"]
        rates = flips[(flips["target"] == row["target"]) & (flips["flip_rate"] > 0)]
        rates = rates.sort_values(["flip_rate", "key"], ascending=[False, True]).head(top)
        hinge = (
            "; it hinges most on "
            + " and ".join(
                f"`{r['key']}` (flips {r['flip_rate']:.0%} of the time)" for r in rates.to_dict("records")
            )
            if len(rates)
            else "; no single choice flips it"
        )
        holds = VERDICT_HOLDS.get(str(row["thesis_verdict"]))
        thesis = (
            f", {row['share_thesis']:.0%} reach the thesis's conclusion (that it "
            f"{'holds' if holds else 'does not hold'})"
            if row["thesis_verdict"] and holds is not None
            else ""
        )
        sentences.append(
            f"{where} is {row['default_verdict']} under the default coding and that conclusion is "
            f"{row['status']}: {row['share_default']:.0%} of {row['n_specs']:,} specifications reach "
            f"it{thesis}{hinge}."
        )
    return " ".join(sentences)


def curve_sample(score: pd.Series, ids: pd.Series, default: int, points: int) -> np.ndarray:
    """Row indices of the specification curve to draw: specifications ranked by score (ties by id),
    thinned to ``points`` evenly spaced ranks, the default always kept. Deterministic."""
    order = np.lexsort((ids.to_numpy(dtype=str), score.fillna(np.inf).to_numpy(dtype=float)))
    picks = np.unique(np.linspace(0, len(order) - 1, min(points, len(order))).round().astype(int))
    chosen = order[picks]
    if default not in chosen:
        chosen = np.sort(np.append(chosen, default))
        chosen = order[np.isin(order, chosen)]
    return chosen


def specification_curve(
    table: pd.DataFrame, config: Mapping[str, Any], hypothesis: str, round_id: str, points: int
) -> alt.VConcatChart:
    """The deciding score ranked over every specification (thinned for display), coloured by verdict, the
    default marked; beneath, one row per choice showing each drawn specification's value."""
    column = f"verdict_HP1_{round_id}" if hypothesis == "HP1" else f"verdict_{hypothesis}"
    present = table[table[column].notna()].reset_index(drop=True)
    default = default_index(present, config)
    name, score = deciding_score(present, hypothesis, round_id, config)
    rows = curve_sample(score, present[SPEC_ID], default, points)
    order = np.argsort(np.lexsort((present[SPEC_ID].to_numpy(dtype=str), score.fillna(np.inf).to_numpy())))
    drawn = pd.DataFrame(
        {
            "rank": order[rows] + 1,
            "score": score.to_numpy()[rows],
            "verdict": present[column].to_numpy()[rows],
            "default": rows == default,
            SPEC_ID: present[SPEC_ID].to_numpy()[rows],
        }
    )
    label = SCORE_LABELS[name]
    curve = (
        alt.Chart(drawn)
        .mark_circle(size=12)
        .encode(
            x=alt.X("rank:Q", title=f"specification rank by {label} (of {len(present):,})"),
            y=alt.Y("score:Q", title=label),
            color=alt.Color(
                "verdict:N",
                scale=alt.Scale(domain=list(VERDICT_COLOURS), range=list(VERDICT_COLOURS.values())),
            ),
            tooltip=[SPEC_ID, "rank:Q", "score:Q", "verdict:N"],
        )
    )
    marker = (
        alt.Chart(drawn[drawn["default"]])
        .mark_point(shape="diamond", size=160, color="black", filled=True)
        .encode(x="rank:Q", y="score:Q")
    )
    varied = [key for key in axes(config) if key in present.columns and present[key].nunique() > 1]
    # one row per drawn specification, one field per choice; Vega-Lite folds them into the panel
    # (a dot in a field name would read as nesting in Vega, so the fields are named key/with/slashes)
    fields = {key: key.replace(".", "/") for key in varied}
    panel = pd.DataFrame(
        {
            "rank": order[rows] + 1,
            **{fields[key]: present[key].to_numpy()[rows].astype(str) for key in varied},
        }
    )
    beneath = (
        alt.Chart(panel)
        .transform_fold(list(fields.values()), as_=["key", "value"])
        .transform_calculate(choice="datum.key + ' = ' + datum.value")
        .mark_tick(thickness=1, size=8, color="#555555")
        .encode(
            x=alt.X("rank:Q", title=None, axis=alt.Axis(labels=False)),
            # a label names key and value in full (Vega-Lite's default cut them at 180 px, leaving
            # rows like "stringency/leave_out_…" that no reader can tell apart)
            y=alt.Y("choice:N", title=None, axis=alt.Axis(labelLimit=340, labelFontSize=8)),
        )
        .properties(width=WIDTH, height=alt.Step(9))
    )
    where = f"{hypothesis} in {round_id}" if hypothesis == "HP1" else hypothesis
    top = (curve + marker).properties(
        width=WIDTH, height=200, title=f"Specification curve: {where} (diamond: the default coding)"
    )
    return alt.vconcat(top, beneath).properties(
        description=f"Specification curve of {where}: {label} ranked over {len(present):,} specifications, "
        "coloured by verdict, with each specification's coding choices beneath."
    )


def summary(
    table: pd.DataFrame, config: Mapping[str, Any], thesis: Mapping[str, str], settings: Mapping[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """The robustness table, the flip-rate table and the JSON the report reads (counts, paragraph)."""
    robust = robustness_table(table, config, thesis, settings["robust_share"], settings["reversed_share"])
    varied = [key for key in axes(config) if key in table.columns and table[key].nunique() > 1]
    columns = [f"verdict_{t}" for t in robust["target"]]
    flips = flip_rates(table, varied, columns)
    info = {
        "n_specifications": len(table),
        "n_structures": int(table[STRUCTURE_ID].nunique()),
        "varied_keys": varied,
        "robust_share": settings["robust_share"],
        "reversed_share": settings["reversed_share"],
        "paragraph": hinge_paragraph(robust, flips, len(table)),
    }
    return robust, flips, info
