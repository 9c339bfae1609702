"""The multiverse: every admissible specification of the registry's decision space, scored.

The decision space is declared in analysis/registry.yaml only: a coding choice varies when it has options
(``enum``) or a grid (``x-grid``, ``x-grid-from``) and is not held (``x-held``); ``x-constraints``
excludes combinations that make no sense, each with its reason. This module

- enumerates the admissible specifications deterministically (:func:`structures`, :func:`numeric_specs`,
  :func:`specifications`), each with a stable id derived from its values;
- evaluates a table of specifications on the cleaned tables of one structural combination
  (:func:`evaluate`): each score stage of analysis/scores/stages.py runs once per distinct combination
  of the keys it and the stages before it read, and the verdicts of all rows come from one vectorised
  call of analysis/scores/verdicts.verdict_arrays, the function the default build uses too;
- splits the work into chunks that never change a result (:func:`chunk_slices`) and shows progress.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import io
import itertools
import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import registry
from analysis.config import round_windows
from analysis.io import canonical_json, read_csv
from analysis.scores.headline import _pick, _value
from analysis.scores.stages import STAGES, UPSTREAM, keys_behind
from analysis.scores.verdicts import (
    ROUND_INPUTS,
    attainment_inputs,
    influence_inputs,
    posterior_inputs,
    reactivity_inputs,
    verdict_arrays,
)
from analysis.vocabulary import FOCAL, PRESSURING

Tables = dict[str, pd.DataFrame]
SPEC_ID = "spec_id"
STRUCTURE_ID = "structure_id"
HYPOTHESES_OVERALL = ("HP2", "HP3")
# Per-round scores kept for every specification, named like the keys of headline.json
# (suffix, table, column, row filter): JP stringency, lag, PA, AI, posterior of HP1, reactivity.
ROUND_SCORES = (
    ("stringency_jp", "stringency", "stringency_stock", {"sender": FOCAL}),
    ("median_lag_days", "timing_rounds", "median_lag_days", {}),
    ("pa_us", "attainment", "attainment", {"actor": PRESSURING}),
    ("pa_us_improvement", "attainment", "improvement", {"actor": PRESSURING}),
    ("ai", "influence", "influence", {}),
    ("posterior_HP1", "posteriors", "posterior", {"hypothesis": "HP1"}),
    ("reactivity", "reactivity", "reactivity", {}),
)
# Which stage's output feeds which part of the verdicts' inputs (verdicts.round_inputs, split by table):
# stage -> (reader, the table of the stage's outputs it reads), or None for a stage read only for scores.
INPUT_READERS = {
    "score_stringency": None,
    "score_timing": None,
    "score_attainment": (attainment_inputs, "attainment"),
    "score_influence": (influence_inputs, "influence"),
    "score_process_tracing": (posterior_inputs, "posteriors"),
    "score_reactivity": (reactivity_inputs, "reactivity"),
}
# The score each verdict is decided on in the report's figures (HP1: attributed influence, the
# threshold the default rejects on; HP2: reactivity).
DECIDING_SCORE = {"HP1": "ai", "HP2": "reactivity", "HP3": "reactivity"}


# ── The decision space ──────────────────────────────────────────────────────────────────────────────
def axes(config: Mapping[str, Any]) -> dict[str, tuple[Any, ...]]:
    """{key: values} of every coding choice that varies in the multiverse, in registry order."""
    out = {}
    only = set(config.get("multiverse", {}).get("only") or [])
    for choice in registry.choices().values():
        if choice.kind == "setting" or choice.held or (only and choice.key not in only):
            continue
        if choice.grid is not None:
            out[choice.key] = tuple(choice.grid)
        elif choice.grid_from is not None:
            out[choice.key] = tuple(registry.lookup(config, choice.grid_from))
        elif choice.options:
            out[choice.key] = tuple(choice.options)
    return out


def table_keys(config: Mapping[str, Any]) -> list[str]:
    """The keys whose config.yaml value the multiverse table depends on: every key cleaning or a score
    stage reads, except the varied ones that no constraint refers to (the table holds all their
    values whatever config.yaml says). A job that scores the multiverse takes exactly these as params,
    so editing another key's default reruns only what reads the default (the summary), not the table."""
    named: set[str] = set()
    for constraint in registry.constraints():
        named |= set(constraint.get("hold", [])) | set(constraint.get("unless_default", []))
    read = {key for rule in ["clean_data", *STAGES] for key in registry.keys_read_by(rule)}
    varied = set(axes(config))
    return [key for key in registry.choices() if key in read and (key not in varied or key in named)]


def encoded_params(config: Mapping[str, Any], keys: Iterable[str]) -> dict[str, str]:
    """A multiverse job's params: one per key, config.yaml's whole value (a map of named sets whole, as
    the multiverse varies which set is chosen), so a dry run names the key whose edit reruns the job."""
    return {key.replace(".", "__"): registry.encode(key, registry.lookup(config, key)) for key in keys}


def structural_keys(config: Mapping[str, Any]) -> list[str]:
    """The varied keys cleaning reads: one prepared set of tables per combination of them."""
    read = set(registry.keys_read_by("clean_data"))
    return [key for key in axes(config) if key in read]


def numeric_axes(
    config: Mapping[str, Any], space: Mapping[str, Sequence[Any]] | None = None
) -> dict[str, tuple[Any, ...]]:
    """The varied keys cleaning does not read, with their values (of ``space``, by default the whole
    decision space): every structure's specifications are drawn from their product."""
    space = axes(config) if space is None else space
    structural = set(structural_keys(config))
    return {key: tuple(values) for key, values in space.items() if key not in structural}


def _matches(frame: pd.DataFrame, condition: Mapping[str, Any]) -> np.ndarray:
    mask = np.ones(len(frame), dtype=bool)
    for key, wanted in condition.items():
        values = wanted if isinstance(wanted, list) else [wanted]
        mask &= frame[key].isin(values).to_numpy() if key in frame.columns else np.zeros(len(frame), bool)
    return mask


def admissible(
    frame: pd.DataFrame, config: Mapping[str, Any], constraints: Iterable[Mapping] = ()
) -> np.ndarray:
    """Boolean mask of the rows of ``frame`` (one column per choice) that no constraint excludes.

    A constraint applies where all of ``when`` matches (a value or a list of values) and, with
    ``unless_default``, where one of those keys differs from config.yaml's value. It then excludes the
    rows matching ``exclude``, or the rows where a key of ``hold`` differs from config.yaml's value (so
    one value of a key that does not matter is kept; a held key ``frame`` lacks is at that value anyway).
    A constraint whose condition names a key ``frame`` lacks is skipped (it concerns the other half of
    the space and is applied there).
    """
    keep = np.ones(len(frame), dtype=bool)
    for constraint in constraints:
        condition = set(constraint.get("when", {})) | set(constraint.get("unless_default", []))
        condition |= set(constraint.get("exclude", {}))
        held = [key for key in constraint.get("hold", []) if key in frame.columns]
        if not condition <= set(frame.columns) or not (held or "exclude" in constraint):
            continue  # its condition names a key of the other half, or nothing it holds varies here
        applies = _matches(frame, constraint.get("when", {}))
        if constraint.get("unless_default"):
            off_default = np.zeros(len(frame), dtype=bool)
            for key in constraint["unless_default"]:
                off_default |= (frame[key] != registry.lookup(config, key)).to_numpy()
            applies &= off_default
        if "exclude" in constraint:
            keep &= ~(applies & _matches(frame, constraint["exclude"]))
        for key in held:
            keep &= ~(applies & (frame[key] != registry.lookup(config, key)).to_numpy())
    return keep


def _product(space: Mapping[str, Sequence[Any]]) -> pd.DataFrame:
    keys = list(space)
    rows = list(itertools.product(*(space[key] for key in keys)))
    frame = pd.DataFrame(rows, columns=keys) if keys else pd.DataFrame(index=[0])
    for key in keys:  # object columns: a grid may mix ints and floats, an enum strings
        frame[key] = frame[key].astype(object)
    return frame


_CANONICAL = "_canonical"


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _id(values: Mapping[str, Any]) -> str:
    return _hash(canonical_json(values))


def structures(config: Mapping[str, Any], space: Mapping[str, Sequence[Any]] | None = None) -> pd.DataFrame:
    """The admissible structural combinations, in enumeration order, with a stable ``structure_id``."""
    space = dict(axes(config) if space is None else space)
    keys = [key for key in structural_keys(config) if key in space]
    frame = _product({key: space[key] for key in keys})
    frame = frame[admissible(frame, config, registry.constraints())].reset_index(drop=True)
    frame.insert(0, STRUCTURE_ID, [_id(row) for row in frame[keys].to_dict("records")] if keys else [_id({})])
    return frame


@functools.lru_cache(maxsize=8)
def _numeric_product(config_json: str, items: tuple[tuple[str, tuple[Any, ...]], ...]) -> pd.DataFrame:
    """The numeric half of the space with the constraints over numeric keys alone applied (cached:
    every structure shares it)."""
    frame = _product(dict(items))
    frame = frame[admissible(frame, json.loads(config_json), registry.constraints())].reset_index(drop=True)
    frame[_CANONICAL] = [canonical_json(row) for row in frame.to_dict("records")]
    return frame


def numeric_specs(
    config: Mapping[str, Any], structure: Mapping[str, Any], space: Mapping[str, Sequence[Any]] | None = None
) -> pd.DataFrame:
    """Every admissible specification of one structural combination, in enumeration order.

    Columns: ``spec_id``, ``structure_id``, then one per varied key (structural ones constant).
    """
    space = dict(axes(config) if space is None else space)
    structural = [key for key in structural_keys(config) if key in space]
    numeric = tuple(numeric_axes(config, space).items())
    frame = _numeric_product(json.dumps(config, sort_keys=True), numeric).copy()
    for key in reversed(structural):
        frame.insert(0, key, pd.Series([structure[key]] * len(frame), dtype=object))
    # constraints that join structural and numeric keys (the numeric-only ones hold already)
    frame = frame[admissible(frame, config, registry.constraints())].reset_index(drop=True)
    canonical = frame.pop(_CANONICAL).tolist()
    keys = list(space)
    frame = frame[[key for key in keys if key in frame.columns]]
    frame.insert(0, STRUCTURE_ID, structure[STRUCTURE_ID])
    # a spec's id: its structural and numeric values, canonical JSON, hashed (stable across runs)
    prefix = canonical_json({key: structure[key] for key in structural})
    frame.insert(0, SPEC_ID, [_hash(prefix + "|" + text) for text in canonical])
    return frame


def specifications(
    config: Mapping[str, Any], space: Mapping[str, Sequence[Any]] | None = None
) -> pd.DataFrame:
    """Every admissible specification of the decision space, structure by structure."""
    frames = [numeric_specs(config, row, space) for row in structures(config, space).to_dict("records")]
    return pd.concat(frames, ignore_index=True)


def spec_config(config: Mapping[str, Any], choices: Mapping[str, Any]) -> dict[str, Any]:
    """config with the dotted ``choices`` set: the full specification one row stands for."""
    spec = copy.deepcopy(dict(config))
    for key, value in choices.items():
        node = spec
        *parents, leaf = key.split(".")
        for part in parents:  # a section whose keys all vary is absent from a job's params
            node = node.setdefault(part, {})
        node[leaf] = value.item() if isinstance(value, np.generic) else value
    return spec


def space_summary(config: Mapping[str, Any]) -> dict[str, Any]:
    """What the multiverse holds: varied keys and their values, the constraints, every structure with
    its number of admissible specifications, and the total (space.json)."""
    rows = []
    for structure in structures(config).to_dict("records"):
        rows.append({**structure, "n_specs": len(numeric_specs(config, structure))})
    return {
        "axes": {key: list(values) for key, values in axes(config).items()},
        "constraints": registry.constraints(),
        "structures": rows,
        "total": sum(row["n_specs"] for row in rows),
    }


# ── Chunks ──────────────────────────────────────────────────────────────────────────────────────────
# A chunk job spends about 1.5 s before its first specification (a fresh Python with pandas, its
# structures' tables and stages) and then scores some 1,300 specifications a second on 2 cores: with
# fewer than this many specifications a chunk's fixed cost exceeds a tenth of its work, so a smaller
# multiverse (a bounded one, `multiverse.only`) is split into fewer jobs.
MIN_CHUNK_SPECS = 20_000


def chunk_jobs(config: Mapping[str, Any], n_structures: int) -> int:
    """The number of chunk jobs: ``multiverse.chunks``, or fewer when the space holds fewer than
    MIN_CHUNK_SPECS specifications per job. The count is bounded from the axes alone (every numeric
    combination on each of ``n_structures`` structures, constraints ignored), so the Snakefile knows it
    without enumerating the space; it never changes a result, only how the work is shared out."""
    per_structure = math.prod(len(values) for values in numeric_axes(config).values())
    needed = -(-n_structures * per_structure // MIN_CHUNK_SPECS)  # ceiling division
    return max(1, min(int(config["multiverse"]["chunks"]), needed))


def chunk_slices(counts: Sequence[int], chunks: int, chunk: int) -> list[tuple[int, int, int]]:
    """(structure index, start, stop) of chunk ``chunk`` of ``chunks``.

    The specifications, structure after structure (``counts`` per structure), are cut into ``chunks``
    contiguous runs of near-equal length, so a chunk touches few structures and a stage combination is
    rarely evaluated twice. Concatenating the chunks in order gives every specification once, in order.
    """
    if not 0 <= chunk < chunks:
        raise ValueError(f"chunk {chunk} is not in 0..{chunks - 1}")
    total = int(sum(counts))
    begin, end = total * chunk // chunks, total * (chunk + 1) // chunks
    out, offset = [], 0
    for index, count in enumerate(counts):
        lo, hi = max(begin, offset), min(end, offset + count)
        if lo < hi:
            out.append((index, lo - offset, hi - offset))
        offset += count
    return out


# ── Evaluation ──────────────────────────────────────────────────────────────────────────────────────
def _round_trip(frame: pd.DataFrame) -> pd.DataFrame:
    """A stage output as the next rule reads it: written and read back as the pipeline's CSV (floats
    to six significant digits), so the multiverse reads exactly what a build's rules read."""
    text = frame.to_csv(index=False, float_format="%.6g", lineterminator="\n")
    return read_csv(io.StringIO(text))


def _key(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, list | dict) else value


def round_ids(config: Mapping[str, Any]) -> list[str]:
    """Every round id of every segmentation (the columns of the multiverse table): the configured
    segmentation's rounds first, as listed, then the others' by segmentation name, so the order
    never depends on how a config file happened to list them."""
    definitions = config["rounds"]["definitions"]
    chosen = config["rounds"]["segmentation"]
    seen: list[str] = []
    for name in [chosen, *sorted(set(definitions) - {chosen})]:
        seen += [w["id"] for w in definitions[name] if w["id"] not in seen]
    return seen


def score_columns(config: Mapping[str, Any]) -> list[str]:
    rounds = round_ids(config)
    scores = [f"{r}_{name}" for r in rounds for name, *_ in ROUND_SCORES]
    verdicts = [f"verdict_HP1_{r}" for r in rounds] + [f"verdict_{h}" for h in HYPOTHESES_OVERALL]
    return scores + [f"{r}_combined" for r in rounds] + verdicts


def evaluate(
    prepared: Tables,
    specs: pd.DataFrame,
    config: Mapping[str, Any],
    on_progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Score every specification (row) of ``specs`` on ``prepared``, one structural combination's
    cleaned tables (as its prepare job wrote them). ``config`` gives every key ``specs`` lacks.

    Each stage of STAGES but the last runs once per distinct combination of the keys that it and the
    stages before it read; the verdicts of all rows come from one call of verdict_arrays. Returns
    ``specs`` with one column per score and verdict (score_columns): NaN / None for rounds the
    segmentation in force does not have.
    """
    specs = specs.reset_index(drop=True)
    choice_keys = [key for key in specs.columns if key not in (SPEC_ID, STRUCTURE_ID)]
    first = spec_config(config, specs.iloc[0][choice_keys].to_dict()) if len(specs) else dict(config)
    rounds = round_windows(first)
    codes: dict[str, np.ndarray] = {}
    combos: dict[str, list[dict[str, Any]]] = {}
    outputs: dict[str, list[Tables]] = {}
    for stage, function in list(STAGES.items())[:-1]:
        keys = [key for key in keys_behind(stage) if key in choice_keys]
        if keys:
            frame = specs[keys].map(_key)
            code, uniques = pd.MultiIndex.from_frame(frame).factorize()
            combos[stage] = [
                dict(zip(keys, specs.loc[np.argmax(code == i), keys], strict=True))
                for i in range(len(uniques))
            ]
            codes[stage] = np.asarray(code)
        else:
            combos[stage] = [{}]
            codes[stage] = np.zeros(len(specs), dtype=int)
        outputs[stage] = []
        for combo in combos[stage]:
            choices = spec_config(config, {**specs.iloc[0][choice_keys].to_dict(), **combo})
            # the table holds no interval, and the resampling behind attributed influence's was nearly
            # all of a chunk's time
            choices.setdefault("attributed_influence", {})["bootstrap_draws"] = 0
            tables = dict(prepared)
            for upstream in UPSTREAM[stage]:
                if upstream in outputs:
                    wanted = {k: combo[k] for k in keys_behind(upstream) if k in combo}
                    index = next(
                        i
                        for i, c in enumerate(combos[upstream])
                        if all(_key(c.get(k)) == _key(v) for k, v in wanted.items())
                    )
                    tables.update(outputs[upstream][index])
            result = function(tables, choices)
            outputs[stage].append({name: _round_trip(frame) for name, frame in result.items()})
    # What each stage combination contributes to the verdicts and score columns, read once per combination.
    per_combo: dict[str, list[dict[str, np.ndarray]]] = {}
    for stage, reader in INPUT_READERS.items():
        per_combo[stage] = []
        for tables in outputs[stage]:
            values = dict(reader[0](rounds, tables[reader[1]])) if reader else {}
            for name, table, column, where in ROUND_SCORES:
                if table in tables:
                    values[name] = np.array(
                        [
                            np.nan
                            if (v := _value(_pick(tables[table], column, round=w["id"], **where))) is None
                            else v
                            for w in rounds
                        ],
                        dtype=float,
                    )
            per_combo[stage].append(values)

    def gather(name: str, dtype: type = float) -> np.ndarray:
        stage = next(s for s, combos in per_combo.items() if name in combos[0])
        stacked = np.stack([np.asarray(v[name], dtype=dtype) for v in per_combo[stage]])
        return stacked[codes[stage]]

    inputs = {name: gather(name, object if name == "posterior_verdict" else float) for name in ROUND_INPUTS}
    scores = {name: gather(name) for name, *_ in ROUND_SCORES}
    verdict_choices = {
        key: (
            specs[key].to_numpy()
            if key in specs.columns
            else np.repeat(registry.lookup(first, key), len(specs))
        )
        for key in (
            "hp1.rule",
            "hp1.pa_margin",
            "hp1.ai_threshold",
            "hp1.rejection",
            "hp1.ai_against",
            "attributed_influence.combine",
            "reactivity.hp2_rule",
            "reactive_state.aggregation",
        )
    }
    verdict_choices["supported"] = np.repeat(first["process_tracing"]["thresholds"]["supported"], len(specs))
    verdict_choices["rejected"] = np.repeat(first["process_tracing"]["thresholds"]["rejected"], len(specs))
    verdicts = verdict_arrays(inputs, verdict_choices)
    # HP2 and HP3 are pooled over the in-sample rounds, as the build decides them (stages.decide_verdicts)
    inside = [i for i, w in enumerate(rounds) if not w.get("out_of_sample")]
    if len(inside) < len(rounds):
        pooled = verdict_arrays({k: np.asarray(v)[:, inside] for k, v in inputs.items()}, verdict_choices)
        verdicts = {**verdicts, **{h: pooled[h] for h in HYPOTHESES_OVERALL}}
    out = {}
    ids = [w["id"] for w in rounds]
    for r in round_ids(config):
        at = ids.index(r) if r in ids else None
        for name, *_ in ROUND_SCORES:
            out[f"{r}_{name}"] = scores[name][:, at] if at is not None else np.full(len(specs), np.nan)
        out[f"{r}_combined"] = verdicts["combined"][:, at] if at is not None else np.full(len(specs), np.nan)
    for r in round_ids(config):
        at = ids.index(r) if r in ids else None
        out[f"verdict_HP1_{r}"] = verdicts["HP1"][:, at] if at is not None else np.full(len(specs), None)
    for hypothesis in HYPOTHESES_OVERALL:
        out[f"verdict_{hypothesis}"] = verdicts[hypothesis]
    result = pd.concat([specs, pd.DataFrame(out)], axis=1)
    if on_progress:
        on_progress(len(specs))
    return result[list(specs.columns) + score_columns(config)]


def normalise(frame: pd.DataFrame, config: Mapping[str, Any]) -> pd.DataFrame:
    """One fixed column order and dtype per column, whatever a chunk happened to hold: text columns as
    strings (missing None), numbers as float64, so every chunking writes the same table."""
    out = frame.copy()
    for column in out.columns:
        if column in score_columns(config) and not column.startswith("verdict_"):
            out[column] = pd.to_numeric(out[column], errors="raise").astype("float64")
        elif out[column].map(lambda v: isinstance(v, int | float) and not isinstance(v, bool)).all() and len(
            out
        ):
            out[column] = out[column].astype("float64")
        else:
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out.reset_index(drop=True)


ROW_GROUP_ROWS = 2**14


def write_parquet(frame: pd.DataFrame, path: str | Path) -> None:
    """Parquet (zstd), written whole or not at all; the same table always gives the same bytes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        # row groups of 2**14 rows: the what-if command reads one group, not the whole table
        table = pa.Table.from_pandas(frame, preserve_index=False)
        pq.write_table(table, tmp, compression="zstd", row_group_size=ROW_GROUP_ROWS)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_parquet(path: str | Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pandas()


def read_prepared(paths: Mapping[str, str]) -> Tables:
    """The prepared (cleaned) tables of one structure, read as the score rules read them."""
    return {name: read_csv(path) for name, path in paths.items()}


def run_chunk(
    config: Mapping[str, Any],
    space: Mapping[str, Any],
    chunks: int,
    chunk: int,
    prepared_dir: str | Path,
    progress: Callable[[int], Callable[[int], None]] | None = None,
) -> pd.DataFrame:
    """Chunk ``chunk`` of ``chunks``: its slice of every structure's specifications, evaluated on that
    structure's prepared tables (``prepared_dir/<structure_id>/<table>.csv``), in enumeration order."""
    rows = space["structures"]
    slices = chunk_slices([row["n_specs"] for row in rows], chunks, chunk)
    report = progress(sum(stop - start for _, start, stop in slices)) if progress else None
    space_axes = {key: tuple(values) for key, values in space["axes"].items()}
    frames = []
    for index, start, stop in slices:
        structure = rows[index]
        specs = numeric_specs(config, structure, space_axes).iloc[start:stop]
        folder = Path(prepared_dir) / structure[STRUCTURE_ID]
        prepared = read_prepared({path.stem: str(path) for path in sorted(folder.glob("*.csv"))})
        frames.append(evaluate(prepared, specs, config, on_progress=report))
    if not frames:
        return pd.DataFrame()
    return normalise(pd.concat(frames, ignore_index=True), config)


# ── Progress ────────────────────────────────────────────────────────────────────────────────────────
def progress_line(done: int, total: int, elapsed: float) -> str:
    """'12,000 / 336,000 specs (3.6 %) · 2,400 specs/s · 2 min 15 s left' for a terminal."""
    rate = done / elapsed if elapsed > 0 else 0.0
    share = 100.0 * done / total if total else 100.0
    if done and rate > 0:
        left = (total - done) / rate
        eta = f"{int(left // 60)} min {int(left % 60)} s left" if left >= 60 else f"{left:.0f} s left"
    else:
        eta = "time left unknown"
    return f"{done:,} / {total:,} specs ({share:.1f} %) · {rate:,.0f} specs/s · {eta}"


class Progress:
    """Prints a progress line to a stream (stderr) at most every ``every`` seconds, and at the end."""

    def __init__(self, total: int, stream=sys.stderr, every: float = 2.0, clock=time.monotonic):
        self.total, self.stream, self.every, self.clock = total, stream, every, clock
        self.start = self.last = clock()
        self.done = 0

    def __call__(self, done: int) -> None:
        self.done += done
        now = self.clock()
        if now - self.last >= self.every or self.done >= self.total:
            self.last = now
            print(progress_line(self.done, self.total, now - self.start), file=self.stream, flush=True)
