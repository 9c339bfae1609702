"""The report's multiverse explorer: the multiverse table packed small enough to embed in the HTML page.

A specification is addressed by its position in the full product of the varied keys' values (mixed
radix, the last key fastest). The admissible positions are stored sorted, as LEB128-varint gaps; each
specification's verdicts and deciding scores as an index into a table of the distinct tuples (most
specifications share them). Every binary part and both tuple tables are zlib-deflated, then base64:
the index arrays repeat long patterns, so the full space of 1.2 million specifications packs into
about 0.2 MB instead of 7 MB. The page's script (explorer.js beside this module) inflates them with
the browser's built-in DecompressionStream, looks up the position of the values picked in the
dropdowns, and shows that specification's verdicts and scores, offline.
"""

from __future__ import annotations

import base64
import html
import json
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.io import canonical_json
from analysis.scores.multiverse import axes, round_ids

SCRIPT = Path(__file__).with_name("explorer.js")
# The deciding scores shown per round, and their labels.
SHOWN_SCORES = {
    "pa_us_improvement": "PA improvement (US)",
    "pa_us": "PA (US)",
    "ai": "attributed influence",
    "posterior_HP1": "posterior of HP1",
    "reactivity": "reactivity",
}
VERDICT_CODES = {None: 0, "supported": 1, "rejected": 2, "indeterminate": 3, "not supported": 4}
# The dropdowns as a grid of labelled cells: sixteen keys inline were an unreadable run of text.
STYLE = (
    ".mv-choices{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:.5rem 1rem;"
    "margin:1rem 0}.mv-choices label{display:flex;flex-direction:column;font-size:.85em}"
    ".mv-choices label span{font-family:monospace}.mv-choices select{max-width:100%}"
    ".mv-choices button{align-self:end;justify-self:start}"
)
# A fixed level keeps the page byte-identical from build to build (deflate is deterministic for a
# given zlib; the Parquet table already depends on its codec the same way).
DEFLATE_LEVEL = 9


def _varints(values: np.ndarray) -> bytes:
    out = bytearray()
    for value in values.tolist():
        while True:
            byte = value & 0x7F
            value >>= 7
            if value:
                out.append(byte | 0x80)
            else:
                out.append(byte)
                break
    return bytes(out)


def _packed(data: bytes) -> str:
    """zlib-deflated, then base64 (the page inflates with DecompressionStream("deflate"))."""
    return base64.b64encode(zlib.compress(data, DEFLATE_LEVEL)).decode("ascii")


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def unpacked(text: str) -> bytes:
    """The inverse of the packing, for tests and readers of explorer.json."""
    return zlib.decompress(base64.b64decode(text))


def _tuples(frame: pd.DataFrame) -> tuple[list[list[Any]], np.ndarray]:
    """(distinct rows in first-seen order, index of each row's tuple)."""
    text = frame.astype(str)  # NaN and None read as one code each
    codes = pd.MultiIndex.from_frame(text).factorize()[0] if len(frame.columns) else np.zeros(len(frame), int)
    first = pd.Series(np.arange(len(codes))).groupby(codes).first().sort_index().to_numpy()
    distinct = frame.iloc[first].astype(object).where(frame.iloc[first].notna(), None).to_numpy().tolist()
    return distinct, np.asarray(codes)


def explorer_data(table: pd.DataFrame, config: Mapping[str, Any], digits: int = 3) -> dict[str, Any]:
    """The compact, JSON-ready form of the multiverse table the explorer embeds."""
    space = {key: list(values) for key, values in axes(config).items() if key in table.columns}
    keys = list(space)
    sizes = np.array([len(space[k]) for k in keys], dtype=np.int64)
    strides = np.ones(len(keys), dtype=np.int64)
    for i in range(len(keys) - 2, -1, -1):
        strides[i] = strides[i + 1] * sizes[i + 1]
    position = np.zeros(len(table), dtype=np.int64)
    for key, stride in zip(keys, strides, strict=True):
        # each value's index among the key's options (a value off the list raises)
        codes = pd.Index(space[key]).get_indexer(table[key].to_numpy())
        if (codes < 0).any():
            raise ValueError(f"{key}: a multiverse row holds a value outside the decision space")
        position += codes.astype(np.int64) * stride
    order = np.argsort(position, kind="stable")
    position = position[order]
    if len(position) and (np.diff(position) <= 0).any():
        raise ValueError("two multiverse rows share one combination of choices")
    rows = table.iloc[order].reset_index(drop=True)
    rounds = [r for r in round_ids(config) if f"verdict_HP1_{r}" in rows.columns]
    verdict_columns = [f"verdict_HP1_{r}" for r in rounds] + ["verdict_HP2", "verdict_HP3"]
    score_columns = [f"{r}_{name}" for r in rounds for name in SHOWN_SCORES]
    verdict_table, verdict_index = _tuples(rows[verdict_columns])
    scores = rows[score_columns].astype(float).round(digits)
    score_table, score_index = _tuples(scores)
    if len(verdict_table) > 65535 or len(score_table) > 65535:
        raise ValueError("too many distinct verdict or score tuples for the explorer's encoding")
    verdict_width = 1 if len(verdict_table) <= 256 else 2
    gaps = np.diff(np.concatenate([[0], position])).astype(np.int64)
    if len(gaps):
        gaps[0] = position[0]
    return {
        "keys": keys,
        "values": space,
        "default": {key: _plain(_config_value(config, key)) for key in keys},
        "n_specifications": len(rows),
        "rounds": rounds,
        "verdict_columns": verdict_columns,
        "score_columns": score_columns,
        "score_labels": SHOWN_SCORES,
        # the tuple tables as deflated JSON text (the score table alone is 0.8 MB as plain JSON)
        "verdict_table": _packed(_json_bytes(verdict_table)),
        "score_table": _packed(
            _json_bytes(
                [
                    [None if v is None or (isinstance(v, float) and np.isnan(v)) else v for v in row]
                    for row in score_table
                ]
            )
        ),
        "positions": _packed(_varints(gaps)),
        "verdict_width": verdict_width,
        "verdicts": _packed(verdict_index.astype("<u1" if verdict_width == 1 else "<u2").tobytes()),
        "scores": _packed(score_index.astype("<u2").tobytes()),
    }


def _config_value(config: Mapping[str, Any], key: str) -> Any:
    node: Any = config
    for part in key.split("."):
        node = node[part]
    return node


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def explorer_html(data: Mapping[str, Any], element: str = "mv-explorer") -> str:
    """The explorer's HTML block: the embedded data, an empty container and the script that fills it."""
    payload = canonical_json(data).replace("</", "<\\/")
    script = SCRIPT.read_text(encoding="utf-8")
    return (
        f"<style>{STYLE}</style>\n"
        f'<div class="mv-explorer" id="{html.escape(element)}"></div>\n'
        f'<script type="application/json" id="{html.escape(element)}-data">{payload}</script>\n'
        f"<script>\n{script}\nmultiverseExplorer({json.dumps(element)});\n</script>"
    )
