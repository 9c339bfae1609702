"""Shared test fixtures: project paths, the optional ../shared material, one shared end-to-end
build, a headless Chromium and a local SLURM cluster."""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import browser
import pytest
import rendered_text
import slurm_cluster
import workspace
import yaml

from qmdrender import typst_server

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"


def unavailable(reason: str) -> None:
    """Skip a test whose tool is missing here; in CI, where .ci/run installs it, that is a failure."""
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{reason} (CI installs it: see .ci/run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The five source documents; tests that need them skip cleanly on a user's machine."""
    seeds = SHARED / "seeds"
    if not (seeds / "README.md").exists():
        pytest.skip("../shared/seeds is not beside the checkout (only on developer and CI machines)")
    return seeds


@contextlib.contextmanager
def e2e_lock(folder: Path) -> Iterator[None]:
    """Held while one xdist worker makes what the run's workers share in `folder` (the build, and
    what is read off it); the others wait, then find it made."""
    with open(folder / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.fixture(scope="session")
def built_project(tmp_path_factory) -> Path:
    """One real build, as a user runs it: a bare `snakemake` in a fresh copy of the project.

    Built once per test run and shared by every test that needs a built report. Under
    pytest-xdist the workers share one scratch root, and a file lock makes the first worker build
    while the others wait for it. Tests only read it; a test that edits takes `built_copy()`.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the folder all xdist workers of this run share
    project, done = root / "e2e" / "project", root / "e2e" / "built.ok"
    (root / "e2e").mkdir(exist_ok=True)
    with e2e_lock(root / "e2e"):
        if not done.exists():
            if project.exists():  # an earlier worker's failed attempt: start clean
                shutil.rmtree(project)
            workspace.fresh_copy(project)
            workspace.run([], project)
            done.touch()
    return project


@pytest.fixture(scope="session")
def built_pdf(built_project) -> rendered_text.PdfPages:
    """The shared build's PDF, read once per test run (rendered_text.read_pdf) and shared by the
    tests that read its pages, on whichever worker they run: the first writes what it read beside
    the build, under the build's lock, and the others load that."""
    e2e = built_project.parent
    pdf, read = built_project / "results/report/report.pdf", e2e / "report-pdf.json"
    with e2e_lock(e2e):
        if not read.exists():
            pages = rendered_text.read_pdf(pdf)
            partial = read.with_suffix(".partial")
            partial.write_text(json.dumps(dataclasses.asdict(pages)), encoding="utf-8")
            os.replace(partial, read)  # a worker stopped mid-write leaves no half file
    return rendered_text.PdfPages(**json.loads(read.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def chromium():
    """A launched headless Chromium (Playwright Browser), shared by the run's browser tests."""
    reason = browser.why_unavailable()
    if reason:
        unavailable(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=browser.chromium_path(), args=browser.CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def local_slurm(tmp_path_factory):
    """A single-node SLURM on localhost, started once and stopped after the last test that used it."""
    reason = slurm_cluster.why_unavailable()
    if reason:
        unavailable(reason)
    profile = workspace.PROJECT / "profiles/slurm/config.yaml"
    partition = yaml.safe_load(profile.read_text(encoding="utf-8"))["default-resources"]["slurm_partition"]
    cluster = slurm_cluster.LocalSlurm(tmp_path_factory.mktemp("slurm"), partition=partition)
    try:
        try:
            cluster.start()
        except (OSError, RuntimeError) as error:
            unavailable(f"a local SLURM did not start: {error}")
        yield cluster
    finally:
        cluster.stop()


def pytest_configure(config) -> None:
    """The run's own typst server (qmdrender/typst_server.py), in a folder of its own, so no test
    reaches a server the user's builds keep warm; xdist's workers inherit the folder from the
    controller, which stops the server when the run ends."""
    if "QMDRENDER_TYPST_DIR" not in os.environ:
        config._typst_dir = tempfile.mkdtemp(prefix="qmdts-")  # short: a socket path has 107 bytes
        os.environ["QMDRENDER_TYPST_DIR"] = config._typst_dir


def pytest_unconfigure(config) -> None:
    folder = getattr(config, "_typst_dir", None)
    if folder:
        typst_server.stop()
        shutil.rmtree(folder, ignore_errors=True)
        del os.environ["QMDRENDER_TYPST_DIR"]
