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
# The plugin waits this long before its first status query and after each round in which a job
# finished (40 s by default, polite on a shared cluster); each round in which none finished adds 10 s
# to the wait (snakemake-executor-plugin-slurm 2.8, not configurable). A job here takes 3-7 s (a
# Snakemake jobstep), so a first query after 2 s mostly finds it running and the next comes 12 s
# later: 5 jobs took 59-61 s. After 8 s it has finished: 41 s, with one core busy elsewhere too.
POLL_SECONDS = "8"


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
