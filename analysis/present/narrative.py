"""Markdown the report shows per round, written from the pipeline's tables (never typed numbers)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from analysis.present.safe import Markdown, md_text
from analysis.vocabulary import FOCAL, INSTRUMENT_LABELS, MAJOR_SENDERS, PRESSURING, SENDER_PROSE

INSTRUMENT_NAMES = {code: label.lower() for code, label in INSTRUMENT_LABELS.items()}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


def missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def date_text(iso: Any, precision: Any = "day") -> str:
    """'18 March 2014', 'March 2014' or '2014', as precise as the date is known."""
    if missing(iso):
        return "undated"
    year, month, day = (str(iso).split("-") + ["", ""])[:3]
    if precision == "year" or not month:
        return year
    if precision == "month" or not day:
        return f"{MONTHS[int(month) - 1]} {year}"
    return f"{int(day)} {MONTHS[int(month) - 1]} {year}"


def number(value: Any, digits: int = 2) -> str:
    """A number as the prose shows it; 'n/a' when missing."""
    if missing(value):
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    value = float(value)
    return f"{value:.0f}" if value.is_integer() and digits >= 0 and abs(value) >= 1 else f"{value:.{digits}f}"


def join_words(items: list[str]) -> str:
    """'a, b and c'. The items are Markdown already: escape data text with `md_text` first."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


_CITE_KEY = re.compile(r"[a-z0-9_-]+", re.ASCII)  # the codebook's pattern of a sources key


def cite(keys: list[str]) -> Markdown:
    """An author-date citation of the given bibliography keys, e.g. '[@silbaum2017; @shagina2018ac]'.

    Only well-formed keys become a citation; anything else is shown as text.
    """
    keys = [k.strip() for k in keys if k and k.strip()]
    if not all(_CITE_KEY.fullmatch(k) for k in keys):
        return Markdown(md_text("; ".join(keys)))
    return Markdown("[" + "; ".join(f"@{k}" for k in keys) + "]" if keys else "")


def section_id(round_id: str) -> str:
    """The heading id of a round's chapter; characters an id cannot hold become '-'."""
    return "sec-round-" + re.sub(r"[^a-z0-9_-]", "-", str(round_id).lower(), flags=re.ASCII)


def pipe_table(frame: pd.DataFrame, caption: str = "", label: str = "") -> str:
    """A pandoc pipe table; with a caption (and optional id) when given."""
    if frame.empty:
        return "*(none in this round)*"

    def cell(value: Any) -> str:
        return md_text(value)

    lines = ["| " + " | ".join(cell(c) for c in frame.columns) + " |",
             "|" + "|".join(":---" for _ in frame.columns) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |"
              for row in frame.itertuples(index=False, name=None)]
    if caption:
        lines += ["", f": {caption}" + (f" {{#{label}}}" if label else "")]
    return "\n".join(lines)


def measures_in_round(measures: pd.DataFrame, round_id: str, senders: list[str]) -> pd.DataFrame:
    """The round's measures of the named senders as a display table, in date order."""
    rows = measures[(measures["round"].astype(str) == round_id)
                    & measures["sender"].astype(str).isin(senders)].sort_values(["date", "event_id"])
    return pd.DataFrame({
        "Date": [date_text(d, p) for d, p in zip(rows["date"], rows["date_precision"], strict=True)],
        "Sender": rows["sender"].astype(str).tolist(),
        "Instrument": [INSTRUMENT_NAMES.get(str(i), str(i)) for i in rows["instrument"]],
        "Persons": [number(v, 0) if not missing(v) else "" for v in rows["individuals"]],
        "Entities": [number(v, 0) if not missing(v) else "" for v in rows["entities"]],
        "Reported by": [cite(str(s).split(";")) for s in rows["sources"]],
    })


def pressure_in_round(pressure: pd.DataFrame, round_id: str) -> pd.DataFrame:
    rows = pressure[pressure["round"].astype(str) == round_id].sort_values(["date", "pressure_id"])
    return pd.DataFrame({
        "Date": [date_text(d, p) for d, p in zip(rows["date"], rows["date_precision"], strict=True)],
        "Actor": rows["actor"].astype(str).tolist(),
        "Channel": rows["channel"].astype(str).tolist(),
        "Form": rows["form"].astype(str).str.replace("_", " ").tolist(),
        "Intensity": [number(v, 0) for v in rows["intensity"]],
        "Reported by": [cite([str(s)]) for s in rows["source"]],
    })


def _row(frame: pd.DataFrame, **where: str) -> pd.Series | None:
    mask = pd.Series(True, index=frame.index)
    for column, wanted in where.items():
        mask &= frame[column].astype(str) == wanted
    hit = frame[mask]
    return None if hit.empty else hit.iloc[0]


def round_chapter(window: Mapping[str, str], tables: Mapping[str, pd.DataFrame], leader: str) -> str:
    """The chapter of one round: measures, pressure, attributions, attainment, evidence, verdict."""
    round_id = window["id"]
    measures, pressure = tables["measures"], tables["pressure"]
    in_round = measures[measures["round"].astype(str) == round_id]
    japan = in_round[in_round["sender"].astype(str) == FOCAL].sort_values("date")
    acts = pressure[pressure["round"].astype(str) == round_id]
    direct = int((acts["channel"].astype(str) == "direct").sum())

    japan_steps = [md_text(f"{INSTRUMENT_NAMES.get(str(r.instrument), r.instrument)} "
                           f"({date_text(r.date, r.date_precision)})") for r in japan.itertuples()]
    senders = sorted(set(in_round["sender"].astype(str)) - {FOCAL})
    parts = [f"# {md_text(window['label'])} {{#{section_id(round_id)}}}", ""]
    opening = (f"Between {md_text(date_text(window['start']))} and {md_text(date_text(window['end']))} "
               f"the coded documents report {len(in_round)} measure(s); Japan took {len(japan)}"
               + (f": {join_words(japan_steps)}." if japan_steps else ".")
               + (f" Measures by {join_words([md_text(SENDER_PROSE.get(s, s)) for s in senders])} fall "
                  "in the same window." if senders else ""))
    parts += [opening, "", "## What Japan, the United States and the European Union did", "",
              pipe_table(measures_in_round(measures, round_id, list(MAJOR_SENDERS))), ""]

    parts += ["## US pressure on Japan", "",
              f"The documents report {len(acts)} act(s) of US pressure on Japan in this round, "
              f"{direct} of them direct and {len(acts) - direct} indirect.", "",
              pipe_table(pressure_in_round(pressure, round_id)), ""]

    influence = _row(tables["influence"], round=round_id)
    if influence is not None:
        parts += ["## Attributed influence", "",
                  f"Weighing {number(influence['n_statements'], 0)} attribution statement(s) from "
                  f"{number(influence['n_sources'], 0)} document(s) by the "
                  f"*{md_text(influence['aggregation'])}* rule gives an attributed US influence of "
                  f"{number(influence['influence'])} on a scale "
                  f"from none (0) to decisive (1). Japanese officials' own statements average "
                  f"{number(influence['ego'])}, allied and Russian officials' {number(influence['alter'])} "
                  f"and researchers' {number(influence['researcher'])}.", ""]

    attainment = tables["attainment"]
    us, jp = _row(attainment, round=round_id, actor=PRESSURING), _row(attainment, round=round_id, actor=FOCAL)
    if us is not None and jp is not None:
        parts += ["## Preference attainment", "",
                  f"On the stringency scale, Japan moved from {number(us['reversion'])} to "
                  f"{number(us['outcome'])} against a US ideal point of {number(us['ideal'])}. The "
                  f"*{md_text(us['measure'])}* attainment of the United States is {number(us['attainment'])} "
                  f"(interval {number(us['lower'])} to {number(us['upper'])}); Japan's, measured against "
                  f"its own signalled position of {number(jp['ideal'])}, is {number(jp['attainment'])} "
                  f"(interval {number(jp['lower'])} to {number(jp['upper'])}).", ""]

    weights = tables["evidence_weights"]
    items = weights[weights["round"].astype(str) == round_id]
    posteriors = tables["posteriors"]
    lines = []
    for hypothesis in sorted(set(items["hypothesis"].astype(str))):
        post = _row(posteriors, hypothesis=hypothesis, round=round_id)
        mine = items[items["hypothesis"].astype(str) == hypothesis]
        if post is not None:
            lines.append(f"- {md_text(hypothesis)}: {len(mine)} item(s), net weight "
                         f"{md_text(number(mine.loc[mine['counted'].astype(bool), 'weight_db'].sum(), 1))} "
                         f"dB, posterior {md_text(number(post['posterior']))} ({md_text(post['verdict'])}).")
    parts += ["## Evidence and its weight", "",
              f"The round holds {len(items)} process-tracing item(s) dated within its window."
              + (" By hypothesis:" if lines else ""), "", *lines, ""]

    verdict = _row(tables["verdicts"], hypothesis="HP1", round=round_id)
    if verdict is not None:
        thesis = verdict.get("thesis_verdict")
        agreement = ("" if missing(thesis) or not str(thesis) else
                     f" The thesis finds HP1 {md_text(thesis)} in this round; the pipeline "
                     + ("agrees." if str(thesis) == str(verdict["verdict"]) else "does not."))
        parts += ["## Verdict on HP1", "",
                  f"HP1 is **{md_text(verdict['verdict'])}** in this round. "
                  f"Rule: {md_text(verdict['rule'])}. "
                  f"It read {md_text(verdict['evidence'])}.{agreement}", ""]
    return "\n".join(parts)
