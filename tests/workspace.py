"""Copies of the project for tests that run the workflow, and a way to run Snakemake in them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
# What a clean checkout holds; derived state (results/, .snakemake/, .venv/) is left behind.
IGNORE = shutil.ignore_patterns(
    "results",
    ".snakemake",
    ".venv",
    ".git",
    "__pycache__",
    "*.egg-info",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
)


def fresh_copy(target: Path, small: bool = True) -> Path:
    """A clean copy of the project (sources only) at `target`; `small` bounds its multiverse."""
    shutil.copytree(PROJECT, target, ignore=IGNORE)
    if small:
        small_multiverse(target)
    return target


def small_multiverse(project: Path, keys: tuple[str, ...] = ("hp1.ai_threshold", "hp1.rule")) -> None:
    """Let a copy's builds vary only `keys` in the multiverse (multiverse.only), so a full build
    takes a minute, not many; the multiverse's own tests cover the full space on small tables."""
    config = project / "config.yaml"
    text = config.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.strip().startswith("only:"))
    config.write_text(text.replace(line, f"  only: [{', '.join(keys)}]", 1), encoding="utf-8")


def built_copy(built: Path, target: Path) -> Path:
    """A copy of an already built project, results and Snakemake's metadata included.

    copytree keeps modification times, so Snakemake sees the copy exactly as up to date as the
    original; a test can then edit it freely without touching the shared build.
    """
    shutil.copytree(built, target, symlinks=True)
    return target


def git(repo: Path, *args: str) -> str:
    """`git ARGS` in `repo` as a test author (commits need a name; signing is off): its output."""
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]
    result = subprocess.run(["git", *identity, *args], cwd=repo, check=True, capture_output=True, text=True)
    return result.stdout.strip()


def run(
    args: list[str], cwd: Path, check: bool = True, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess:
    result = subprocess.run(
        SNAKEMAKE + args,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env=None if env is None else dict(env),
    )
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def elsewhere(scratch: Path) -> dict[str, str]:
    """An environment unlike the tests' own: a time zone at UTC+14 (or UTC-8 where that is the
    tests' own) and a non-C locale with other month names and a decimal comma (compiled with
    localedef into `scratch` where the machine has its sources; else plain C, which still differs
    from C.UTF-8)."""
    tz = "Pacific/Kiritimati" if os.environ.get("TZ") != "Pacific/Kiritimati" else "America/Los_Angeles"
    target = scratch / "locales"
    target.mkdir(parents=True, exist_ok=True)
    made = (
        shutil.which("localedef")
        and subprocess.run(
            ["localedef", "-i", "de_DE", "-f", "UTF-8", str(target / "de_DE.UTF-8")],
            capture_output=True,
            check=False,
        ).returncode
        in (0, 1)
        and (target / "de_DE.UTF-8").exists()
    )
    if made:
        return {"TZ": tz, "LOCPATH": str(target), "LC_ALL": "de_DE.UTF-8", "LANG": "de_DE.UTF-8"}
    return {"TZ": tz, "LC_ALL": "C", "LANG": "C"}
