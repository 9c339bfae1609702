"""What changes if I set key = value? Answered from the multiverse table, without a build.

    python -m analysis.whatif hp1.rule=majority_of_three [key=value ...] [--table PATH]

Reads results/multiverse/specifications.parquet (``snakemake multiverse`` writes it), finds config.yaml's
specification and the one with the given keys changed (every other key as in config.yaml), and prints
every verdict and headline score that differs, with its old and new value. Only the two rows are read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from analysis import registry

DEFAULT_TABLE = Path("results/multiverse/specifications.parquet")


class WhatIfError(ValueError):
    """A change the multiverse cannot answer (unknown or held key, value off the grid, excluded)."""


def parse_changes(arguments: Sequence[str]) -> dict[str, Any]:
    """{"hp1.ai_threshold": 0.4, ...} from ``key=value`` words (values read as YAML scalars)."""
    changes = {}
    for word in arguments:
        key, sep, raw = word.partition("=")
        if not sep or not key:
            raise WhatIfError(f"{word!r}: write key=value, e.g. hp1.rule=majority_of_three")
        changes[key] = yaml.safe_load(raw)
    return changes


def _rows(path: Path, wanted: Sequence[Mapping[str, Any]]) -> list[dict[str, Any] | None]:
    """For each mapping, the one row whose choices equal it (None if there is none).

    Reads the choice columns once as dictionary arrays and matches each value's small integer code
    with numpy (no per-row decoding, and neither pyarrow.compute nor pandas to import), then reads
    only the row group that holds each row found: a fraction of a second on the full table."""
    import numpy as np
    import pyarrow.parquet as pq

    keys = sorted({key for mapping in wanted for key in mapping})
    handle = pq.ParquetFile(path, read_dictionary=keys)
    choices = handle.read(columns=keys)

    seen: dict[str, list[tuple[Any, np.ndarray]]] = {}  # the mappings share most (key, value) pairs

    def matches(key: str, value: Any) -> np.ndarray:
        """Whether each row's `key` equals `value`, chunk by chunk (a string column comes as
        dictionary chunks, each with its own small dictionary; a numeric column as plain values)."""
        for known, mask in seen.setdefault(key, []):
            if known == value:
                return mask
        parts = []
        for chunk in choices[key].chunks:
            if hasattr(chunk, "dictionary"):
                hit = np.array([option == value for option in chunk.dictionary.to_pylist()], dtype=bool)
                parts.append(hit[_numbers(chunk.indices)])
            else:
                parts.append(_numbers(chunk) == value)
        mask = np.concatenate(parts) if parts else np.zeros(0, dtype=bool)
        seen[key].append((value, mask))
        return mask

    starts = np.cumsum(
        [0] + [handle.metadata.row_group(g).num_rows for g in range(handle.metadata.num_row_groups)]
    )
    found = []
    for mapping in wanted:
        mask = np.ones(choices.num_rows, dtype=bool)
        for key, value in mapping.items():
            mask &= matches(key, value)
        rows = np.flatnonzero(mask)
        if len(rows) > 1:
            raise WhatIfError(f"{len(rows)} specifications match {dict(mapping)}: not one row each")
        if not len(rows):
            found.append(None)
            continue
        group = int(np.searchsorted(starts, rows[0], side="right")) - 1
        found.append(handle.read_row_group(group).slice(int(rows[0] - starts[group]), 1).to_pylist()[0])
    return found


def _numbers(array: Any) -> Any:
    """A null-free numeric Arrow array as a numpy view of its buffer (Arrow's own to_numpy imports
    pandas, a third of the command's time)."""
    import numpy as np

    if array.null_count:
        raise WhatIfError("a choice column of the multiverse table holds a missing value")
    name = str(array.type)  # int8 ... uint64 are numpy's names too; Arrow's floats are not
    if name == "bool":  # bit-packed in Arrow: no byte-per-value view exists
        return np.array(array.to_pylist(), dtype=bool)
    dtype = np.dtype({"double": "float64", "float": "float32", "halffloat": "float16"}.get(name, name))
    return np.frombuffer(array.buffers()[1], dtype=dtype)[array.offset : array.offset + len(array)]


def what_if(table: str | Path, config: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The default's row, the changed specification's row and every verdict or score that differs."""
    # the decision space as built (multiverse_space wrote it beside the table): no pandas to import
    space = json.loads(Path(table).with_name("space.json").read_text(encoding="utf-8"))["axes"]
    choices = registry.choices()
    for key, value in changes.items():
        if key not in choices:
            raise WhatIfError(f"{key}: not a coding choice of analysis/registry.yaml")
        if key not in space:
            why = choices[key].held or f"a {choices[key].kind} key without options or grid"
            raise WhatIfError(f"{key}: not varied in the multiverse ({why}); build a variant instead")
        if value not in space[key]:
            options = " | ".join(map(str, space[key]))
            raise WhatIfError(f"{key}: {value!r} is not in the multiverse's values ({options})")
    default = {key: registry.lookup(config, key) for key in space}
    old, new = _rows(Path(table), [default, {**default, **changes}])
    if old is None:
        raise WhatIfError(f"{table}: config.yaml's specification is missing; rerun `snakemake multiverse`")
    if new is None:
        raise WhatIfError(
            "that combination is excluded by a constraint of the decision space (analysis/registry.yaml, "
            "x-constraints), e.g. a key that does not matter under another choice is held at its default"
        )
    choice_columns = {"spec_id", "structure_id", *space}
    changed = [
        (column, old[column], new[column])
        for column in old
        if column not in choice_columns and not _same(old[column], new[column])
    ]
    # verdicts first, then scores, each in the table's column order
    changed.sort(key=lambda item: not item[0].startswith("verdict_"))
    return {"changes": dict(changes), "old": old, "new": new, "changed": changed}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:  # both NaN
        return True
    return a == b


def render(answer: Mapping[str, Any]) -> str:
    """The answer as a short Markdown report."""
    what = ", ".join(f"{k} = {v}" for k, v in answer["changes"].items())
    if not answer["changed"]:
        return f"Setting {what} changes no verdict and no headline score."
    lines = [
        f"Setting {what} (spec {answer['new']['spec_id']}, default {answer['old']['spec_id']}):",
        "",
        "| verdict or score | default | new |",
        "|---|---|---|",
    ]
    verdicts = [c for c in answer["changed"] if c[0].startswith("verdict_")]
    scores = [c for c in answer["changed"] if not c[0].startswith("verdict_")]
    for column, old, new in verdicts + scores:
        lines.append(f"| {column} | {_fmt(old)} | {_fmt(new)} |")
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.whatif", description=__doc__.splitlines()[0])
    parser.add_argument("changes", nargs="+", metavar="key=value")
    parser.add_argument("--table", type=Path, default=DEFAULT_TABLE)
    parser.add_argument("--config", type=Path, default=Path("config.yaml"))
    args = parser.parse_args(argv)
    try:
        if not args.table.exists():
            raise WhatIfError(f"{args.table} does not exist: run `snakemake multiverse` first")
        config = registry.load_yaml(args.config.read_text(encoding="utf-8"))
        print(render(what_if(args.table, config, parse_changes(args.changes))))
    except WhatIfError as problem:
        print(f"what-if: {problem}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
