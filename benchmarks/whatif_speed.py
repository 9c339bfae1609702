"""How long `python -m analysis.whatif key=value` takes, start-up included, on the built multiverse.
Prints a Markdown table (median, min and max of wall and CPU time over the runs).

    python benchmarks/whatif_speed.py [--runs 7] [--table results/multiverse/specifications.parquet]

Each run is a fresh interpreter, as a reader types the command: the figures include Python's start,
the imports and reading the table, not just the lookup.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
QUESTIONS = ["hp1.rule=majority_of_three", "data.date_basis=in_force hp1.ai_threshold=0.4"]


def one_run(question: str, table: Path, config: Path) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one command."""
    before = os.times()
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis.whatif",
            *question.split(),
            "--table",
            str(table),
            "--config",
            str(config),
        ],
        cwd=PROJECT,
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - start
    after = os.times()
    return wall, (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--table", type=Path, default=PROJECT / "results/multiverse/specifications.parquet")
    parser.add_argument("--config", type=Path, default=PROJECT / "config.yaml")
    args = parser.parse_args()
    if not args.table.exists():
        sys.exit(f"{args.table} is not built: run `snakemake multiverse` first")
    import pyarrow.parquet as pq

    rows = pq.ParquetFile(args.table).metadata.num_rows
    load = os.getloadavg()[0]
    where = f"{platform.machine()} ({platform.python_implementation()} {platform.python_version()})"
    print(f"What-if on {where}: {rows:,} specifications, {args.runs} runs, load {load:.1f}\n")
    print("| question | wall median (min–max), s | CPU median (min–max), s |")
    print("|---|---:|---:|")
    for question in QUESTIONS:
        walls, cpus = zip(
            *(one_run(question, args.table, args.config) for _ in range(args.runs)), strict=True
        )
        print(
            f"| `{question}` | {statistics.median(walls):.2f} ({min(walls):.2f}–{max(walls):.2f}) "
            f"| {statistics.median(cpus):.2f} ({min(cpus):.2f}–{max(cpus):.2f}) |"
        )


if __name__ == "__main__":
    main()
