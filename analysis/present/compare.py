"""Compare two builds (the default or named variants): what their configs, numbers, verdicts and figures
differ in, and nothing else."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

# Columns that identify a row of a score table (the rest are its values).
KEY_COLUMNS = ("hypothesis", "sender", "actor", "round", "attributor_type", "measure_id", "component")
CHANGE_COLUMNS = ["table", "row", "column", "value_a", "value_b", "change"]
CONFIG_COLUMNS = ["key", "value_a", "value_b"]


def config_differences(choices_a: pd.DataFrame, choices_b: pd.DataFrame) -> pd.DataFrame:
    """(key, value in A, value in B) for every coding-choices row whose value differs."""
    a = choices_a.set_index("key")["value"].astype(str)
    b = choices_b.set_index("key")["value"].astype(str)
    keys = sorted(set(a.index) | set(b.index))
    rows = [
        {"key": k, "value_a": a.get(k, ""), "value_b": b.get(k, "")} for k in keys if a.get(k) != b.get(k)
    ]
    return pd.DataFrame(rows, columns=CONFIG_COLUMNS)


def _change(a: str, b: str) -> str:
    try:
        x, y = float(a), float(b)
    except ValueError:
        return ""
    if math.isnan(x) or math.isnan(y):
        return ""
    return f"{y - x:+.6g}"


def table_differences(name: str, a: pd.DataFrame, b: pd.DataFrame) -> list[dict[str, str]]:
    """Every cell that differs between two versions of a score table, rows matched by their key columns.

    Read the tables as text (``dtype=str``), so that a difference is exactly a difference in the file.
    """
    keys = [c for c in KEY_COLUMNS if c in a.columns and c in b.columns]
    a, b = a.astype(str), b.astype(str)
    if keys:
        a, b = a.set_index(keys), b.set_index(keys)
    rows = []
    for index in sorted(set(a.index) | set(b.index), key=str):
        label = " · ".join(index) if isinstance(index, tuple) else str(index)
        in_a, in_b = index in a.index, index in b.index
        for column in [c for c in dict.fromkeys([*a.columns, *b.columns])]:
            va = a.at[index, column] if in_a and column in a.columns else ""
            vb = b.at[index, column] if in_b and column in b.columns else ""
            if va != vb:
                rows.append(
                    {
                        "table": name,
                        "row": label,
                        "column": column,
                        "value_a": va,
                        "value_b": vb,
                        "change": _change(va, vb),
                    }
                )
    return rows


def headline_differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[dict[str, str]]:
    rows = []
    for key in sorted(set(a) | set(b)):
        va, vb = (
            ("" if a.get(key) is None else str(a.get(key))),
            ("" if b.get(key) is None else str(b.get(key))),
        )
        if va != vb:
            rows.append(
                {
                    "table": "headline",
                    "row": key,
                    "column": "value",
                    "value_a": va,
                    "value_b": vb,
                    "change": _change(va, vb),
                }
            )
    return rows


def compare_builds(
    a: Mapping[str, Any], b: Mapping[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """(config differences, changed cells, names of figures that differ) of two builds.

    Each build is a mapping with ``choices`` and ``verdicts`` (frames), ``headline`` (a mapping),
    ``scores`` ({table name: frame}) and ``svgs`` ({figure name: SVG text}).
    """
    config = config_differences(a["choices"], b["choices"])
    rows = table_differences("verdicts", a["verdicts"], b["verdicts"])
    rows += headline_differences(a["headline"], b["headline"])
    for name in sorted(set(a["scores"]) | set(b["scores"])):
        rows += table_differences(
            name, a["scores"].get(name, pd.DataFrame()), b["scores"].get(name, pd.DataFrame())
        )
    figures = sorted(
        name for name in set(a["svgs"]) | set(b["svgs"]) if a["svgs"].get(name) != b["svgs"].get(name)
    )
    return config, pd.DataFrame(rows, columns=CHANGE_COLUMNS), figures


def _html_table(frame: pd.DataFrame, headers: Sequence[str]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def comparison_page(
    name_a: str,
    name_b: str,
    config: pd.DataFrame,
    changes: pd.DataFrame,
    figures: Sequence[str],
    svgs_a: Mapping[str, str],
    svgs_b: Mapping[str, str],
) -> str:
    """One self-contained HTML page: config difference, changed numbers and verdicts, differing figures."""
    a, b = html.escape(name_a), html.escape(name_b)
    parts = [f"<h1>{a} compared with {b}</h1>"]
    if config.empty and changes.empty and not figures:
        parts.append(
            "<p>The two builds do not differ: same coding choices, numbers, verdicts and figures.</p>"
        )
    parts.append(f"<h2>Coding choices that differ ({len(config)})</h2>")
    parts.append(_html_table(config, ["Key", name_a, name_b]) if len(config) else "<p>None.</p>")
    verdicts = changes[changes["table"] == "verdicts"]
    parts.append(f"<h2>Verdicts that change ({int((verdicts['column'] == 'verdict').sum())})</h2>")
    parts.append(
        _html_table(verdicts, ["Table", "Row", "Column", name_a, name_b, "Change"])
        if len(verdicts)
        else "<p>None.</p>"
    )
    numbers = changes[changes["table"] != "verdicts"]
    parts.append(f"<h2>Numbers that change ({len(numbers)})</h2>")
    parts.append(
        _html_table(numbers, ["Table", "Row", "Column", name_a, name_b, "Change"])
        if len(numbers)
        else "<p>None.</p>"
    )
    parts.append(f"<h2>Figures that differ ({len(figures)})</h2>")
    for figure in figures:
        parts.append(
            f"<h3>{html.escape(figure)}</h3><div class='pair'>"
            f"<figure>{svgs_a.get(figure, '')}<figcaption>{a}</figcaption></figure>"
            f"<figure>{svgs_b.get(figure, '')}<figcaption>{b}</figcaption></figure></div>"
        )
    style = (
        "body{font-family:sans-serif;max-width:1400px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .5em;"
        "text-align:left;vertical-align:top}.pair{display:flex;gap:1em}.pair figure{flex:1;margin:0}"
        ".pair svg{max-width:100%;height:auto}"
    )
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{a} vs {b}</title>"
        f"<style>{style}</style></head><body>{''.join(parts)}</body></html>\n"
    )


def figure_name(path: str | Path) -> str:
    return Path(path).name.removesuffix(".svg")
