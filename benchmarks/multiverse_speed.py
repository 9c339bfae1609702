"""Specifications per second: the vectorised multiverse evaluation against a plain loop over the same
function, one specification at a time; and the process's peak memory. Prints a Markdown table.

    python benchmarks/multiverse_speed.py [--loop-sample 8] [--seed 20141209]

Both paths call analysis.scores.multiverse.evaluate on config.yaml's structural combination (its
cleaned tables, prepared as the multiverse_prepare job writes them): the vectorised path once with
every numeric specification of that structure, the loop once per specification on a random sample.
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from analysis import registry  # noqa: E402
from analysis.data.clean import clean_files  # noqa: E402
from analysis.io import write_csv  # noqa: E402
from analysis.scores import multiverse as mv  # noqa: E402


def peak_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loop-sample", type=int, default=8, help="specifications the plain loop scores")
    parser.add_argument("--seed", type=int, default=20141209)
    args = parser.parse_args()
    config = yaml.safe_load((PROJECT / "config.yaml").read_text(encoding="utf-8"))
    default = {key: registry.lookup(config, key) for key in mv.structural_keys(config)}
    structures = mv.structures(config)
    structure = (
        structures[(structures[list(default)] == list(default.values())).all(axis=1)].iloc[0].to_dict()
    )
    with tempfile.TemporaryDirectory() as folder:
        choices = mv.spec_config(config, default)
        for name, frame in clean_files(
            PROJECT / "data/datapackage.json", sorted((PROJECT / "data/raw").glob("*.csv")), choices
        ).items():
            write_csv(frame, Path(folder) / f"{name}.csv")
        prepared = mv.read_prepared({p.stem: str(p) for p in sorted(Path(folder).glob("*.csv"))})
    specs = mv.numeric_specs(config, structure)
    before = peak_mib()
    start = time.perf_counter()
    vectorised = mv.evaluate(prepared, specs, config)
    vector_seconds = time.perf_counter() - start
    vector_peak = peak_mib()
    sample = np.random.default_rng(args.seed).choice(len(specs), size=args.loop_sample, replace=False)
    start = time.perf_counter()
    looped = [mv.evaluate(prepared, specs.iloc[[i]], config) for i in sorted(sample)]
    loop_seconds = time.perf_counter() - start
    # the loop must reach the same verdicts as the vectorised pass
    for frame in looped:
        row = vectorised[vectorised[mv.SPEC_ID] == frame[mv.SPEC_ID].iloc[0]]
        columns = [c for c in frame.columns if c.startswith("verdict_")]
        assert row[columns].reset_index(drop=True).equals(frame[columns].reset_index(drop=True))
    vector_rate = len(specs) / vector_seconds
    loop_rate = args.loop_sample / loop_seconds
    print(
        f"Multiverse evaluation on {platform.machine()} ({platform.python_implementation()} "
        f"{platform.python_version()}), structure {structure[mv.STRUCTURE_ID]} (config.yaml's):\n"
    )
    print("| path | specifications | seconds | specifications / s | peak memory (MiB) |")
    print("|---|---:|---:|---:|---:|")
    print(
        f"| vectorised `evaluate` (all at once) | {len(specs):,} | {vector_seconds:.1f} | {vector_rate:,.1f} "
        f"| {vector_peak:,.0f} (from {before:,.0f}) |"
    )
    print(
        f"| plain loop, one `evaluate` per specification | {args.loop_sample} | {loop_seconds:.1f} "
        f"| {loop_rate:,.2f} | {peak_mib():,.0f} |"
    )
    print(f"\nSpeed-up: {vector_rate / loop_rate:,.0f}x")


if __name__ == "__main__":
    main()
