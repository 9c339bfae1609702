"""Sanctions stringency per sender and round (methods.md section 4): stock, flow, coverage, breadth."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.registry import check_option
from analysis.vocabulary import GSDB_TYPE_OF, INSTRUMENT_CODES, SENDER_ORDER, in_repertoire

INSTRUMENTS = list(INSTRUMENT_CODES)
STRINGENCY_COLUMNS = [
    "sender",
    "round",
    "stringency_stock",
    "stringency_flow",
    "stringency",
    "relative_to_leader",
    "coverage",
    "breadth",
    "n_missing",
]
LEAVE_ONE_OUT_COLUMNS = ["sender", "round", "left_out", "stringency"]
# The columns of the prepared measures that positions_at reads (count_basis: a running total stands
# for the listings it holds; without it here, the tables summed a total with those listings).
POSITION_COLUMNS = [
    "date",
    "event_id",
    "sender",
    "instrument",
    "affects_instrument",
    "intensity_code",
    "list_public",
    "individuals",
    "entities",
    "count_basis",
]

FORMULAS = {
    "stringency": r"S_{c,r} = 100 \cdot \frac{\sum_{k \in K^{obs}_{c,r}} w_k\, x_{c,r,k}}"
    r"{\sum_{k \in K^{obs}_{c,r}} w_k}",
    "three_level": r"x_{c,r,k} = \max_{m \in M_{c,k}(t_r)} v(\text{code}_m)\, f^{e_m}",
    "depth_counts": r"x_{c,r,k} = \min\left\{1,\ \frac{\sum_m f^{e_m} n_m}{n_{L,k}}\right\}",
    "relative_to_leader": r"RS_{c,r} = S_{c,r} / S_{L,r}",
    "coverage": r"C_{c,r} = \frac{|K_{c,r} \cap K_{L,r}|}{|K_{L,r}|}",
    "breadth": r"B_{c,r} = |\{\text{GSDB type}(k) : k \in K_{c,r}\}|",
}

# What each formula measures and why, in words: a label and one sentence (the report shows them
# beside FORMULAS, key for key).
DESCRIPTIONS = {
    "stringency": (
        "Stringency index",
        "How hard a sender's sanctions bite in a round: the weighted mean intensity of the "
        "instruments it uses, on a 0–100 scale, so senders with different tool kits are comparable.",
    ),
    "three_level": (
        "Intensity of an instrument (three-level coding)",
        "An instrument's intensity is its strongest measure in force, coded symbolic, partial or "
        "full, and reduced by any later easing.",
    ),
    "depth_counts": (
        "Intensity of an instrument (listing depth)",
        "The alternative intensity counts how many persons and entities a sender listed, relative "
        "to the leader's count and capped at the leader's level.",
    ),
    "relative_to_leader": (
        "Stringency relative to the leader",
        "A sender's index divided by the leader's in the same round, so 1 means as stringent as the"
        " United States.",
    ),
    "coverage": (
        "Coverage of the leader's instruments",
        "The share of the leader's instruments that the sender also uses.",
    ),
    "breadth": (
        "Breadth",
        "The number of distinct sanction types (in the Global Sanctions Data Base's typology) a sender uses.",
    ),
}


def prepare_measures(measures: pd.DataFrame) -> pd.DataFrame:
    """The cleaned measures with the types scoring needs: datetimes, float counts, plain booleans.

    Optional columns that a small test frame leaves out are added as missing.
    """
    frame = measures.copy()
    if "date_precision" not in frame.columns:
        frame["date_precision"] = "day"
    for column in [
        "event_id",
        "sender",
        "instrument",
        "affects_instrument",
        "intensity_code",
        "round",
        "date_precision",
        "count_basis",
    ]:
        if column not in frame.columns:
            frame[column] = None
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    for column in ["date", "date_announced", "date_in_force"]:
        if column not in frame.columns:
            frame[column] = None
        frame[column] = pd.to_datetime(frame[column].astype(object), errors="coerce")
    for column in ["individuals", "entities"]:
        if column not in frame.columns:
            frame[column] = np.nan
        frame[column] = pd.to_numeric(frame[column].astype(object), errors="coerce").astype(float)
    if "list_public" not in frame.columns:
        frame["list_public"] = None
    frame["list_public"] = [None if v is None or pd.isna(v) else _as_bool(v) for v in frame["list_public"]]
    if "us_requested" not in frame.columns:
        frame["us_requested"] = False
    frame["us_requested"] = [False if v is None or pd.isna(v) else _as_bool(v) for v in frame["us_requested"]]
    return frame.sort_values(["date", "event_id"], kind="stable").reset_index(drop=True)


def _as_bool(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return bool(value)


def measure_intensity(
    code: str | None, three_level_values: Mapping[str, float], uncoded_intensity: str
) -> float:
    """Three-level intensity v(code) of one measure; an uncoded measure counts as `uncoded_intensity`.

    `uncoded_intensity` is `full` or `partial` (read as that code) or `missing` (NaN).
    """
    if code in three_level_values:
        return float(three_level_values[code])
    if uncoded_intensity == "missing":
        return np.nan
    return float(three_level_values[uncoded_intensity])


def _easing_exponents(dates: np.ndarray, easing_dates: np.ndarray) -> np.ndarray:
    """e_m: the number of the sender's easings of this instrument dated on or after measure m."""
    return np.array([int((easing_dates >= date).sum()) for date in dates], dtype=float)


def _list_size(rows: MeasureIndex, at: np.ndarray, weights: np.ndarray) -> float:
    """Σ f^e n over the rows `at` of the index: NaN when any list is secret or a row states no count.

    A row that states only one of individuals/entities counts the other as zero. A running total
    (`count_basis`) already holds every listing dated on or before it: the latest one stands for those,
    and only listings dated after it are added.
    """
    weights = np.asarray(weights)
    totals = rows.running_total[at]
    if totals.any():
        dates = rows.dates[at]
        latest = int(np.flatnonzero(totals)[np.argmax(dates[totals])])
        keep = ~totals & (dates > dates[latest])
        keep[latest] = True
        at, weights = at[keep], weights[keep]
    counts = rows.counts[at]
    unknown = np.isnan(counts).all(axis=1)
    if rows.secret[at].any() or unknown.any():
        return np.nan
    return float((np.nansum(counts, axis=1) * weights).sum())


class MeasureIndex:
    """Prepared measures as arrays, their rows grouped by sender and instrument once.

    positions_at is called for every sender, round and (in the multiverse) coding: filtering a
    DataFrame per instrument there was most of the multiverse's time. The groups keep the frame's row
    order (prepare_measures: date, then event_id), so every sum runs in the order it always did.
    """

    def __init__(self, measures: pd.DataFrame) -> None:
        self.dates = measures["date"].to_numpy()
        self.codes = measures["intensity_code"].to_numpy(dtype=object)
        self.counts = measures[["individuals", "entities"]].to_numpy(dtype=float)
        self.secret = np.array([v is False for v in measures["list_public"]], dtype=bool)
        basis = (
            measures["count_basis"] if "count_basis" in measures else pd.Series(None, index=measures.index)
        )
        self.running_total = (basis.astype(object) == "running_total").to_numpy(dtype=bool)
        adopted: dict[tuple[object, object], list[int]] = {}
        eased: dict[tuple[object, object], list[int]] = {}
        rows = zip(
            measures["sender"],
            measures["instrument"],
            measures["affects_instrument"],
            pd.isna(self.dates),
            strict=True,
        )
        for position, (sender, instrument, affects, undated) in enumerate(rows):
            if undated:
                continue
            if instrument == "easing":
                eased.setdefault((sender, affects), []).append(position)
            else:
                adopted.setdefault((sender, instrument), []).append(position)
        self._adopted = {key: np.array(at, dtype=int) for key, at in adopted.items()}
        self._eased = {key: np.array(at, dtype=int) for key, at in eased.items()}

    def adopted(
        self, sender: str, instrument: str, end: pd.Timestamp, start: pd.Timestamp | None = None
    ) -> np.ndarray:
        """Rows of `sender`'s measures of `instrument` dated on or before `end` (and from `start`)."""
        at = self._adopted.get((sender, instrument), np.array([], dtype=int))
        dates = self.dates[at]
        keep = dates <= end if start is None else (dates <= end) & (dates >= start)
        return at[keep]

    def easing_dates(self, sender: str, instrument: str, end: pd.Timestamp) -> np.ndarray:
        """Dates of `sender`'s easings of `instrument` dated on or before `end`."""
        dates = self.dates[self._eased.get((sender, instrument), np.array([], dtype=int))]
        return dates[dates <= end]


def position_options(
    leader: str,
    intensity: str,
    three_level_values: Mapping[str, float],
    uncoded_intensity: str,
    easing_factor: float,
) -> dict[str, object]:
    """The coding choices positions_at reads besides its data, as its keyword arguments (stringency
    and attainment place senders with the same ones)."""
    return {
        "leader": leader,
        "intensity": intensity,
        "three_level_values": three_level_values,
        "uncoded_intensity": uncoded_intensity,
        "easing_factor": easing_factor,
    }


def positions_at(
    measures: pd.DataFrame | MeasureIndex,
    sender: str,
    end: pd.Timestamp,
    *,
    start: pd.Timestamp | None = None,
    leader: str,
    intensity: str,
    three_level_values: Mapping[str, float],
    uncoded_intensity: str,
    easing_factor: float,
    leader_end: pd.Timestamp | None = None,
) -> np.ndarray:
    """Intensity x_k ∈ [0, 1] (NaN = present but unknown) of each of the eight instruments of `sender`.

    Stock (`start` None): measures dated on or before `end`. An easing of the sender whose
    `affects_instrument` is k multiplies every measure of k dated on or before the easing by
    `easing_factor` (0 lifts the measure, 0.5 halves it); measures adopted after an easing are untouched.
    Flow (`start` given): measures dated within [start, end]; easings do not enter (flow scores adoption).
    An uncoded measure counts as `uncoded_intensity` (the leader's own uncoded measures as full).
    Several measures of one instrument: `three_level` takes the strongest (max of v(code) f^e, missing only
    when no measure of the instrument is coded); `depth_counts` sums listed persons and entities and
    divides by the leader's stock of listings of k at `end`, capped at 1 (missing when any of the
    sender's lists of k is secret or uncounted). Where the leader's listings of k are unknown or zero,
    depth is undefined for k (a non-list instrument such as a suspended dialogue) and the three-level
    value is used for every sender alike. `leader_end` (default `end`) dates the leader's listings used
    as the denominator, so positions at different dates can share one scale.
    """
    check_option("stringency.intensity", intensity)
    rows = measures if isinstance(measures, MeasureIndex) else MeasureIndex(measures)
    end = pd.Timestamp(end)
    leader_end = end if leader_end is None else pd.Timestamp(leader_end)
    factor = float(easing_factor)
    # The leader's measures are the yardstick of `full`: an uncoded leader measure is full by definition.
    uncoded = "full" if sender == leader else uncoded_intensity
    positions = np.zeros(len(INSTRUMENTS))
    for index, instrument in enumerate(INSTRUMENTS):
        at = rows.adopted(sender, instrument, end, start)
        if not len(at):
            continue
        exponents = (
            np.zeros(len(at))
            if start is not None
            else _easing_exponents(rows.dates[at], rows.easing_dates(sender, instrument, end))
        )
        factors = factor**exponents
        values = (
            np.array([measure_intensity(c, three_level_values, uncoded) for c in rows.codes[at]]) * factors
        )
        level = np.nan if np.isnan(values).all() else float(np.nanmax(values))
        if intensity == "depth_counts":
            leader_at = rows.adopted(leader, instrument, leader_end)
            leader_size = (
                _list_size(
                    rows,
                    leader_at,
                    factor
                    ** _easing_exponents(
                        rows.dates[leader_at], rows.easing_dates(leader, instrument, leader_end)
                    ),
                )
                if len(leader_at)
                else np.nan
            )
            if not np.isnan(leader_size) and leader_size > 0:
                size = _list_size(rows, at, factors)
                level = np.nan if np.isnan(size) else min(1.0, size / leader_size)
        positions[index] = level
    return positions


def stringency_index(positions: np.ndarray, weights: np.ndarray, missing: str = "renormalise") -> np.ndarray:
    """S = 100 Σ_k w_k x_k / Σ_k w_k over the instruments whose intensity is known (last axis).

    Vectorised: `positions` has shape (..., K), `weights` shape (K,) or broadcastable, so many weight
    sets or many senders are scored in one call. `missing`: `renormalise` sums over the known
    instruments only (NaN when none is known); `propagate` gives NaN as soon as one is missing.
    """
    check_option("stringency.missing_intensity", missing)
    x, w = np.broadcast_arrays(np.asarray(positions, dtype=float), np.asarray(weights, dtype=float))
    known = ~np.isnan(x)
    total = np.where(known, w, 0.0).sum(axis=-1)
    score = 100.0 * np.where(known, w * np.nan_to_num(x), 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        index = np.where(total > 0, score / np.where(total > 0, total, 1.0), np.nan)
    if missing == "propagate":
        index = np.where(known.all(axis=-1), index, np.nan)
    return index


def weight_vector(weights: Mapping[str, float]) -> np.ndarray:
    """The weight set as a vector in INSTRUMENTS order."""
    absent = [k for k in INSTRUMENTS if k not in weights]
    if absent:
        raise ValueError(f"weight set lacks instrument(s) {', '.join(absent)}")
    return np.array([float(weights[k]) for k in INSTRUMENTS])


def present(positions: np.ndarray) -> np.ndarray:
    """Instruments in force: positive intensity, or present with unknown intensity (NaN)."""
    x = np.asarray(positions, dtype=float)
    return np.isnan(x) | (x > 0)


def coverage(sender_positions: np.ndarray, leader_positions: np.ndarray) -> float:
    """Share of the leader's instruments in force that the sender also has (NaN if the leader has none)."""
    leader_set = present(leader_positions)
    if not leader_set.any():
        return np.nan
    return float((present(sender_positions) & leader_set).sum() / leader_set.sum())


def breadth(positions: np.ndarray, instruments: Sequence[str] = tuple(INSTRUMENTS)) -> int:
    """Number of GSDB types with at least one instrument in force."""
    active = present(positions)
    return len({GSDB_TYPE_OF[k] for k, on in zip(instruments, active, strict=True) if on})


def repertoire(end: str | pd.Timestamp) -> np.ndarray:
    """Mask over INSTRUMENTS of those in the sanctions repertoire by ``end`` (vocabulary.Instrument.since):
    a round's index is taken over these only."""
    return np.array(in_repertoire(pd.Timestamp(end).strftime("%Y-%m-%d")))


def ordered_senders(senders: Sequence[str]) -> list[str]:
    """Senders in display order: SENDER_ORDER first, then the rest alphabetically."""
    unique = set(senders)
    return [s for s in SENDER_ORDER if s in unique] + sorted(unique - set(SENDER_ORDER))


def stringency_table(
    measures: pd.DataFrame,
    rounds: Sequence[Mapping[str, str]],
    *,
    weights: Mapping[str, float],
    basis: str,
    intensity: str,
    three_level_values: Mapping[str, float],
    leader: str,
    uncoded_intensity: str = "full",
    easing_factor: float = 0.5,
    missing: str = "renormalise",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """stringency.csv and stringency_leave_one_out.csv (docs/tables.md), one row per sender × round.

    Senders are those with at least one of the eight instruments in the data; Russia's counter-measures
    and the easing rows are not instruments, so a sender with only those (RU) gets no row.
    Leave-one-out drops instrument k and renormalises the weights over the other seven (chosen basis).
    Under three_level, adding a (non-easing) measure never lowers a stock index; under depth_counts it
    can, by design: a leader listing lowers the followers' depth, an uncounted list turns a known
    instrument into a missing one.
    """
    check_option("stringency.basis", basis)
    frame = prepare_measures(measures)[POSITION_COLUMNS]  # narrow: row filters on it are much faster
    w = weight_vector(weights)
    senders = ordered_senders(frame.loc[frame["instrument"].isin(INSTRUMENTS), "sender"].dropna())
    options = position_options(leader, intensity, three_level_values, uncoded_intensity, easing_factor)
    indexed = MeasureIndex(frame)
    rows, loo_rows = [], []
    for window in rounds:
        start, end = pd.Timestamp(window["start"]), pd.Timestamp(window["end"])
        stock = {s: positions_at(indexed, s, end, **options) for s in senders}
        flow = {s: positions_at(indexed, s, end, start=start, **options) for s in senders}
        # the index of a round runs over the instruments in the repertoire by its end
        mask = repertoire(end)
        names = [k for k, on in zip(INSTRUMENTS, mask, strict=True) if on]
        stock = {s: v[mask] for s, v in stock.items()}
        flow = {s: v[mask] for s, v in flow.items()}
        wr = w[mask]
        chosen = stock if basis == "stock" else flow
        leader_stock = stock.get(leader, np.zeros(len(names)))
        leader_index = float(stringency_index(chosen[leader], wr, missing)) if leader in chosen else np.nan
        for sender in senders:
            s_stock = float(stringency_index(stock[sender], wr, missing))
            s_flow = float(stringency_index(flow[sender], wr, missing))
            value = s_stock if basis == "stock" else s_flow
            relative = value / leader_index if leader_index > 0 else np.nan
            rows.append(
                {
                    "sender": sender,
                    "round": window["id"],
                    "stringency_stock": s_stock,
                    "stringency_flow": s_flow,
                    "stringency": value,
                    "relative_to_leader": relative,
                    "coverage": coverage(stock[sender], leader_stock),
                    "breadth": breadth(stock[sender], names),
                    "n_missing": int(np.isnan(chosen[sender]).sum()),
                }
            )
            for k, instrument in enumerate(names):
                keep = np.arange(len(names)) != k
                without = float(stringency_index(chosen[sender][keep], wr[keep], missing))
                loo_rows.append(
                    {"sender": sender, "round": window["id"], "left_out": instrument, "stringency": without}
                )
    table = pd.DataFrame(rows, columns=STRINGENCY_COLUMNS)
    return table, pd.DataFrame(loo_rows, columns=LEAVE_ONE_OUT_COLUMNS)
