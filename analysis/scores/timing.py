"""Japan's timing relative to the leader and the peers (methods.md section 6): lags and first moves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from analysis.registry import check_option
from analysis.scores.stringency import INSTRUMENTS, prepare_measures
from analysis.vocabulary import FOCAL

TIMING_MEASURE_COLUMNS = [
    "event_id",
    "instrument",
    "round",
    "date",
    "leader_event_id",
    "leader_date",
    "lag_days",
    "peer_median_lag_days",
    "relative_lag_days",
    "first_mover",
]
TIMING_SENDER_COLUMNS = ["event_id", "instrument", "round", "against", "lag_days"]
FIRST_MOVER_COLUMNS = ["sender", "round", "n_measures", "first_mover_share"]
TIMING_ROUND_COLUMNS = [
    "round",
    "n_measures",
    "n_matched",
    "median_lag_days",
    "median_relative_lag_days",
    "first_mover_share",
]
# A date of month or year precision is placed on the period's first day (docs/tables.md); the period
# it may stand for runs this long.
PRECISION_RANK = {"day": 0, "month": 1, "year": 2}
PRECISION_SPAN = {
    "day": pd.DateOffset(days=1),
    "month": pd.DateOffset(months=1),
    "year": pd.DateOffset(years=1),
}

FORMULAS = {
    "lag": r"\text{lag}_m = t_{JP}(m) - t_L(m)",
    "relative_lag": r"\text{rel}_m = \text{lag}_m - "
    r"\operatorname{median}_{p \in P} \left(t_p(m) - t_L(m)\right)",
    "first_mover": r"\text{first}_m = \mathbb{1}\left[\nexists\, \ell \in L_{k(m)} : "
    r"t_{JP}(m) - W \le t_\ell \le t_{JP}(m)\right]",
    "first_mover_share": r"FMS_r = \frac{1}{|M_r|} \sum_{m \in M_r} \text{first}_m",
}

# What each formula measures and why, in words: a label and one sentence (the report shows them
# beside FORMULAS, key for key).
DESCRIPTIONS = {
    "lag": (
        "Lag behind the leader",
        "Days between a Japanese measure and the leader's comparable measure: the basic sign of following.",
    ),
    "relative_lag": (
        "Lag relative to peers",
        "Japan's lag minus the median lag of the peer followers, so Japan is judged against other "
        "followers rather than against zero.",
    ),
    "first_mover": (
        "First move",
        "A Japanese measure is a first move when the leader took no comparable measure in the "
        "preceding window.",
    ),
    "first_mover_share": (
        "Share of first moves",
        "The share of a round's Japanese measures that were first moves.",
    ),
}


class Dated(NamedTuple):
    """One comparable measure as the matching reads it: its placed date, id and date precision."""

    date: pd.Timestamp
    event_id: str
    precision: str | None = "day"


def leader_match(leader_measures: Sequence[Dated], date: pd.Timestamp, matching: str) -> Dated | None:
    """The leader's comparable measure a Japanese measure dated `date` is timed against (None if none).

    `leader_measures`: the leader's measures of the same instrument, sorted by date then event_id.
    `first`: the leader's first such measure, whenever it was (the contract's default; for a later
    Japanese expansion of an instrument the lag then reads as distance from the leader's first move).
    `latest_before`: the leader's most recent such measure on or before `date`, else its first after
    (so each expansion is timed against the leader step it could have followed).
    """
    check_option("timing.matching", matching)
    if not leader_measures:
        return None
    if matching == "latest_before":
        before = [m for m in leader_measures if m.date <= date]
        if before:
            return before[-1]
    return leader_measures[0]


def lag_days(date: pd.Timestamp, reference: pd.Timestamp) -> float:
    """lag = t − t_ref in days (negative: the measure came first); NaN when either date is unknown."""
    if pd.isna(date) or pd.isna(reference):
        return np.nan
    return float((date - reference).days)


def is_first_mover(
    leader_measures: Sequence[Dated],
    date: pd.Timestamp,
    window_days: int,
    vague_leader_measures: Sequence[Dated] = (),
) -> bool | None:
    """True when the leader has no comparable measure dated in [date − window_days, date].

    A same-day leader measure counts as a prior move (coordinated announcement, not a first move).
    `vague_leader_measures` are comparable leader measures whose dates are too coarse to time: when no
    precise one falls in the window but a vague one's period (from its placed first day, a month or a
    year long) overlaps the window, the answer is unknown (None).
    """
    start = date - pd.Timedelta(days=int(window_days))
    if any(start <= m.date <= date for m in leader_measures):
        return False
    for m in vague_leader_measures:
        if m.date <= date and m.date + PRECISION_SPAN.get(m.precision, PRECISION_SPAN["day"]) > start:
            return None
    return True


def peer_median_lag(
    by_sender: Mapping[str, Sequence[Dated]], peers: Sequence[str], leader_date: pd.Timestamp, matching: str
) -> float:
    """Median over peers of the lag of each peer's first comparable measure behind the leader's.

    Under `first` a peer's first measure of the instrument is used, whenever it was; under
    `latest_before` its first measure on or after the leader's matched measure. Peers without one drop out.
    """
    lags = []
    for peer in peers:
        rows = list(by_sender.get(peer, ()))
        if matching == "latest_before":
            rows = [m for m in rows if m.date >= leader_date]
        if rows:
            lags.append(lag_days(rows[0].date, leader_date))
    return float(np.median(lags)) if lags else np.nan


def timing_tables(
    measures: pd.DataFrame,
    rounds: Sequence[Mapping[str, str]],
    *,
    leader: str,
    peers: Sequence[str],
    first_mover_window_days: int,
    matching: str = "first",
    coarsest_precision: str = "month",
    actor: str = FOCAL,
    comparable_within_days: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """timing_measures.csv and timing_rounds.csv (docs/tables.md).

    One row per measure of `actor` whose instrument is one of the eight (easing, counter-measures and
    `other` have no comparable leader measure by construction). Comparable = same instrument.
    A measure whose date falls outside every round keeps an empty round and is left out of the round table.
    Dates coarser than `coarsest_precision` (e.g. a bare year, placed on 1 January) are not timed: such a
    leader or peer measure is never matched, and such a Japanese measure gets no lag; first_mover is
    empty (unknown) when only such a vague leader measure could fall in the window.
    A leader or peer measure more than `comparable_within_days` from the Japanese measure (either way) is
    not comparable: a measure of one sanctions episode is not timed against another episode's.
    """
    if coarsest_precision not in PRECISION_RANK:
        raise ValueError(f"coarsest_precision must be one of {sorted(PRECISION_RANK)}")
    check_option("timing.matching", matching)
    frame = prepare_measures(measures)
    frame = frame[frame["instrument"].isin(INSTRUMENTS) & frame["date"].notna()]
    # Plain tuples grouped once, in table order: the loop below reads a handful of comparable measures
    # per Japanese one, where each pandas filter costs more than the work.
    measured = [
        (Dated(date, event_id, precision), sender, instrument)
        for event_id, sender, instrument, date, precision in zip(
            frame["event_id"],
            frame["sender"],
            frame["instrument"],
            frame["date"],
            frame["date_precision"],
            strict=True,
        )
    ]

    def precise(m: Dated) -> bool:
        return PRECISION_RANK.get(m.precision, 0) <= PRECISION_RANK[coarsest_precision]

    listed = {leader, *peers}
    by_instrument: dict[str, dict[str, list[Dated]]] = {k: {} for k in INSTRUMENTS}
    vague: dict[str, list[Dated]] = {k: [] for k in INSTRUMENTS}
    for m, sender, instrument in measured:
        if precise(m) and sender in listed:
            by_instrument[instrument].setdefault(sender, []).append(m)
        elif not precise(m) and sender == leader:
            vague[instrument].append(m)
    window_of = _round_lookup(rounds)
    near = None if comparable_within_days is None else pd.Timedelta(days=int(comparable_within_days))
    rows = []
    for measure, sender, instrument in measured:
        if sender != actor:
            continue
        date = measure.date
        senders = by_instrument[instrument]
        if near is not None:
            senders = {s: [m for m in ms if abs(m.date - date) <= near] for s, ms in senders.items()}
        leader_rows = senders.get(leader, [])
        match = leader_match(leader_rows, date, matching)
        leader_date = match.date if match is not None else pd.NaT
        timed = precise(measure)
        lag = lag_days(date, leader_date) if timed else np.nan
        peer_lag = peer_median_lag(senders, peers, leader_date, matching) if match is not None else np.nan
        first = (
            is_first_mover(leader_rows, date, first_mover_window_days, vague[instrument]) if timed else None
        )
        rows.append(
            {
                "event_id": measure.event_id,
                "instrument": instrument,
                "round": window_of(date),
                "date": date.strftime("%Y-%m-%d"),
                "leader_event_id": match.event_id if match is not None else None,
                "leader_date": leader_date.strftime("%Y-%m-%d") if match is not None else None,
                "lag_days": lag,
                "peer_median_lag_days": peer_lag,
                "relative_lag_days": lag - peer_lag,
                "first_mover": first,
            }
        )
    by_measure = pd.DataFrame(rows, columns=TIMING_MEASURE_COLUMNS)
    by_measure["first_mover"] = by_measure["first_mover"].astype("boolean")
    return by_measure, round_summary(by_measure, [w["id"] for w in rounds])


def timing_by_sender(
    measures: pd.DataFrame,
    rounds: Sequence[Mapping[str, str]],
    *,
    against: Sequence[str],
    matching: str = "first",
    coarsest_precision: str = "month",
    actor: str = FOCAL,
    comparable_within_days: int | None = None,
) -> pd.DataFrame:
    """timing_by_sender.csv: `actor`'s lag behind each sender of `against` (e.g. the US and the EU), per
    measure, in long form (event_id, instrument, round, against, lag_days).

    Each sender in turn is timed as the leader by :func:`timing_tables`, so the matching, precision and
    comparability rules are the ones the headline lag uses; a measure without a comparable measure of
    that sender keeps an empty lag.
    """
    parts = []
    for sender in against:
        by_measure, _ = timing_tables(
            measures,
            rounds,
            leader=sender,
            peers=[],
            first_mover_window_days=0,
            matching=matching,
            coarsest_precision=coarsest_precision,
            actor=actor,
            comparable_within_days=comparable_within_days,
        )
        parts.append(by_measure.assign(against=sender)[TIMING_SENDER_COLUMNS])
    if not parts:
        return pd.DataFrame(columns=TIMING_SENDER_COLUMNS)
    return pd.concat(parts, ignore_index=True)


def round_summary(by_measure: pd.DataFrame, round_ids: Sequence[str]) -> pd.DataFrame:
    """Per round: measures, matched measures, median lag, median relative lag, first-mover share.

    A round without Japanese measures has n = 0 and empty medians and share (not zero); the share is
    over the measures whose first-mover status is known.
    """
    rows = []
    for round_id in round_ids:
        subset = by_measure[by_measure["round"] == round_id]
        lags = subset["lag_days"].astype(float).dropna()
        relative = subset["relative_lag_days"].astype(float).dropna()
        rows.append(
            {
                "round": round_id,
                "n_measures": len(subset),
                "n_matched": len(lags),
                "median_lag_days": float(lags.median()) if len(lags) else np.nan,
                "median_relative_lag_days": float(relative.median()) if len(relative) else np.nan,
                "first_mover_share": _share(subset["first_mover"]),
            }
        )
    return pd.DataFrame(rows, columns=TIMING_ROUND_COLUMNS)


def _share(flags: pd.Series) -> float:
    known = flags.dropna()
    return float(known.astype(float).mean()) if len(known) else np.nan


def _round_lookup(rounds: Sequence[Mapping[str, str]]):
    windows = [(w["id"], pd.Timestamp(w["start"]), pd.Timestamp(w["end"])) for w in rounds]

    def window_of(date: pd.Timestamp) -> str | None:
        for round_id, start, end in windows:
            if start <= date <= end:
                return round_id
        return None

    return window_of


def first_movers_by_sender(
    measures: pd.DataFrame,
    rounds: Sequence[Mapping[str, str]],
    *,
    senders: Sequence[str],
    leader: str,
    first_mover_window_days: int,
    matching: str = "first",
    coarsest_precision: str = "month",
    comparable_within_days: int | None = None,
) -> pd.DataFrame:
    """timing_first_movers.csv: each sender's measures and first-mover share per round (sender, round,
    n_measures, first_mover_share), each sender timed against the leader by :func:`timing_tables`
    exactly as Japan is, so the reactivity index can be read on every sender (the peer yardstick)."""
    parts = []
    for sender in senders:
        _, by_round = timing_tables(
            measures,
            rounds,
            leader=leader,
            peers=[],
            first_mover_window_days=first_mover_window_days,
            matching=matching,
            coarsest_precision=coarsest_precision,
            actor=sender,
            comparable_within_days=comparable_within_days,
        )
        parts.append(by_round.assign(sender=sender)[FIRST_MOVER_COLUMNS])
    if not parts:
        return pd.DataFrame(columns=FIRST_MOVER_COLUMNS)
    return pd.concat(parts, ignore_index=True)
