"""Benchmark the build as a user meets it: cold build, no-op rerun, prose-only edit, one-weight edit.

Run from the project root with the environment active:  python benchmarks/build_times.py
It works in a temporary copy of the tracked files, so the checkout's results/ is untouched, and
prints one line per scenario (wall seconds, measured with time.perf_counter). Roadmap targets on
2 cores: cold build <= 20 s, no-op <= 1.5 s, prose-only <= 6 s. Nothing here asserts them.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def copy_tracked_files(target: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT, capture_output=True, check=True,
                           text=True).stdout.split("\0")
    for name in filter(None, files):
        source, destination = PROJECT / name, target / name
        if source.is_file():
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(source.read_bytes())


def timed_build(project: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "snakemake", "--quiet", "all"], cwd=project, check=True,
                   capture_output=True)
    return time.perf_counter() - start


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if old not in text:
        raise SystemExit(f"benchmark edit: {old!r} not found in {path}")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="build-bench-") as scratch:
        project = Path(scratch) / "project"
        copy_tracked_files(project)
        results = [("cold build", timed_build(project)), ("no-op rerun", timed_build(project))]
        edit(project / "report/report.qmd", "This report rebuilds", "This report re-builds")
        results.append(("prose-only edit", timed_build(project)))
        edit(project / "config.yaml", "sectoral_finance: 3, energy_technology: 3}",
             "sectoral_finance: 2, energy_technology: 3}")
        results.append(("one-weight edit", timed_build(project)))
    width = max(len(name) for name, _ in results)
    for name, seconds in results:
        print(f"{name:<{width}}  {seconds:6.1f} s")


if __name__ == "__main__":
    main()
