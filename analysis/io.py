"""Small helpers shared by the rule scripts: deterministic CSV/JSON, atomic writes, logging, and running
a script inside Snakemake's own process."""

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
from types import SimpleNamespace
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


def canonical_json(value: Any) -> str:
    """One text per value (keys sorted, no spaces, Unicode as is): what the content hashes of a
    specification, a multiverse structure and a figure's spec are taken of, and the explorer's data."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


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
    """Send log records to the rule's log file and to stderr for the duration of a rule.

    The logger is the rule's own, not the registry's `logging.getLogger(name)`: jobs run side by side
    in one process (run_script), and a shared logger would write each job's records to every log."""
    skip_final_collection()
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    logger = logging.Logger(name, logging.INFO)
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


def run_script(
    script: str | Path, input: Any, output: Any, params: Any, wildcards: Any, log: Any, rule: str
) -> None:
    """Run a rule script in this process: Snakemake's own, called from a rule's `run:` block.

    A `script:` rule starts a fresh interpreter that imports pandas and the project again, 0.5-0.7 s
    of a light rule's 0.6-1.2 s; Snakemake's process has imported them already (the Snakefile reads
    the project's modules). The script sees the `snakemake` object it would have had as a `script:`
    (input, output, params, wildcards, log, rule), so it runs either way. With `force-use-threads`
    (profiles/default) Snakemake runs the job in a thread of its own process, beside the others.

    `script` must be one of the rule's inputs: Snakemake reruns a `run:` rule when the block's own
    text changes, not when what it calls does, so an undeclared script could be edited unseen.
    """
    declared = {os.path.normpath(str(path)) for path in input}
    if os.path.normpath(str(script)) not in declared:
        raise ValueError(
            f"rule {rule}: {script} is not one of its inputs; list it under code= so that an edit to it "
            "reruns the rule"
        )
    path = Path(script)
    job = SimpleNamespace(input=input, output=output, params=params, wildcards=wildcards, log=log, rule=rule)
    code = compile(path.read_text(encoding="utf-8"), str(path), "exec")
    try:
        exec(code, {"__name__": "__main__", "__file__": str(path), "snakemake": job})  # noqa: S102
    except SystemExit as end:
        # A script stops with SystemExit(message) on bad input. In a thread Snakemake does not treat
        # that as the job's failure (its scheduler would wait forever), so it becomes an error here.
        if end.code not in (None, 0):
            raise RuleScriptError(str(end.code)) from None


class RuleScriptError(Exception):
    """A rule script run by run_script stopped with a message (SystemExit): the job failed."""
