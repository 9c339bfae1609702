"""Reactivity per round and Calder's two reactive-state criteria (methods.md section 6)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.data.clean import events_once
from analysis.registry import check_option, options
from analysis.vocabulary import FOCAL, PRESSURING, SENDER_ORDER, TARGET

REACTIVITY_COLUMNS = [
    "round",
    "responded_within_window",
    "not_first_mover",
    "incompleteness",
    "reactivity",
    "reactive",
    "independent_initiatives",
    "criterion1",
    "criterion2",
]
PEER_COLUMNS = [
    "sender",
    "round",
    "responded_within_window",
    "not_first_mover",
    "reactivity",
    "rank",
    "n_ranked",
    "share_below",
    "ratio_to_others_median",
]
# The components every sender can be scored on: US demands (behind incompleteness) are coded for Japan
# only, so the peer yardstick reads the timing components for every sender, Japan included.
PEER_COMPONENTS = ("responded_within_window", "not_first_mover")
COMPONENTS = set(options("reactivity.components"))
# Japanese rows that are not sanctions: easing reverses one, carve_out / not_adopted record what Japan kept
# out of (or declined), counter_measure is Russia's.
NOT_SANCTIONS = {"easing", "counter_measure", "carve_out", "not_adopted"}

FORMULAS = {
    "responded_within_window": r"\mathrm{resp}_r = \frac{\#\{p \in P_r : \exists m \in M_{JP},\ "
    r"0 \le t_m - t_p \le W\}}{|P_r|}",
    "not_first_mover": r"\mathrm{nfm}_r = 1 - \mathrm{first\_mover\_share}_r",
    "incompleteness": r"\mathrm{inc}_r = 1 - \min(1, \max(0, PA_{US,r}))",
    "reactivity": r"\mathrm{reactivity}_r = \operatorname{mean}_{c \in C} c_r, \quad "
    r"\text{incompleteness enters as } 1-\mathrm{inc}_r \text{ (thesis) or } \mathrm{inc}_r"
    r"\text{ (Calder literal)}",
    "criterion2": r"\mathrm{crit2}_r = [\mathrm{resp}_r \ge \theta] \wedge ([\text{reversal}_r] \vee "
    r"[\mathrm{inc}_r \ge \theta])",
}

# What each formula measures and why, in words: a label and one sentence (the report shows them
# beside FORMULAS, key for key).
DESCRIPTIONS = {
    "responded_within_window": (
        "Responded to pressure",
        "The share of the round's US pressure acts that a Japanese measure followed within the window.",
    ),
    "not_first_mover": (
        "Not a first mover",
        "One minus the share of first moves: a reactive state waits for others.",
    ),
    "incompleteness": (
        "Incompleteness",
        "How far short of the US demand Japan's response fell.",
    ),
    "reactivity": (
        "Reactivity index",
        "The mean of the components in force; the thesis reads a deliberately incomplete response "
        "as independent policy, Calder's literal reading as reactive.",
    ),
    "criterion2": (
        "Calder's second criterion",
        "A reactive state responds to pressure, and its response is reversed or incomplete.",
    ),
}


def _dates(frame: pd.DataFrame, table: str) -> pd.Series:
    if "date" not in frame.columns:
        raise ValueError(f"{table}: missing column date")
    dates = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    bad = frame.loc[dates.isna() & frame["date"].notna(), "date"].tolist()
    if bad:
        raise ValueError(f"{table} column 'date': not an ISO date: {bad[:3]}")
    return dates


def kleene_and(a: bool | None, b: bool | None) -> bool | None:
    """Three-valued AND: False if either is False, True if both are True, else unknown (None)."""
    if a is False or b is False:
        return False
    return True if (a is True and b is True) else None


def kleene_or(a: bool | None, b: bool | None) -> bool | None:
    """Three-valued OR: True if either is True, False if both are False, else unknown (None)."""
    if a is True or b is True:
        return True
    return False if (a is False and b is False) else None


def response_share(pressure_dates: pd.Series, measure_dates: pd.Series, window_days: int) -> float:
    """Share of pressure acts followed by a Japanese measure within window_days (same day included)."""
    acts = pressure_dates.dropna().to_numpy()
    if not len(acts):
        return math.nan
    measures = measure_dates.dropna().to_numpy()
    # whole days from each act (rows) to each measure (columns), floored as Timedelta.days is
    days = (measures[None, :] - acts[:, None]) // np.timedelta64(1, "D")
    answered = ((days >= 0) & (days <= window_days)).any(axis=1)
    return int(answered.sum()) / len(answered)


def reactivity_score(
    values: Mapping[str, float], components: Sequence[str], incompleteness_reading: str
) -> float:
    """Mean of the configured components; incompleteness enters as 1 − inc (thesis) or inc (calder_literal).

    Missing components are left out of the mean; missing when every component is missing.
    """
    check_option("reactivity.incompleteness_reading", incompleteness_reading)
    unknown = sorted(set(components) - COMPONENTS)
    if unknown:
        raise ValueError(f"components: unknown value(s) {unknown}; expected some of {sorted(COMPONENTS)}")
    parts = []
    for name in components:
        value = values[name]
        if value is None or math.isnan(value):
            continue
        parts.append(1 - value if name == "incompleteness" and incompleteness_reading == "thesis" else value)
    return sum(parts) / len(parts) if parts else math.nan


def yardstick_senders(measures: pd.DataFrame, leader: str) -> list[str]:
    """The senders the reactivity yardstick scores: Japan first, then every other sender with a sanction
    measure in the data, in SENDER_ORDER, except the pressuring state, the leader and the target."""
    coded = set(measures.loc[~measures["instrument"].astype(str).isin(NOT_SANCTIONS), "sender"].astype(str))
    others = [s for s in SENDER_ORDER if s in coded and s not in {FOCAL, PRESSURING, leader, TARGET}]
    return [FOCAL, *others]


def reactivity_by_sender(
    measures: pd.DataFrame,
    pressure: pd.DataFrame,
    first_movers: pd.DataFrame,
    rounds: Sequence[Mapping[str, str]],
    window_days: int,
    components: Sequence[str],
    incompleteness_reading: str,
) -> pd.DataFrame:
    """reactivity_peers.csv: the reactivity index of every sender of ``first_movers`` (Japan and its
    allies) per round, from the same components and reactivity_score as Japan's.

    responded_within_window: share of the round's US pressure acts (the only pressure the data code)
    that a sanction measure of the sender followed within window_days; not_first_mover: 1 − the
    sender's first-mover share against the leader (timing_first_movers.csv). Incompleteness reads the US
    demands on Japan, which no ally has, so it is left out for every sender (PEER_COMPONENTS ∩ the
    components in force). A sender with no sanction measure coded in a round gets no index there
    (missing, never zero): the documents code the allies' measures selectively, so a round without
    one is read as not coded rather than as no response. Per round: rank (1 = most reactive) among
    the senders with an index,
    n_ranked, share_below (share of the other ranked senders with a lower index; ties count half) and
    ratio_to_others_median (the index over the median of the other senders').
    """
    for frame, columns, table in (
        (measures, ["sender", "instrument", "date"], "measures"),
        (pressure, ["date", "round"], "pressure"),
        (first_movers, ["sender", "round", "first_mover_share"], "timing_first_movers"),
    ):
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ValueError(f"{table}: missing column(s) {', '.join(missing)}")
    used = [c for c in components if c in PEER_COMPONENTS]
    pressure = events_once(pressure, "pressure_id") if "pressure_id" in pressure.columns else pressure
    pressure_dates = _dates(pressure, "pressure")
    sanctions = measures[~measures["instrument"].astype(str).isin(NOT_SANCTIONS)]
    dates = _dates(sanctions, "measures")
    senders = list(dict.fromkeys(first_movers["sender"].astype(str)))
    # Each column read once, not filtered per sender and round: the multiverse calls this per coding.
    sender_of = sanctions["sender"].astype(str).to_numpy()
    round_of = sanctions["round"].astype(str).to_numpy() if "round" in sanctions.columns else None
    dates_of = {sender: dates[sender_of == sender] for sender in senders}
    share_of: dict[tuple[str, str], Any] = {}
    for sender, round_id, share in zip(
        first_movers["sender"].astype(str),
        first_movers["round"].astype(str),
        first_movers["first_mover_share"],
        strict=True,
    ):
        share_of.setdefault((sender, round_id), share)  # the first row of a sender and round, as before
    pressure_round = pressure["round"].astype(str)
    rows = []
    for window in rounds:
        round_id = window["id"]
        acts = pressure_dates[pressure_round == round_id]
        for sender in senders:
            coded = sender_of == sender
            if round_of is not None:
                coded &= round_of == round_id
            if not coded.any():
                rows.append(
                    {
                        "sender": sender,
                        "round": round_id,
                        "responded_within_window": math.nan,
                        "not_first_mover": math.nan,
                        "reactivity": math.nan,
                    }
                )
                continue
            share = share_of.get((sender, round_id))
            values = {
                "responded_within_window": response_share(acts, dates_of[sender], window_days),
                "not_first_mover": 1 - float(share) if share is not None and pd.notna(share) else math.nan,
                "incompleteness": math.nan,
            }
            index = reactivity_score(values, used, incompleteness_reading) if used else math.nan
            rows.append(
                {
                    "sender": sender,
                    "round": round_id,
                    "responded_within_window": values["responded_within_window"],
                    "not_first_mover": values["not_first_mover"],
                    "reactivity": index,
                }
            )
    table = pd.DataFrame(rows, columns=PEER_COLUMNS[:5])
    return pd.concat(
        [peer_standing(group) for _, group in table.groupby("round", sort=False)] or [table],
        ignore_index=True,
    ).reindex(columns=PEER_COLUMNS)


def peer_standing(group: pd.DataFrame) -> pd.DataFrame:
    """One round's senders with their rank, n_ranked, share_below and ratio_to_others_median (missing
    for a sender without an index)."""
    group = group.copy()
    scored = group["reactivity"].astype(float)
    known = scored.dropna()
    ranks, below, ratios = [], [], []
    for value in scored:
        if math.isnan(value):
            ranks.append(math.nan)
            below.append(math.nan)
            ratios.append(math.nan)
            continue
        others = known.drop(index=scored[scored.eq(value)].index[:1])
        ranks.append(1 + int((known > value).sum()))
        below.append(
            float(((others < value).sum() + 0.5 * (others == value).sum()) / len(others))
            if len(others)
            else math.nan
        )
        median = float(others.median()) if len(others) else math.nan
        ratios.append(value / median if median and not math.isnan(median) else math.nan)
    return group.assign(rank=ranks, n_ranked=len(known), share_below=below, ratio_to_others_median=ratios)


def score_reactivity(
    measures: pd.DataFrame,
    pressure: pd.DataFrame,
    engagements: pd.DataFrame,
    timing_rounds: pd.DataFrame,
    attainment: pd.DataFrame,
    rounds: Sequence[Mapping[str, str]],
    window_days: int,
    components: Sequence[str],
    threshold: float,
    incompleteness_reading: str,
) -> pd.DataFrame:
    """reactivity.csv: one row per round.

    responded_within_window: share of the round's US pressure acts that a Japanese sanction measure
    (any round) followed within window_days. not_first_mover: 1 − first_mover_share. incompleteness:
    1 − the US's attainment (clipped to [0, 1]). Criterion 1: no independent initiative in the round.
    Criterion 2: responsive (responded_within_window ≥ threshold) and erratic (Japan eased a measure
    in the round) or incomplete (incompleteness ≥ threshold). Missing inputs give missing outputs.
    """
    for frame, columns, table in (
        (measures, ["sender", "instrument", "date"], "measures"),
        (pressure, ["date", "round"], "pressure"),
        (engagements, ["independent_initiative", "round"], "engagements"),
        (timing_rounds, ["round", "first_mover_share"], "timing_rounds"),
        (attainment, ["round", "actor", "attainment"], "attainment"),
    ):
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ValueError(f"{table}: missing column(s) {', '.join(missing)}")
    # Several reports of one act or one engagement are one event: count each once.
    pressure = events_once(pressure, "pressure_id") if "pressure_id" in pressure.columns else pressure
    engagements = (
        events_once(engagements, "engagement_id") if "engagement_id" in engagements.columns else engagements
    )
    japanese = measures[measures["sender"].astype(str) == FOCAL]
    sanction_dates = _dates(japanese, "measures")[~japanese["instrument"].astype(str).isin(NOT_SANCTIONS)]
    pressure_dates = _dates(pressure, "pressure")
    initiative = engagements["independent_initiative"].map(lambda v: str(v).strip().lower() in {"true", "1"})
    rows = []
    for window in rounds:
        round_id = window["id"]
        responded = response_share(
            pressure_dates[pressure["round"].astype(str) == round_id], sanction_dates, window_days
        )
        share = timing_rounds.loc[timing_rounds["round"].astype(str) == round_id, "first_mover_share"]
        not_first = 1 - float(share.iloc[0]) if len(share) and pd.notna(share.iloc[0]) else math.nan
        us = attainment[
            (attainment["round"].astype(str) == round_id) & (attainment["actor"].astype(str) == PRESSURING)
        ]
        incomplete = (
            1 - min(1.0, max(0.0, float(us["attainment"].iloc[0])))
            if len(us) and pd.notna(us["attainment"].iloc[0])
            else math.nan
        )
        values = {
            "responded_within_window": responded,
            "not_first_mover": not_first,
            "incompleteness": incomplete,
        }
        score = reactivity_score(values, components, incompleteness_reading)
        initiatives = int(initiative[engagements["round"].astype(str) == round_id].sum())
        in_round = (
            japanese[japanese["round"].astype(str) == round_id] if "round" in japanese else japanese.iloc[:0]
        )
        erratic = bool((in_round["instrument"].astype(str) == "easing").any())
        responsive = None if math.isnan(responded) else responded >= threshold
        incomplete_flag = None if math.isnan(incomplete) else incomplete >= threshold
        criterion2 = kleene_and(responsive, kleene_or(erratic, incomplete_flag))
        rows.append(
            {
                "round": round_id,
                **values,
                "reactivity": score,
                "reactive": None if math.isnan(score) else score >= threshold,
                "independent_initiatives": initiatives,
                "criterion1": initiatives == 0,
                "criterion2": criterion2,
            }
        )
    return pd.DataFrame(rows, columns=REACTIVITY_COLUMNS)
