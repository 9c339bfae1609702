"""Benchmark the project as a user meets it, and print a Markdown table with the machine it ran on.

    python benchmarks/run.py                      # every scenario, 5 runs each
    python benchmarks/run.py --runs 1 --only noop --only prose   # a quick check
    python benchmarks/run.py --small --only cold --only noop --only prose --only weight   # the targets

Run from the project root with the environment active (`pip install -r requirements.lock` and
`pip install --no-deps -e .`). It works in a fresh temporary copy of the project's files, so the
checkout's results/ is untouched; ../shared is linked beside the copy when it exists, so the test
suite runs the same tests as in the checkout.

Each scenario is run N times; the table gives the median wall time with min and max, and the
median peak memory: the largest resident set of any one process of the run (the kernel's
ru_maxrss for the command's process tree, read with wait4, or the typst server's, below). Each
edit takes its file to a state no earlier run saw, as a user's next edit does; `prose-after-commit`
commits the copy (and builds it)
before each edit, so every run starts from a clean checkout with a commit no build has seen, as a
user's first edit after a commit does. `--small` bounds the copy's multiverse to one coding
choice (tests/workspace.py's small_multiverse, as the workflow tests do), so the build is measured
without the multiverse dominating it; the `multiverse` scenario without it is what the full one
costs. Targets that do not exist yet (no variants/ folder, no `multiverse` rule) are listed as
skipped, with the reason. Nothing here asserts a time.

The renders compile their PDF on a typst server kept warm between builds (qmdrender/typst_server.py),
outside the build's process tree: its CPU time during a run is added to the run's, and its peak
memory counts as one process's. The benchmark keeps its server apart from the user's (a folder of
its own) and stops it before each cold build, which a user's first build in a new session is.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qmdrender import typst_server

PROJECT = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]


@dataclass(frozen=True)
class Edit:
    """The smallest edit of one kind a user makes, taking the file each time to a state no earlier
    run saw (`edited` with {n} = `start`, `start` + 1, ...). A toggle between two versions would let
    every cache keep both (the cell cache keeps 8 executed notebooks, typst's server its layout), so
    every run after the second would measure a return to a known state, not an edit."""

    file: str
    original: str
    edited: str
    start: int = 1

    def apply(self, project: Path) -> None:
        path = project / self.file
        text = path.read_text(encoding="utf-8")
        head, tail = self.edited.split("{n}")
        found = re.search(re.escape(head) + r"(\d+)" + re.escape(tail), text)
        if found:
            old, number = found.group(0), int(found.group(1)) + 1
        elif self.original in text:
            old, number = self.original, self.start
        else:
            raise SystemExit(
                f"benchmark: {self.original!r} is not in {self.file}; update the edit in {__file__}"
            )
        path.write_text(text.replace(old, f"{head}{number}{tail}", 1), encoding="utf-8")


PROSE_EDIT = Edit("report/report.qmd", "This report rebuilds", "This report (edit {n}) rebuilds")
WEIGHT_EDIT = Edit(
    "config.yaml",
    "ordinal_cost: {diplomatic_suspension: 1, travel_ban: 1, asset_freeze: 2,",
    "ordinal_cost: {diplomatic_suspension: 1, travel_ban: 1, asset_freeze: {n},",
    start=3,  # 2 is the shipped weight
)
RAW_ROW_EDIT = Edit(
    "data/raw/measures.csv", '"First Japanese step, taken', '"First Japanese step (edit {n}), taken'
)
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost", "-c", "commit.gpgsign=false"]


@dataclass
class Run:
    seconds: float
    peak_mb: float
    cpu_seconds: float = 0.0  # user + system time of the command and every process it waited for


@dataclass
class Scenario:
    name: str
    description: str
    prepare: Callable[[Path], None]  # untimed: bring the copy into the state the run starts from
    command: Callable[[Path], list[str]]
    skip: Callable[[Path], str | None] = lambda project: None


def copy_project(target: Path, small: bool = False) -> None:
    """The project's files as a fresh clone holds them (tracked and new, not ignored ones); `small`
    bounds the multiverse to one coding choice."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT,
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    for name in filter(None, listing.split("\0")):
        source = PROJECT / name
        if source.is_file():
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    if small:
        sys.path.insert(0, str(PROJECT / "tests"))
        from workspace import small_multiverse

        small_multiverse(target)
    # A git checkout of its own, so tests that list tracked files run as they do in a clone.
    for step in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "benchmark copy"]):
        subprocess.run(GIT + step, cwd=target, check=True, capture_output=True)
    shared = PROJECT.parent / "shared"
    if shared.is_dir():
        (target.parent / "shared").symlink_to(shared)


# The commands run as under a default Python, which caches the bytecode of what it imports: some
# sandboxes set PYTHONDONTWRITEBYTECODE, and then every process compiles the project's modules anew.
USER_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def server_usage() -> tuple[int | None, float, float]:
    """The typst server's process id, CPU seconds so far and peak resident MB (None, 0, 0 if none
    runs; Linux's /proc)."""
    status = typst_server.status(USER_ENV)
    if not status:
        return None, 0.0, 0.0
    pid = status["pid"]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        peak = next(
            line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmHWM")
        )
    except (OSError, StopIteration):
        return None, 0.0, 0.0
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), int(peak.split()[1]) / 1024


def measure(command: list[str], cwd: Path) -> Run:
    """Wall time and peak resident memory of one command (and every process it waited for, and the
    typst server's work for it)."""
    server_before, cpu_before, _ = server_usage()
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=USER_ENV
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = output.decode(errors="replace")[-3000:]
        raise SystemExit(f"benchmark: {' '.join(command)} failed ({process.returncode}):\n{tail}")
    server, server_cpu, server_peak = server_usage()
    if server != server_before:
        cpu_before = 0.0  # this run started the server
    # ru_maxrss is in KiB on Linux; CPU time does not grow with other processes' load as wall time does
    return Run(
        seconds,
        max(usage.ru_maxrss / 1024, server_peak),
        usage.ru_utime + usage.ru_stime + server_cpu - cpu_before,
    )


def remove(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def has_rule(project: Path, rule: str) -> bool:
    listing = subprocess.run(SNAKEMAKE + ["--list-rules"], cwd=project, capture_output=True, text=True)
    return rule in listing.stdout.split()


def ensure_built(project: Path) -> None:
    subprocess.run(SNAKEMAKE + ["--quiet", "all"], cwd=project, check=True, capture_output=True)


def commit_and_build(project: Path) -> None:
    """A new commit of the copy (what is there, edits included), built: a clean checkout, up to date."""
    subprocess.run(
        GIT + ["commit", "-q", "-a", "--allow-empty", "-m", "benchmark: a new commit"],
        cwd=project,
        check=True,
        capture_output=True,
    )
    ensure_built(project)


def scenarios(variant: str | None) -> list[Scenario]:
    build = lambda project: SNAKEMAKE + ["--quiet", "all"]  # noqa: E731 - a bare build, as a user runs it

    def first_variant(project: Path) -> str | None:
        folder = project / "variants"
        names = sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []
        return variant or (names[0] if names else None)

    def variant_target(project: Path) -> str:
        return f"results/variants/{first_variant(project)}/report/report.html"

    return [
        Scenario(
            "cold",
            "cold build (no results/, no .snakemake/)",
            lambda p: (typst_server.stop(USER_ENV), remove(p / "results", p / ".snakemake")),
            build,
        ),
        Scenario("noop", "no-op rerun", ensure_built, build),
        Scenario(
            "prose",
            "prose-only edit (one sentence of report/report.qmd)",
            lambda p: (ensure_built(p), PROSE_EDIT.apply(p)),
            build,
        ),
        Scenario(
            "prose-after-commit",
            "first prose edit after a commit (the clean checkout turns dirty)",
            lambda p: (commit_and_build(p), PROSE_EDIT.apply(p)),
            build,
        ),
        Scenario(
            "weight",
            "one-weight edit (a stringency weight in config.yaml)",
            lambda p: (ensure_built(p), WEIGHT_EDIT.apply(p)),
            build,
        ),
        Scenario(
            "raw-row",
            "one raw-row edit (a note in data/raw/measures.csv)",
            lambda p: (ensure_built(p), RAW_ROW_EDIT.apply(p)),
            build,
        ),
        Scenario(
            "variant",
            "variant build (default already built)",
            lambda p: (ensure_built(p), remove(p / "results/variants")),
            lambda p: SNAKEMAKE + [variant_target(p), "--quiet", "all"],
            lambda p: None if first_variant(p) else "no variants/*.yaml yet",
        ),
        Scenario(
            "multiverse",
            "multiverse, cold (default already built)",
            lambda p: (ensure_built(p), remove(p / "results/multiverse")),
            lambda p: SNAKEMAKE + ["multiverse", "--quiet", "all"],
            lambda p: None if has_rule(p, "multiverse") else "no `multiverse` rule yet",
        ),
        Scenario(
            "tests",
            "test suite (the README's `pytest`)",
            lambda p: remove(p / ".pytest_cache"),
            lambda p: [sys.executable, "-m", "pytest", "-q"],
        ),
    ]


def machine() -> list[str]:
    def first(path: str, key: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":" if ":" in line else "=", 1)[1].strip().strip('"')
        except OSError:
            pass
        return "unknown"

    memory_kb = first("/proc/meminfo", "MemTotal").split()[0]
    memory = f"{int(memory_kb) / 2**20:.1f} GiB" if memory_kb.isdigit() else "unknown"
    commit = (
        subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT, capture_output=True, text=True
        ).stdout.strip()
        or "unknown"
    )
    return [
        f"- CPU: {first('/proc/cpuinfo', 'model name')}, {os.cpu_count()} cores",
        f"- Memory: {memory}",
        f"- OS: {first('/etc/os-release', 'PRETTY_NAME')} (Linux {platform.release()})",
        f"- Python: {platform.python_version()} (bytecode cached, as by default); commit {commit}; "
        f"load average at the start {os.getloadavg()[0]:.2f}",
    ]


def table(rows: list[tuple[Scenario, list[Run], str | None]]) -> str:
    lines = [
        "| scenario | median s | min s | max s | CPU s (median) | peak MB (median) | runs |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for scenario, measured, skipped in rows:
        if skipped:
            lines.append(f"| {scenario.description} | skipped: {skipped} | | | | | 0 |")
            continue
        seconds = [r.seconds for r in measured]
        peak = statistics.median(r.peak_mb for r in measured)
        lines.append(
            f"| {scenario.description} | {statistics.median(seconds):.2f} | {min(seconds):.2f} | "
            f"{max(seconds):.2f} | {statistics.median(r.cpu_seconds for r in measured):.2f} | {peak:.0f} | "
            f"{len(measured)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per scenario (default 5)")
    all_scenarios = scenarios(None)
    parser.add_argument(
        "--only",
        action="append",
        choices=[s.name for s in all_scenarios],
        help="run only this scenario (repeatable)",
    )
    parser.add_argument("--small", action="store_true", help="bound the copy's multiverse to one choice")
    parser.add_argument("--variant", help="the variants/<name>.yaml to build (default: the first)")
    args = parser.parse_args(argv)
    chosen = [s for s in scenarios(args.variant) if not args.only or s.name in args.only]
    header = machine()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        # the benchmark's own typst server (a short folder: a socket path has 107 bytes)
        USER_ENV["QMDRENDER_TYPST_DIR"] = os.environ["QMDRENDER_TYPST_DIR"] = tempfile.mkdtemp(
            prefix="qmdtb-"
        )
        project = Path(scratch) / "project"
        copy_project(project, small=args.small)
        for scenario in chosen:
            skipped = scenario.skip(project)
            measured = []
            if not skipped:
                for number in range(args.runs):
                    scenario.prepare(project)
                    measured.append(measure(scenario.command(project), project))
                    print(
                        f"{scenario.name} run {number + 1}: {measured[-1].seconds:.2f} s, "
                        f"{measured[-1].cpu_seconds:.2f} s CPU, {measured[-1].peak_mb:.0f} MB",
                        file=sys.stderr,
                        flush=True,
                    )
            rows.append((scenario, measured, skipped))
        typst_server.stop(USER_ENV)
        shutil.rmtree(USER_ENV["QMDRENDER_TYPST_DIR"], ignore_errors=True)
    command = (
        f"python benchmarks/run.py --runs {args.runs}"
        + " --small" * args.small
        + "".join(f" --only {n}" for n in args.only or [])
    )
    print(f"Benchmark: `{command}`\n")
    print("\n".join(header) + "\n")
    print(table(rows))


if __name__ == "__main__":
    main()
