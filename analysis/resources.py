"""What the multiverse's heavy jobs ask a cluster for: memory in proportion to the specifications
they hold, as measured. A cluster ends a job that outgrows its request, and Snakemake's default
request (1,000 MB) is a fifth of what the gather of config.yaml's space holds. Locally nothing
limits memory unless `--resources mem_mb=...` is given."""

from __future__ import annotations

import errno
import json
import math
from collections.abc import Iterable
from pathlib import Path

# What each job peaked at, in MB per 1,000 specifications above JOB_BASE_MB (a Python with pandas
# and pyarrow imported). Measured with GNU time's maximum resident size (`/usr/bin/time -f %M`) on
# config.yaml's space, 1,221,120 specifications in 4 chunks: a chunk 1,230 MB, the gather 5,726 MB,
# the summary 2,774 MB, the explorer 5,031 MB.
JOB_MB_PER_1000_SPECS = {
    "multiverse_chunk": 3.44,
    "multiverse_gather": 4.54,
    "multiverse_summary": 2.12,
    "multiverse_explorer": 3.97,
}
JOB_BASE_MB = 180
JOB_HEADROOM = 1.5  # another machine, library version or coding may use more than was measured
DEFAULT_JOB_MB = 1000  # Snakemake's own default request: a small job asks for no less


def job_memory_mb(rule: str, specifications: int) -> int:
    """The memory (MB) a multiverse job holding `specifications` asks for: its measured use, with headroom."""
    peak = JOB_BASE_MB + JOB_MB_PER_1000_SPECS[rule] * specifications / 1000
    return max(DEFAULT_JOB_MB, math.ceil(JOB_HEADROOM * peak))


def specifications_in(paths: str | Path | Iterable[str | Path]) -> int:
    """How many specifications these files hold: `total` of a space.json, rows of a Parquet table
    (read from its footer, not its data)."""
    count = 0
    for path in map(Path, [paths] if isinstance(paths, str | Path) else paths):
        if not path.is_file():  # named as Snakemake named it, so it defers the job's resources
            raise FileNotFoundError(errno.ENOENT, "no such file", str(path))
        if path.suffix == ".json":
            count += int(json.loads(path.read_text(encoding="utf-8"))["total"])
        else:
            import pyarrow.parquet as pq  # only where a job's resources are worked out

            count += pq.ParquetFile(path).metadata.num_rows
    return count
