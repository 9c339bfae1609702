"""Preference attainment of the US and Japan per round (methods.md section 1), with a Monte Carlo interval."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.registry import check_option
from analysis.scores.stringency import (
    INSTRUMENTS,
    POSITION_COLUMNS,
    MeasureIndex,
    position_options,
    positions_at,
    prepare_measures,
    repertoire,
    stringency_index,
    weight_vector,
)
from analysis.vocabulary import FOCAL, PRESSURING

ATTAINMENT_COLUMNS = [
    "round",
    "actor",
    "measure",
    "reversion",
    "outcome",
    "ideal",
    "attainment",
    "lower",
    "upper",
    "improvement",
]
ACTORS = [PRESSURING, FOCAL]

FORMULAS = {
    "weighted_mean_distance": r"d(a, b) = \left| \frac{\sum_k w_k a_k}{\sum_k w_k} - "
    r"\frac{\sum_k w_k b_k}{\sum_k w_k} \right|",
    "euclidean_distance": r"d(a, b) = \sqrt{\frac{\sum_k w_k (a_k - b_k)^2}{\sum_k w_k}}",
    "proximity": r"PA = 1 - d(x, O)",
    "improvement": r"PA = d(x, R) - d(x, O)",
    "proportional": r"PA = \begin{cases} \frac{d(x, R) - d(x, O)}{d(x, R)} & \text{if } d(x, R) > 0 \\ "
    r"1 - d(O, R) & \text{if } d(x, R) = 0 \end{cases}",
    "categorical": r"PA = \begin{cases} 1 & \text{if } d(x, O) \le \tau \\ "
    r"0.5 & \text{if } 0 < PA_{prop} < 1 \\ "
    r"0 & \text{otherwise} \end{cases}",
    "relative": r"PA_i = d(x_j, O) - d(x_i, O)",
    "interval": r"[q_{0.05}, q_{0.95}] \text{ of } PA\big(\operatorname{clip}_{[0,1]}(p_k + u_k)\big), "
    r"\; u_k \sim U(-\delta, \delta) \text{ per distinct placement } p_k > 0",
}

# What each formula measures and why, in words: a label and one sentence (the report shows them
# beside FORMULAS, key for key).
DESCRIPTIONS = {
    "weighted_mean_distance": (
        "Distance on the policy scale (weighted mean)",
        "How far apart two positions are, comparing their weighted mean intensity.",
    ),
    "euclidean_distance": (
        "Distance on the policy scale (instrument by instrument)",
        "The alternative distance compares the positions instrument by instrument.",
    ),
    "proximity": (
        "Attainment as proximity",
        "How close the outcome came to an actor's ideal point.",
    ),
    "improvement": (
        "Attainment as improvement",
        "How much closer to its ideal point the outcome is than the position before the round; "
        "positive means Japan moved towards that actor.",
    ),
    "proportional": (
        "Attainment as a share of the demanded move",
        "The share of the move an actor demanded that actually happened, which keeps rounds with "
        "demands of different size comparable.",
    ),
    "categorical": (
        "Attainment in categories",
        "Full, partial or no attainment, for readers who distrust the decimals.",
    ),
    "relative": (
        "Relative attainment",
        "Whether the outcome lies closer to one actor's ideal point than to the other's.",
    ),
    "interval": (
        "Interval of attainment",
        "The range the attainment takes when every coded placement is jittered at random, to show "
        "how much the score rests on exact codes.",
    ),
}


def distance(a: np.ndarray, b: np.ndarray, weights: np.ndarray, aggregation: str) -> np.ndarray:
    """Distance on the 0–1 policy scale (W = 1), vectorised over leading axes.

    `weighted_mean`: a and b are scalar positions (the stringency index / 100), d = |a − b|.
    `euclidean`: a and b are per-instrument positions (last axis K),
    d = sqrt(Σ w_k (a_k − b_k)² / Σ w_k) over the instruments known in both (NaN if none).
    """
    if aggregation == "weighted_mean":
        return np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))
    check_option("preference_attainment.aggregation", aggregation)
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    w = np.broadcast_to(np.asarray(weights, dtype=float), diff.shape)
    known = ~np.isnan(diff)
    total = np.where(known, w, 0.0).sum(axis=-1)
    squares = np.where(known, w * np.nan_to_num(diff) ** 2, 0.0).sum(axis=-1)
    return np.where(total > 0, np.sqrt(squares / np.where(total > 0, total, 1.0)), np.nan)


def proximity(d_ideal_outcome: np.ndarray) -> np.ndarray:
    """PA = 1 − d(x, O): closeness of the outcome to the ideal, ignoring the reversion point. Range [0, 1]."""
    return np.clip(1.0 - d_ideal_outcome, -1.0, 1.0)


def improvement(d_ideal_reversion: np.ndarray, d_ideal_outcome: np.ndarray) -> np.ndarray:
    """PA = d(x, R) − d(x, O): how much nearer the ideal the outcome is than the reversion point. [-1, 1]."""
    return np.clip(d_ideal_reversion - d_ideal_outcome, -1.0, 1.0)


def proportional(
    d_ideal_reversion: np.ndarray, d_ideal_outcome: np.ndarray, d_outcome_reversion: np.ndarray
) -> np.ndarray:
    """PA = (d(x, R) − d(x, O)) / d(x, R), the share of the demanded move that happened; [-1, 1].

    When nothing was demanded (x = R), PA = 1 − d(O, R): staying put attains the ideal fully.
    """
    demanded = d_ideal_reversion > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        share = (d_ideal_reversion - d_ideal_outcome) / np.where(demanded, d_ideal_reversion, 1.0)
    return np.clip(np.where(demanded, share, 1.0 - d_outcome_reversion), -1.0, 1.0)


def categorical(
    d_ideal_reversion: np.ndarray, d_ideal_outcome: np.ndarray, d_outcome_reversion: np.ndarray, tau: float
) -> np.ndarray:
    """Mahoney-type success: 1 if d(x, O) ≤ τ, 0.5 if 0 < PA_proportional < 1, else 0 (NaN stays NaN)."""
    share = proportional(d_ideal_reversion, d_ideal_outcome, d_outcome_reversion)
    score = np.where(d_ideal_outcome <= tau, 1.0, np.where((share > 0) & (share < 1), 0.5, 0.0))
    return np.where(np.isnan(d_ideal_outcome) | np.isnan(share), np.nan, score)


def relative(d_own_outcome: np.ndarray, d_other_outcome: np.ndarray) -> np.ndarray:
    """PA_i = d(x_j, O) − d(x_i, O): positive when the outcome sits closer to actor i than to j. [-1, 1]."""
    return np.clip(d_other_outcome - d_own_outcome, -1.0, 1.0)


def score(
    measure: str,
    reversion: np.ndarray,
    outcome: np.ndarray,
    ideal: np.ndarray,
    other_ideal: np.ndarray,
    *,
    weights: np.ndarray,
    aggregation: str,
    tau: float,
) -> np.ndarray:
    """The chosen attainment measure from placements (scalars or per-instrument vectors, see `distance`)."""
    check_option("preference_attainment.measure", measure)
    d_xr = distance(ideal, reversion, weights, aggregation)
    d_xo = distance(ideal, outcome, weights, aggregation)
    d_or = distance(outcome, reversion, weights, aggregation)
    if measure == "proximity":
        return proximity(d_xo)
    if measure == "improvement":
        return improvement(d_xr, d_xo)
    if measure == "proportional":
        return proportional(d_xr, d_xo, d_or)
    if measure == "categorical":
        return categorical(d_xr, d_xo, d_or, tau)
    return relative(d_xo, distance(other_ideal, outcome, weights, aggregation))


def jitter_placements(vectors: np.ndarray, jitter: float, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Draws of the positions (shape draws × positions × K) with every distinct placement moved by U(−δ, δ).

    A placement is one coded intensity: instrument k placed at a value. Positions that place k at the
    same value (e.g. Japan's ideal = its pre-round stock, or the US ideal = the outcome on instruments the
    US did not ask for) share one draw, so identical placements stay identical; jittering them apart
    would invent a demanded move that the protocol does not contain. Absent instruments (0: nothing in
    force) are facts and are not jittered; NaN stays NaN. Draws are clipped to [0, 1].
    """
    values = np.asarray(vectors, dtype=float)
    noise = rng.uniform(-jitter, jitter, size=(draws, *values.shape))
    owner = np.zeros(values.shape, dtype=int)
    for j in range(values.shape[0]):
        same = values[:j] == values[j]  # (j, K): earlier positions placing k at the same value
        first = np.argmax(same, axis=0) if j else np.zeros(values.shape[1], dtype=int)
        owner[j] = np.where(same.any(axis=0), first, j) if j else j
    shared = np.take_along_axis(noise, np.broadcast_to(owner, noise.shape), axis=1)
    return np.where(values > 0, np.clip(values + shared, 0.0, 1.0), values)


def monte_carlo_interval(
    measure: str,
    placements: Mapping[str, np.ndarray],
    *,
    weights: np.ndarray,
    aggregation: str,
    tau: float,
    jitter: float,
    draws: int,
    rng: np.random.Generator,
    missing: str = "renormalise",
) -> tuple[float, float]:
    """5th and 95th percentiles of the score over `draws` jittered placements (see `jitter_placements`).

    `placements` holds the per-instrument vectors reversion, outcome, ideal and other_ideal; under
    weighted_mean each jittered vector is aggregated to its scalar position. Percentiles are actual draws
    (inverted CDF), so a categorical interval stays within {0, 0.5, 1}. Clipping at 1 pulls
    full-intensity draws down, so a point estimate at the top of the scale can sit at the edge of (or
    just outside) its interval.
    """
    names = ("reversion", "outcome", "ideal", "other_ideal")
    drawn = jitter_placements(
        np.stack([np.asarray(placements[n], dtype=float) for n in names]), jitter, draws, rng
    )
    if aggregation == "euclidean":
        jittered = [drawn[:, j] for j in range(len(names))]
    else:
        jittered = [stringency_index(drawn[:, j], weights, missing) / 100.0 for j in range(len(names))]
    scores = score(measure, *jittered, weights=weights, aggregation=aggregation, tau=tau)
    scores = scores[~np.isnan(scores)]
    if scores.size == 0:
        return np.nan, np.nan
    low, high = np.percentile(scores, [5, 95], method="inverted_cdf")
    return float(low), float(high)


def with_blank_flags_read(measures: pd.DataFrame, reading: str) -> pd.DataFrame:
    """`us_requested` with blanks (no document says either way) read as `reading` says.

    Japanese measures only: the flag is about what the US asked Japan for; other senders' blanks stay false.
    """
    check_option("preference_attainment.blank_us_requested", reading)
    frame = measures.copy()
    if "us_requested" not in frame.columns:
        frame["us_requested"] = None
    flags = frame["us_requested"].astype(object)
    blank = flags.map(
        lambda v: (
            v is None
            or v is pd.NA
            or (isinstance(v, float) and pd.isna(v))
            or (isinstance(v, str) and not v.strip())
        )
    )
    japanese = frame["sender"].astype(str) == FOCAL if "sender" in frame.columns else blank
    frame["us_requested"] = [
        reading == "requested" and bool(jp) if is_blank else value
        for value, is_blank, jp in zip(flags, blank, japanese, strict=True)
    ]
    return frame


def requested_instruments(measures: pd.DataFrame, end: pd.Timestamp) -> np.ndarray:
    """Mask over INSTRUMENTS of the kinds of measure the US asked for (us_requested true) up to `end`."""
    asked = measures[measures["us_requested"] & measures["date"].notna() & (measures["date"] <= end)]
    return np.isin(INSTRUMENTS, asked["instrument"].unique())


def round_positions(
    measures: pd.DataFrame,
    window: Mapping[str, str],
    *,
    reference: str,
    us_ideal_source: str,
    position_options: Mapping[str, object],
    indexed: MeasureIndex | None = None,
) -> dict[str, np.ndarray]:
    """Per-instrument positions of one round: reversion R, outcome O, US ideal and Japanese ideal.

    O: Japan's stock at the round's end. Japan's ideal (never read off O, after Dür's warning about
    strategic positions): its stock before the round plus the measure(s) it announced on its first
    announcement date in the round (what it offered before any later escalation); its pre-round stock
    when it announced nothing in the round. R: the pre-round stock (`pre_round_stock`) or that first
    announcement (`japan_first_announcement`, Klüver's draft). US ideal: `explicit_us_requests` = O with
    every instrument the US asked for (up to the round's end) at full intensity, so instruments the US
    did not ask for sit at Japan's own level and neither help nor hurt; `us_own_measures` = the US stock,
    which is also the proxy for a round before any request is recorded (otherwise the US ideal would be
    the outcome itself and attainment trivially full).
    Depth ratios use the leader's listings at the round's end for every position, so all four share a scale.
    `indexed` is `measures` as a MeasureIndex, when the caller has built one (it places every round).
    """
    check_option("preference_attainment.reference", reference)
    check_option("preference_attainment.us_ideal_source", us_ideal_source)
    start, end = pd.Timestamp(window["start"]), pd.Timestamp(window["end"])
    opts = dict(position_options, leader_end=end)
    placed = indexed if indexed is not None else MeasureIndex(measures)
    outcome = positions_at(placed, FOCAL, end, **opts)
    pre_round = positions_at(placed, FOCAL, start - pd.Timedelta(days=1), **opts)
    announced = measures["date_announced"].fillna(measures["date"])
    in_round = (
        (measures["sender"] == FOCAL)
        & measures["instrument"].isin(INSTRUMENTS)
        & (announced >= start)
        & (announced <= end)
    )
    if in_round.any():
        first_day = announced[in_round].min()
        offered = in_round & (announced == first_day)
        # The offer is placed as of the round's end so an in_force date after the announcement still counts.
        earlier = (measures["sender"] != FOCAL) | (measures["date"] < start)
        signal_frame = pd.concat([measures[earlier], measures[offered].assign(date=end)])
        signalled = positions_at(signal_frame, FOCAL, end, **opts)
    else:
        signalled = pre_round
    requested = requested_instruments(measures, end)
    if us_ideal_source == "explicit_us_requests" and requested.any():
        us_ideal = np.where(requested, 1.0, outcome)
    else:
        us_ideal = positions_at(placed, PRESSURING, end, **opts)
    return {
        "reversion": pre_round if reference == "pre_round_stock" else signalled,
        "outcome": outcome,
        PRESSURING: us_ideal,
        FOCAL: signalled,
    }


def attainment_table(
    measures: pd.DataFrame,
    rounds: Sequence[Mapping[str, str]],
    *,
    weights: Mapping[str, float],
    intensity: str,
    three_level_values: Mapping[str, float],
    leader: str,
    choices: Mapping[str, object],
    uncoded_intensity: str = "full",
    easing_factor: float = 0.5,
    missing: str = "renormalise",
) -> pd.DataFrame:
    """attainment.csv (docs/tables.md): one row per round × actor (US, JP).

    reversion/outcome/ideal are the scalar positions (stringency index / 100). `attainment` uses
    `choices['measure']`; `improvement` is always added. The Monte Carlo uses one numpy Generator per
    round × actor, seeded by (seed, round position, actor position), so reruns are identical.
    """
    aggregation = str(choices["aggregation"])
    check_option("preference_attainment.aggregation", aggregation)
    # narrow: only what round_positions reads, so its row filters are much faster
    frame = prepare_measures(with_blank_flags_read(measures, str(choices["blank_us_requested"])))
    frame = frame[[*POSITION_COLUMNS, "date_announced", "us_requested"]]
    w = weight_vector(weights)
    options = position_options(leader, intensity, three_level_values, uncoded_intensity, easing_factor)
    indexed = MeasureIndex(frame)

    rows = []
    for round_index, window in enumerate(rounds):
        vectors = round_positions(
            frame,
            window,
            reference=str(choices["reference"]),
            us_ideal_source=str(choices["us_ideal_source"]),
            position_options=options,
            indexed=indexed,
        )
        # positions over the instruments in the repertoire by the round's end (as the stringency index)
        mask = repertoire(window["end"])
        vectors = {name: vector[mask] for name, vector in vectors.items()}
        wr = w[mask]

        def scalar(vector: np.ndarray, wr: np.ndarray = wr) -> float:
            return float(stringency_index(vector, wr, missing)) / 100.0

        for actor_index, actor in enumerate(ACTORS):
            other = ACTORS[1 - actor_index]
            named = {
                "reversion": vectors["reversion"],
                "outcome": vectors["outcome"],
                "ideal": vectors[actor],
                "other_ideal": vectors[other],
            }
            placements = named if aggregation == "euclidean" else {k: scalar(v) for k, v in named.items()}
            common = {"weights": wr, "aggregation": aggregation, "tau": float(choices["tau"])}
            point = float(
                score(
                    str(choices["measure"]),
                    placements["reversion"],
                    placements["outcome"],
                    placements["ideal"],
                    placements["other_ideal"],
                    **common,
                )
            )
            gain = float(
                score(
                    "improvement",
                    placements["reversion"],
                    placements["outcome"],
                    placements["ideal"],
                    placements["other_ideal"],
                    **common,
                )
            )
            rng = np.random.default_rng([int(choices["seed"]), round_index, actor_index])
            low, high = monte_carlo_interval(
                str(choices["measure"]),
                named,
                jitter=float(choices["placement_jitter"]),
                draws=int(choices["monte_carlo_draws"]),
                rng=rng,
                missing=missing,
                **common,
            )
            rows.append(
                {
                    "round": window["id"],
                    "actor": actor,
                    "measure": choices["measure"],
                    "reversion": scalar(named["reversion"]),
                    "outcome": scalar(named["outcome"]),
                    "ideal": scalar(named["ideal"]),
                    "attainment": point,
                    "lower": low,
                    "upper": high,
                    "improvement": gain,
                }
            )
    return pd.DataFrame(rows, columns=ATTAINMENT_COLUMNS)
