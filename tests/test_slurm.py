"""The workflow runs on a real SLURM cluster through the shipped profile and gives the local result.

A single-node SLURM is started on localhost by the `local_slurm` fixture (conftest.py,
tests/slurm_cluster.py); it needs root and Debian's `slurm-wlm` and `munge`, which `.ci/run`
installs. Elsewhere the test skips, saying why.
"""

from __future__ import annotations

import re
import time

import pytest
from workspace import fresh_copy, run

# The one target run on the cluster: the multiverse (a small one: fresh_copy varies one choice).
TARGET = "results/multiverse/specifications.parquet"
PROFILE = "profiles/slurm"
# The plugin waits this long before its first status query and after each finished job (40 s by
# default, polite on a shared cluster); on a private test cluster a short wait keeps the run short.
POLL_SECONDS = "2"


@pytest.mark.slow
def test_profile_runs_the_target_on_slurm_and_matches_the_local_run(local_slurm, request, tmp_path):
    project = fresh_copy(tmp_path / "project")
    start = time.monotonic()
    result = run(
        ["--profile", PROFILE, "--slurm-init-seconds-before-status-checks", POLL_SECONDS, TARGET],
        project,
        env=local_slurm.env,
    )
    seconds = time.monotonic() - start
    log = result.stdout + result.stderr
    # Every job of the plan went through sbatch: none ran on the submitting machine.
    planned = int(re.search(r"^total\s+(\d+)\s*$", log, re.M).group(1))
    assert log.count("has been submitted with SLURM jobid") == planned, log
    # Asked for only now, so under xdist the shared build proceeds while this test waits on SLURM.
    reference = request.getfixturevalue("built_project") / TARGET
    if not reference.exists():  # a target the default build does not make: build it locally too
        local = fresh_copy(tmp_path / "local")
        run([TARGET], local)
        reference = local / TARGET
    assert (project / TARGET).read_bytes() == reference.read_bytes()
    print(f"{planned} SLURM jobs in {seconds:.0f} s")  # shown by `pytest -rP`: the wall time to report
