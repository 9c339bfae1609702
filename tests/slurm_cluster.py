"""A real single-node SLURM on localhost, started for the tests and stopped after them.

Debian's `slurm-wlm` and `munge` are installed by `.ci/run`. Everything this module starts lives in
one scratch directory: the munge key and socket, slurm.conf, state, spool, logs and pid files. The
daemons listen on free ports picked at start, so a second cluster on the same machine (another test
run) does not collide with this one, and the system's /etc/munge and /etc/slurm are left alone.
Clients (sinfo, sbatch, squeue, and so Snakemake's SLURM plugin) find it through `SLURM_CONF`.

Why root: slurmd starts job steps as the submitting user and munged must own its key; both need
root on a machine without a prepared SLURM installation. Facts behind the config:
../shared/slurm-notes.md.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

DAEMONS = ("munged", "slurmctld", "slurmd", "unshare", "mount")
CLIENTS = ("munge", "sinfo", "sbatch", "squeue", "srun")


def why_unavailable() -> str | None:
    """The reason a local SLURM cannot be started here, or None when it can."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "a local SLURM needs root (slurmd and munged); run as root, as CI does"
    missing = [name for name in DAEMONS + CLIENTS if shutil.which(name) is None]
    if missing:
        return f"SLURM is not installed (missing {', '.join(missing)}): apt-get install slurm-wlm munge"
    if not Path("/etc/slurm").is_dir():
        return "no /etc/slurm to mount this cluster's config on (slurm-wlm creates it)"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def node_resources() -> tuple[int, int]:
    """CPUs and a memory size (MB) a little under what the machine has, as slurmd must not exceed it."""
    cpus = os.cpu_count() or 1
    total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    return cpus, max(256, int(total_mb * 0.9))


def slurm_conf(root: Path, host: str, partition: str, ctld_port: int, slurmd_port: int) -> str:
    cpus, memory = node_resources()
    return "\n".join(
        [
            "ClusterName=localtest",
            f"SlurmctldHost={host}(127.0.0.1)",
            f"SlurmctldPort={ctld_port}",
            f"SlurmdPort={slurmd_port}",
            "AuthType=auth/munge",
            "CredType=cred/munge",
            f"AuthInfo=socket={root}/munge/munge.socket",
            "MpiDefault=none",
            "MailProg=/bin/true",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "SlurmUser=root",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core",
            "ReturnToService=2",
            "JobAcctGatherType=jobacct_gather/none",
            "AccountingStorageType=accounting_storage/none",
            # finished jobs stay visible to squeue, which the plugin polls when accounting is off
            "MinJobAge=86400",
            f"SlurmctldPidFile={root}/slurmctld.pid",
            f"SlurmdPidFile={root}/slurmd.pid",
            f"SlurmdSpoolDir={root}/spool",
            f"StateSaveLocation={root}/state",
            f"SlurmctldLogFile={root}/log/slurmctld.log",
            f"SlurmdLogFile={root}/log/slurmd.log",
            f"NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={memory} State=UNKNOWN",
            f"PartitionName={partition} Nodes=ALL Default=YES MaxTime=INFINITE State=UP",
            "",
        ]
    )


@dataclass
class LocalSlurm:
    """One munged + slurmctld + slurmd, all under `root`. Use `start()`, then always `stop()`."""

    root: Path
    partition: str = "main"
    host: str = field(default_factory=socket.gethostname)
    started: list[tuple[str, Path]] = field(default_factory=list)  # (daemon, its pid file)

    @property
    def conf(self) -> Path:
        return self.root / "etc/slurm.conf"

    @property
    def env(self) -> dict[str, str]:
        """The environment for SLURM clients: this cluster's config, the caller's everything else."""
        return {**os.environ, "SLURM_CONF": str(self.conf)}

    def start(self, timeout: float = 60) -> None:
        for folder in ("etc", "munge", "spool", "state", "log"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        (self.root / "munge").chmod(0o700)
        key = self.root / "munge/munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)
        self.conf.write_text(
            slurm_conf(self.root, self.host, self.partition, free_port(), free_port()), encoding="utf-8"
        )
        munge = self.root / "munge"
        # --force: munged refuses a key under /tmp by default; it is ours and mode 400.
        self._daemon(
            "munged",
            munge / "munged.pid",
            [
                "munged",
                "--force",
                f"--socket={munge}/munge.socket",
                f"--key-file={key}",
                f"--log-file={munge}/munged.log",
                f"--pid-file={munge}/munged.pid",
                f"--seed-file={munge}/munged.seed",
            ],
        )
        self._daemon("slurmctld", self.root / "slurmctld.pid", ["slurmctld", "-f", str(self.conf)])
        # Snakemake's job-step plugin drops SLURM_CONF before it calls srun inside a job, so srun
        # reads /etc/slurm/slurm.conf. slurmd (and so every job) runs in a private mount namespace
        # where /etc/slurm is this cluster's etc/: the machine's own /etc/slurm is never touched.
        self._daemon(
            "slurmd",
            self.root / "slurmd.pid",
            [
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "sh",
                "-c",
                'mount --bind "$1" /etc/slurm && exec slurmd -f "$1/slurm.conf"',
                "sh",
                str(self.conf.parent),
            ],
        )
        self._wait_until_idle(timeout)

    def _daemon(self, name: str, pid_file: Path, command: list[str]) -> None:
        result = subprocess.run(command, capture_output=True, text=True, env=self.env, check=False)
        self.started.append((name, pid_file))  # stop() tries it even if it failed half-way
        if result.returncode != 0:
            raise RuntimeError(
                f"{name} did not start ({result.returncode}): {result.stderr.strip()}\n{self.logs()}"
            )

    def _wait_until_idle(self, timeout: float) -> None:
        deadline, state = time.monotonic() + timeout, ""
        while time.monotonic() < deadline:
            result = subprocess.run(
                ["sinfo", "--noheader", "--format=%t", "--partition", self.partition],
                capture_output=True,
                text=True,
                env=self.env,
                check=False,
            )
            state = result.stdout.strip()
            if result.returncode == 0 and state == "idle":
                return
            time.sleep(0.5)
        raise RuntimeError(
            f"the SLURM node is not idle after {timeout:.0f} s (state {state!r})\n{self.logs()}"
        )

    def logs(self, lines: int = 20) -> str:
        parts = []
        for log in sorted(self.root.glob("**/*.log")):
            tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            parts.append(f"--- {log.name}\n" + "\n".join(tail))
        return "\n".join(parts)

    def stop(self, timeout: float = 20) -> None:
        """Stop every daemon this cluster started (jobs first, then slurmd, slurmctld, munged)."""
        if any(name == "slurmctld" for name, _ in self.started):
            subprocess.run(
                ["scancel", "--full", "--user", "root"], env=self.env, capture_output=True, check=False
            )
        for _name, pid_file in reversed(self.started):
            pid = _read_pid(pid_file)
            if pid is None:
                continue
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and _alive(pid):
                time.sleep(0.2)
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        self.started.clear()


def _read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a daemon we started is reaped by init, not by us; a zombie counts as gone
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False
