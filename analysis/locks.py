"""Stale Snakemake locks: a killed run leaves its locks behind, and the next bare `snakemake` must not
stop on them. A lock is stale when no other Snakemake process is running in the project directory."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def snakemake_processes(directory: Path, proc: Path = Path("/proc")) -> list[int]:
    """Pids of other processes running Snakemake in ``directory`` (Linux /proc; elsewhere none found)."""
    found = []
    directory = directory.resolve()
    for entry in proc.glob("[0-9]*") if proc.is_dir() else []:
        pid = int(entry.name)
        if pid == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            cwd = (entry / "cwd").resolve()
        except OSError:  # the process ended, or is not ours to read
            continue
        if "snakemake" in cmdline and cwd == directory:
            found.append(pid)
    return found


def clear_stale_locks(directory: Path, others: Iterable[int] | None = None) -> list[Path]:
    """Remove the lock files under ``directory``/.snakemake/locks when no other Snakemake process runs
    there; return what was removed (nothing when another run may hold them)."""
    locks = sorted((directory / ".snakemake" / "locks").glob("*"))
    if not locks or list(snakemake_processes(directory) if others is None else others):
        return []
    for lock in locks:
        lock.unlink(missing_ok=True)
    return locks
