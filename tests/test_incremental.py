"""Incremental equals cold, as a property: after any sequence of edits, and after an interrupt at a
random point, one bare `snakemake` leaves every output byte-identical to a cold build of the same state.

Each cold build runs elsewhere: in a copy at another path (longer, with a space), under another time
zone and a German locale (workspace.elsewhere), so the same comparisons show that a build's bytes,
report.html and report.pdf included, do not depend on where, when or in which locale it runs. The
cold builds compile typst in their own process and the incremental ones on the warm typst server,
so they also show that a warm compile writes a cold compile's PDF. A failure names the files that
differ; `TZ`, `LC_ALL`, the path and `QMDRENDER_TYPST_SERVER` are what to vary first to tell the
properties apart.

The edits are drawn with a fixed seed from the kinds a user makes: a config key (including a value
another key already holds, the case that once left the coding-choices table stale), a raw row, the
report's prose and a module's code. PROPERTY_STEPS (environment) bounds how many are drawn.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import workspace
from workspace import IGNORE, SNAKEMAKE, built_copy, elsewhere

SEED = 20141209
STEPS = int(os.environ.get("PROPERTY_STEPS", "3"))
# The first edits are the ones the render's cell cache must see through: prose (cells reused), then a
# data row and a config key (cells re-run); further steps are drawn at random.
FIRST_EDITS = ["prose", "raw row", "config key to a value another key holds"]

# (file, text, replacement): each edit toggles, so any sequence of them stays a valid project.
EDITS = {
    "config key to a value another key holds": ("config.yaml", "easing_factor: 0.5 ", "easing_factor: 1.0 "),
    "config threshold": ("config.yaml", "ai_threshold: 0.5", "ai_threshold: 0.4"),
    "raw row": ("data/raw/measures.csv", "First Japanese step", "First step of Japan"),
    "prose": ("report/report.qmd", "asks two research questions", "poses two research questions"),
    "module": ("analysis/scores/influence.py", '"""Attributed influence', '"""The attributed influence'),
}


def snakemake(project: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(SNAKEMAKE + list(args), cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, f"snakemake {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def outputs(project: Path) -> dict[str, str]:
    """sha256 of every file the build wrote (logs and timings aside, which record the run, not the result)."""
    results = project / "results"
    return {
        str(f.relative_to(results)): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(results.rglob("*"))
        if f.is_file() and not {"logs", "benchmarks"} & set(f.relative_to(results).parts)
    }


def toggle(project: Path, name: str) -> None:
    file, text, other = EDITS[name]
    path = project / file
    content = path.read_text(encoding="utf-8")
    assert content.count(text) + content.count(other) == 1, f"edit '{name}' must hit exactly one place"
    path.write_text(
        content.replace(text, other) if text in content else content.replace(other, text), encoding="utf-8"
    )


def sources(project: Path) -> str:
    """sha256 over every file a fresh copy of the project takes (its path and bytes)."""
    digest = hashlib.sha256()
    for folder, subfolders, files in os.walk(project):
        ignored = IGNORE(folder, subfolders + files)
        subfolders[:] = sorted(d for d in subfolders if d not in ignored)
        for name in sorted(f for f in files if f not in ignored):
            path = Path(folder, name)
            digest.update(f"{path.relative_to(project)}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


# A cold build's outputs by the sources it was built from. The toggling edits return to states seen
# before: such a state is compared with its first cold build instead of a second one.
COLD: dict[str, dict[str, str]] = {}


def cold(project: Path, where: Path) -> dict[str, str]:
    """A cold build of the project's current state, in a fresh copy elsewhere (see the docstring)."""
    key = sources(project)
    if key not in COLD:
        copy = where / "another checkout" / "japan report"
        shutil.copytree(project, copy, ignore=IGNORE)
        # typst compiles in the build's own process: the incremental builds' PDFs come from the warm
        # typst server (qmdrender/typst_server.py), so each comparison checks it against a cold compile
        workspace.run([], copy, env={**os.environ, **elsewhere(where), "QMDRENDER_TYPST_SERVER": "off"})
        COLD[key] = outputs(copy)
    return COLD[key]


# The tests below edit one project in turn: under pytest-xdist they stay on one worker.
pytestmark = pytest.mark.xdist_group("incremental")


# Session scope: xdist may run other modules' tests on this worker between these, which would tear a
# module fixture down; a second copy would start from the shipped state, whose toggles reach states no
# cold build has seen (a whole cold build more, measured at 109 s instead of 21 s for SIGKILL).
@pytest.fixture(scope="session")
def working(tmp_path_factory, built_project) -> Path:
    """A copy of the run's shared end-to-end build (conftest.py), edited by the tests in turn."""
    project = built_copy(built_project, tmp_path_factory.mktemp("incremental") / "project")
    for file, text, other in EDITS.values():  # every edit applies to the shipped project
        content = (project / file).read_text(encoding="utf-8")
        assert content.count(text) + content.count(other) == 1, (file, text)
    snakemake(project)  # nothing to do, unless the copy lost a file
    return project


@pytest.mark.slow
def test_random_edits_leave_the_same_outputs_as_a_cold_build(working, tmp_path):
    rng = random.Random(SEED)
    for step in range(STEPS):
        name = FIRST_EDITS[step] if step < len(FIRST_EDITS) else rng.choice(sorted(EDITS))
        toggle(working, name)
        snakemake(working)
        assert outputs(working) == cold(working, tmp_path / f"cold-{step}"), (
            f"after edit '{name}': incremental here, cold elsewhere"
        )


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_a_bare_rerun_after_an_interrupt_restores_the_cold_state(working, tmp_path, sig):
    rng = random.Random(SEED + sig)
    toggle(working, "config key to a value another key holds")  # so the run has work to interrupt
    toggle(working, "raw row")
    run = subprocess.Popen(
        SNAKEMAKE,
        cwd=working,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    # The interrupt lands after a random number of finished jobs, read from the run's progress, so it
    # always falls inside the run, however fast the machine (a fixed delay could come after its end).
    target = None
    for line in run.stderr:
        progress = re.match(r"(\d+) of (\d+) steps", line)
        if progress:
            done, total = int(progress[1]), int(progress[2])
            target = target or rng.randint(1, max(1, total - 2))
            if done >= target:
                break
    assert target is not None and run.poll() is None, "the run ended before it could be interrupted"
    os.killpg(run.pid, sig)
    run.communicate(timeout=120)
    if sig == signal.SIGKILL:  # jobs the killed run started may still be finishing
        time.sleep(2)
    snakemake(working)  # one bare run, no flags
    assert outputs(working) == cold(working, tmp_path / "cold")
