"""The multiverse: decision space, constraints, enumeration, vectorised evaluation, chunks, flip rates."""

from __future__ import annotations

import copy
import io
import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis import registry
from analysis.data.clean import clean_files, without_source
from analysis.io import read_csv, write_csv
from analysis.present.robustness import default_index, flip_rates, robustness_table, status
from analysis.scores import multiverse as mv
from analysis.scores import stages
from analysis.scores.stringency import INSTRUMENTS
from analysis.vocabulary import conclusion

PROJECT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((PROJECT / "config.yaml").read_text(encoding="utf-8"))
DATA = PROJECT / "data" / "raw"
FIXTURE = PROJECT / "tests" / "fixtures" / "valid"
PACKAGE = PROJECT / "data" / "datapackage.json"


def prepare(raw_dir: Path, structure: dict, folder: Path) -> Path:
    """What a multiverse_prepare job writes for ``structure`` (the clean_data code path)."""
    choices = mv.spec_config(CONFIG, {k: v for k, v in structure.items() if k != mv.STRUCTURE_ID})
    tables = clean_files(PACKAGE, sorted(raw_dir.glob("*.csv")), choices)
    target = folder / structure[mv.STRUCTURE_ID]
    for name, frame in tables.items():
        write_csv(frame, target / f"{name}.csv")
    return target


def read_folder(folder: Path) -> dict[str, pd.DataFrame]:
    return mv.read_prepared({p.stem: str(p) for p in sorted(folder.glob("*.csv"))})


# A small decision space: two structures, a few numeric keys (each stage combination costs a real run).
SMALL = {
    "data.date_basis": ("announced", "in_force"),
    "stringency.weights": ("ordinal_cost", "equal"),
    "attributed_influence.combine": ("product", "hse_ordinal", "none"),
    "reactivity.hp2_rule": ("majority", "all"),
    "reactive_state.aggregation": ("conjunctive", "family_resemblance"),
    "hp1.rule": ("all_three", "bayes_only", "influence_only", "majority_of_three"),
    "hp1.pa_margin": ("extensive", "intensive"),
    "hp1.ai_threshold": (0.3, 0.5),
}


@pytest.fixture(scope="module")
def small_default(tmp_path_factory):
    """The SMALL space on config.yaml's structure, real data: prepared tables and the evaluated table."""
    space = {k: v for k, v in SMALL.items() if k != "data.date_basis"}
    structure = mv.structures(CONFIG, space).iloc[0].to_dict()
    folder = prepare(DATA, structure, tmp_path_factory.mktemp("prepared"))
    prepared = read_folder(folder)
    specs = mv.numeric_specs(CONFIG, structure, space)
    return prepared, mv.evaluate(prepared, specs, CONFIG), space


# ── The decision space ──────────────────────────────────────────────────────────────────────────────
def test_leave_out_options_follow_the_data_and_the_instruments():
    sources = read_csv(DATA / "sources.csv")
    seeds = sources.loc[sources["kind"].astype(str) == "seed", "key"].astype(str).tolist()
    assert list(registry.options("data.leave_out_source")) == ["none", *seeds]
    assert list(registry.options("stringency.leave_out_instrument")) == ["none", *INSTRUMENTS]


def test_leaving_a_source_out_drops_its_evidence_rows_and_keeps_claims():
    raw = {
        "sources": pd.DataFrame({"key": ["a", "b"]}),
        "measures": pd.DataFrame({"measure_id": ["m1", "m2"], "source": ["a", "b"]}),
        "thesis_claims": pd.DataFrame({"claim_id": ["c1"], "source": ["a"]}),
    }
    out = without_source(raw, "a")
    assert out["measures"]["measure_id"].tolist() == ["m2"]
    assert len(out["thesis_claims"]) == 1 and len(out["sources"]) == 2
    assert without_source(raw, "none")["measures"].equals(raw["measures"])
    with pytest.raises(ValueError, match="leave_out_source.*'zz'"):
        without_source(raw, "zz")


def test_leaving_an_instrument_out_is_the_leave_one_out_index(small_default):
    prepared, _, _ = small_default
    out = stages.score_stringency(prepared, CONFIG)
    default, index = out["leave_one_out"], out["stringency"]
    default_jp = index[index["sender"] == "JP"]["stringency"].to_numpy(float)
    for instrument in ("sectoral_finance", "travel_ban"):
        spec = mv.spec_config(CONFIG, {"stringency.leave_out_instrument": instrument})
        table = stages.score_stringency(prepared, spec)["stringency"]
        jp = table[table["sender"] == "JP"].set_index("round")["stringency"]
        loo = default[(default["sender"] == "JP") & (default["left_out"] == instrument)]
        expected = loo.set_index("round")["stringency"]
        assert np.allclose(jp.loc[expected.index].to_numpy(float), expected.to_numpy(float))
        assert not np.allclose(jp.to_numpy(float), default_jp)  # Japan holds both: leaving one out matters


def test_every_constraint_has_a_reason_and_names_registered_keys():
    known = set(registry.choices())
    for constraint in registry.constraints():
        assert constraint["reason"].strip()
        named = set(constraint.get("when", {})) | set(constraint.get("exclude", {}))
        named |= set(constraint.get("hold", [])) | set(constraint.get("unless_default", []))
        assert named and named <= known, named - known


def test_constraints_exclude_what_makes_no_sense():
    rows = pd.DataFrame(
        [
            {
                "process_tracing.mode": "collier",
                "process_tracing.lr_profile": "strong",
                "stringency.weights": "equal",
            },
            {
                "process_tracing.mode": "collier",
                "process_tracing.lr_profile": "moderate",
                "stringency.weights": "equal",
            },
            {
                "process_tracing.mode": "bayesian",
                "process_tracing.lr_profile": "strong",
                "stringency.weights": "equal",
            },
            {
                "process_tracing.mode": "bayesian",
                "process_tracing.lr_profile": "strong",
                "stringency.weights": "custom",
            },
        ]
    ).astype(object)
    keep = mv.admissible(rows, CONFIG, registry.constraints())
    assert keep.tolist() == [False, True, True, False]


def test_the_shipped_space_holds_at_least_100000_specifications_and_the_default():
    space = mv.space_summary(CONFIG)
    assert space["total"] >= 100_000
    default = {key: registry.lookup(CONFIG, key) for key in space["axes"]}
    structures = pd.DataFrame(space["structures"])
    structural = [k for k in mv.structural_keys(CONFIG)]
    hit = structures[(structures[structural] == pd.Series({k: default[k] for k in structural})).all(axis=1)]
    assert len(hit) == 1
    specs = mv.numeric_specs(CONFIG, hit.iloc[0].to_dict())
    numeric = [k for k in default if k not in structural]
    assert (specs[numeric] == pd.Series({k: default[k] for k in numeric})).all(axis=1).sum() == 1


def test_enumeration_is_deterministic_with_unique_stable_ids():
    first = mv.specifications(CONFIG, SMALL)
    second = mv.specifications(CONFIG, dict(reversed(list(SMALL.items()))))  # key order does not matter
    assert first[mv.SPEC_ID].is_unique
    assert set(first[mv.SPEC_ID]) == set(second[mv.SPEC_ID])
    assert first.equals(mv.specifications(CONFIG, SMALL))
    # bayes_only holds pa_margin, ai_threshold and combine: one spec per other combination
    bayes = first[first["hp1.rule"] == "bayes_only"]
    assert set(bayes["hp1.ai_threshold"]) == {CONFIG["hp1"]["ai_threshold"]} or bayes.empty


def test_chunk_slices_cover_every_specification_once_in_order():
    counts = [5, 0, 7, 3]
    for chunks in (1, 2, 4, 16):
        flat = [
            (i, j)
            for c in range(chunks)
            for i, a, b in mv.chunk_slices(counts, chunks, c)
            for j in range(a, b)
        ]
        assert flat == [(i, j) for i, n in enumerate(counts) for j in range(n)]
    with pytest.raises(ValueError):
        mv.chunk_slices(counts, 4, 4)


def test_a_small_space_gets_fewer_chunk_jobs_and_the_full_space_the_configured_number():
    """multiverse.chunks is an upper bound: each job gets at least MIN_CHUNK_SPECS specifications of
    the axes' bound, or the space is one job."""
    full = copy.deepcopy(CONFIG)
    full["multiverse"]["only"] = []
    n_full = len(mv.structures(full))
    assert mv.chunk_jobs(full, n_full) == full["multiverse"]["chunks"]  # 1.2 million specifications
    bounded = copy.deepcopy(full)
    bounded["multiverse"]["only"] = ["hp1.ai_threshold", "hp1.rule"]
    assert mv.chunk_jobs(bounded, len(mv.structures(bounded))) == 1
    many = copy.deepcopy(full)
    many["multiverse"]["chunks"] = 10_000
    jobs = mv.chunk_jobs(many, n_full)
    assert 1 < jobs < 10_000
    per_structure = math.prod(len(values) for values in mv.numeric_axes(full).values())
    assert (jobs - 1) * mv.MIN_CHUNK_SPECS < n_full * per_structure <= jobs * mv.MIN_CHUNK_SPECS


def test_chunk_count_never_changes_a_result(tmp_path):
    """1, 3 and 7 chunks write byte-identical tables (fixture data, two structures of 64 specifications:
    3 and 7 chunks each have one chunk that spans both, and 7 slices them unevenly)."""
    space = {k: v for k, v in SMALL.items() if k != "hp1.ai_threshold"}
    summary = {
        "axes": {k: list(v) for k, v in space.items()},
        "structures": [
            {**row, "n_specs": len(mv.numeric_specs(CONFIG, row, space))}
            for row in mv.structures(CONFIG, space).to_dict("records")
        ],
    }
    assert len(summary["structures"]) == 2
    for row in summary["structures"]:
        prepare(FIXTURE, row, tmp_path / "prepared")
    digests = {}
    # a chunk job sees config as its params give it: only the keys the table depends on
    # (and, as this small space varies fewer keys, the varied keys it holds at config.yaml's value)
    held_here = [key for key in mv.axes(CONFIG) if key not in space]
    job_config = registry.from_params(mv.encoded_params(CONFIG, mv.table_keys(CONFIG) + held_here))
    for chunks in (1, 3, 7):
        frames = [mv.run_chunk(job_config, summary, chunks, c, tmp_path / "prepared") for c in range(chunks)]
        table = mv.normalise(pd.concat([f for f in frames if len(f.columns)], ignore_index=True), job_config)
        path = tmp_path / f"{chunks}.parquet"
        mv.write_parquet(table, path)
        digests[chunks] = path.read_bytes()
    assert digests[1] == digests[3] == digests[7]
    assert len(mv.read_parquet(tmp_path / "1.parquet")) == sum(r["n_specs"] for r in summary["structures"])


# ── Vectorised evaluation = the scalar stage run ────────────────────────────────────────────────────
def scalar_run(prepared: dict, choices: dict) -> dict:
    """The build's path for one specification: every stage in turn, each output read back from CSV."""
    tables = dict(prepared)
    for name, stage in stages.STAGES.items():
        out = stage(tables, choices)
        if name == "decide_verdicts":
            return out
        tables.update(
            {k: read_csv(io.StringIO(v.to_csv(index=False, float_format="%.6g"))) for k, v in out.items()}
        )
    raise AssertionError("no verdict stage")


def test_vectorised_verdicts_equal_the_scalar_stage_run(small_default):
    prepared, table, space = small_default
    rng = np.random.default_rng(20141209)
    default = default_index(table, CONFIG)
    sample = sorted({default, *rng.choice(len(table), size=6, replace=False).tolist()})
    for index in sample:
        row = table.iloc[index]
        choices = mv.spec_config(CONFIG, {key: row[key] for key in space if key in table.columns})
        out = scalar_run(prepared, choices)
        verdicts, headline = out["verdicts"], out["headline"]
        for record in verdicts.to_dict("records"):
            if record["hypothesis"] != "HP1" and record["round"] != "all":
                continue  # HP2/HP3 over the out-of-sample rounds: not a column of the table
            suffix = f"HP1_{record['round']}" if record["hypothesis"] == "HP1" else record["hypothesis"]
            assert row[f"verdict_{suffix}"] == record["verdict"], (index, suffix)
        for w in CONFIG["rounds"]["definitions"]["thesis"]:
            for name, *_ in mv.ROUND_SCORES:
                expected = headline[f"{w['id']}_{name}"]
                got = row[f"{w['id']}_{name}"]
                assert (expected is None and np.isnan(got)) or got == pytest.approx(expected, abs=0), name


# ── Robustness ──────────────────────────────────────────────────────────────────────────────────────
def test_flip_rates_equal_flipping_one_key_by_hand(small_default):
    _, table, space = small_default
    keys = [k for k in space if table[k].nunique() > 1]
    targets = ["verdict_HP1_R2", "verdict_HP2"]
    rates = flip_rates(table, keys, targets).set_index(["key", "target"])
    lookup = {tuple(row[k] for k in keys): i for i, row in table[keys].iterrows()}
    for key, target in itertools.product(keys, targets):
        pairs = flips = 0
        for i, row in table[keys].iterrows():
            for value in space[key]:
                if value == row[key]:
                    continue
                other = lookup.get(tuple(value if k == key else row[k] for k in keys))
                if other is None or other < i:  # not admissible, or counted from the other side
                    continue
                pairs += 1
                flips += conclusion(table.at[i, target]) != conclusion(table.at[other, target])
        got = rates.loc[(key, target.removeprefix("verdict_"))]
        assert (got["n_pairs"], got["n_flips"]) == (pairs, flips), (key, target)
    # the rule flips HP1 somewhere; the HP3 aggregation never touches HP1
    assert rates.loc[("hp1.rule", "HP1_R2"), "n_flips"] > 0
    assert rates.loc[("reactive_state.aggregation", "HP1_R2"), "n_flips"] == 0


def test_robustness_shares_and_status(small_default):
    _, table, _ = small_default
    robust = robustness_table(table, CONFIG, {"HP1:R2": "supported"}, 0.8, 0.5).set_index("target")
    column = table["verdict_HP1_R2"]
    default = column.iloc[default_index(table, CONFIG)]
    assert robust.loc["HP1_R2", "default_verdict"] == default
    same = column.map(conclusion) == conclusion(default)  # "not supported" and "rejected" agree
    assert robust.loc["HP1_R2", "share_default"] == pytest.approx(same.mean())
    assert robust.loc["HP1_R2", "share_thesis"] == pytest.approx((column == "supported").mean())
    assert status(0.8, 0.8, 0.5) == "robust" and status(0.5, 0.8, 0.5) == "reversed"
    assert status(0.6, 0.8, 0.5) == "fragile"


def test_progress_line_and_display():
    assert mv.progress_line(0, 100, 0.0) == "0 / 100 specs (0.0 %) · 0 specs/s · time left unknown"
    assert mv.progress_line(50, 100, 10.0) == "50 / 100 specs (50.0 %) · 5 specs/s · 10 s left"
    assert mv.progress_line(1000, 100_000, 10.0).endswith("16 min 30 s left")
    ticks = iter([0.0, 1.0, 5.0, 6.0])
    stream = io.StringIO()
    progress = mv.Progress(100, stream=stream, every=2.0, clock=lambda: next(ticks))
    progress(10)  # 1 s after the start: too soon to print
    progress(40)  # 5 s: printed
    progress(50)  # done: always printed
    assert stream.getvalue().splitlines() == [
        mv.progress_line(50, 100, 5.0),
        mv.progress_line(100, 100, 6.0),
    ]


def test_rejection_rule_changes_only_the_word_of_a_miss(small_default):
    """hp1.rejection any_miss (every miss rejected) and evidence_against differ only in the word a miss
    gets: a 'not supported' under the default is 'rejected' under any_miss (bayes_only: the posterior's
    'indeterminate'), every other verdict equal."""
    prepared, table, _ = small_default
    specs = table[[c for c in table.columns if c not in mv.score_columns(CONFIG)]]
    strict_config = {**CONFIG, "hp1": {**CONFIG["hp1"], "rejection": "any_miss"}}
    strict = mv.evaluate(prepared, specs, strict_config)
    columns = [c for c in table.columns if c.startswith("verdict_HP1_")]
    words = set(table[columns].stack().dropna())
    assert {"not supported", "rejected", "supported"} <= words  # the distinction is exercised
    assert "not supported" not in set(strict[columns].stack().dropna())
    for column in columns:
        mine, other = table[column], strict[column]
        missed = mine == "not supported"
        # under any_miss bayes_only keeps the posterior's own word, indeterminate between the thresholds
        bayes = table["hp1.rule"] == "bayes_only"
        assert (other[missed & ~bayes] == "rejected").all(), column
        assert (other[missed & bayes] == "indeterminate").all(), column
        assert (other[~missed].fillna("-") == mine[~missed].fillna("-")).all(), column


def test_a_move_between_not_supported_and_rejected_is_no_flip_and_no_disagreement():
    """Both words conclude that the hypothesis does not hold: flip rates and the default's
    agreement count conclusions, so only a move to or from "supported" (or "indeterminate") counts."""
    table = pd.DataFrame(
        {
            "hp1.rule": ["all_three", "majority_of_three", "all_three", "majority_of_three"],
            "hp1.ai_threshold": [0.5, 0.5, 0.4, 0.4],
            "verdict_HP1_R2": ["not supported", "rejected", "not supported", "supported"],
        }
    )
    rates = flip_rates(table, ["hp1.rule"], ["verdict_HP1_R2"]).iloc[0]
    assert (rates["n_pairs"], rates["n_flips"]) == (2, 1)  # only the pair at 0.4 flips
    assert [conclusion(v) for v in ["supported", "not supported", "rejected", "indeterminate", None]] == [
        "holds",
        "does not hold",
        "does not hold",
        "open",
        None,
    ]
