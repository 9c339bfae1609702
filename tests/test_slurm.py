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

# On the cluster: the multiverse up to its chunks (a small multiverse: fresh_copy varies one choice),
# that is one `run:` rule (multiverse_prepare) and one `script:` rule with a memory request
# (multiverse_chunk), the second waiting for the first. What they read (the validation report and the
# space) is made locally first: each job on the cluster costs a round of status queries.
TARGET = "results/multiverse/specifications.parquet"
LOCAL_FIRST = ["results/validated/validation.json", "results/multiverse/space.json"]
CHUNKS = "results/multiverse/chunks"
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
    run(LOCAL_FIRST, project)
    # the chunk files the multiverse table is gathered from, as the plan names them (`--until` would
    # leave the table's job unrun, which the SLURM executor reports as a failure)
    plan = run(["--dry-run", TARGET], project).stdout
    targets = sorted(set(re.findall(rf"^\s+output: ({CHUNKS}/\S+\.parquet)$", plan, re.M)))
    assert targets, plan
    start = time.monotonic()
    result = run(
        ["--profile", PROFILE, "--slurm-init-seconds-before-status-checks", POLL_SECONDS, *targets],
        project,
        env=local_slurm.env,
    )
    seconds = time.monotonic() - start
    log = result.stdout + result.stderr
    # Every job of the plan went through sbatch: none ran on the submitting machine.
    planned = int(re.search(r"^total\s+(\d+)\s*$", log, re.M).group(1))
    assert planned >= 2 and log.count("has been submitted with SLURM jobid") == planned, log
    assert "rule multiverse_prepare" in log and "rule multiverse_chunk" in log, log
    # Asked for only now, so under xdist the shared build proceeds while this test waits on SLURM.
    reference = request.getfixturevalue("built_project")
    assert sorted(str(path.relative_to(reference)) for path in (reference / CHUNKS).iterdir()) == targets
    for name in targets:
        assert (project / name).read_bytes() == (reference / name).read_bytes(), name
    print(f"{planned} SLURM jobs in {seconds:.0f} s")  # shown by `pytest -rP`: the wall time to report
