"""Small file helpers shared by the rule scripts: deterministic CSV/JSON, atomic writes, logging."""

from __future__ import annotations

import atexit
import contextlib
import functools
import gc
import json
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported where a table is read: the render and provenance jobs need none
    import pandas as pd


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write a file whole or not at all: a failed job never leaves half an output behind."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        # mkstemp creates the file private (0600); outputs are ordinary readable files
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """CSV with a stable float format and no index, written atomically."""
    write_text_atomic(path, frame.to_csv(index=False, float_format="%.6g", lineterminator="\n"))


def write_json(data: Any, path: str | Path) -> None:
    """Pretty, key-sorted JSON (NaN becomes null), written atomically."""
    write_text_atomic(
        path, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
    )


def write_yaml_atomic(data: Any, path: str | Path) -> None:
    """YAML (block style, Unicode kept, keys in their given order), written atomically."""
    import yaml

    write_text_atomic(path, yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100))


def read_csv(path: str | Path) -> pd.DataFrame:
    """Read a CSV the pipeline wrote: empty cells stay missing, ids stay strings."""
    import pandas as pd

    return pd.read_csv(
        path, dtype_backend="numpy_nullable", keep_default_na=True, na_values=[""], encoding="utf-8"
    )


@functools.cache
def skip_final_collection() -> None:
    """End this process without the interpreter's last garbage collection.

    At exit CPython collects every object still alive, though the process is about to end: 0.08 s
    for a rule script that imported pandas, 0.4 s for Snakemake itself (a no-op's fifth), paid at
    the end of every job. Freezing the heap at exit (`gc.freeze`) skips that pass. Exit handlers still
    run, files are still flushed and closed; only the `__del__` of objects caught in reference cycles
    is not called, which CPython does not promise at exit anyway. Called by every rule script (through
    `logged`) and by the Snakefile; the render's kernel does the same (qmdrender.engine).
    """
    atexit.register(gc.freeze)


@contextlib.contextmanager
def logged(log_path: str | Path, name: str = "analysis") -> Iterator[logging.Logger]:
    """Send log records to the rule's log file and to stderr for the duration of a rule."""
    skip_final_collection()
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(name)
    logger.setLevel(logging.INFO)
    handlers = [logging.FileHandler(log_path, mode="w", encoding="utf-8"), logging.StreamHandler(sys.stderr)]
    for handler in handlers:
        handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
        logger.addHandler(handler)
    try:
        yield logger
    except Exception:
        logger.exception("rule failed")
        raise
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
            handler.close()
