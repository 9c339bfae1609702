"""What report.qmd imports: the rule's inputs by name, figures (Vega-Lite + SVG) and pipe tables."""

from __future__ import annotations

import html
import json as _json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

ENGINE_ENV = "REPORT_ENGINE"
INPUTS_ENV = "REPORT_INPUTS"
FIGURE_DIR = "_figures"  # SVG copies beside the rendered document, where typst may read them
_shown: dict[str, int] = {}


class ReportInputError(KeyError):
    """A name the report asked for is not an input of the render rule."""

    def __str__(self) -> str:
        return str(self.args[0])


class Markdown:
    """Markdown shown as a cell's output (`text/markdown`), in Jupyter, Quarto and the offline engine."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_markdown_(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def engine() -> str:
    """Which engine (and versions) rendered the report, as the render rule announced it."""
    return os.environ.get(ENGINE_ENV, "an interactive session (not a rendered build)")


def inputs() -> dict[str, Any]:
    """Every input of the render rule: name → path (or list of paths)."""
    location = os.environ.get(INPUTS_ENV)
    if not location:
        raise ReportInputError(f"{INPUTS_ENV} is not set: render the report through the pipeline")
    return _json.loads(Path(location).read_text(encoding="utf-8"))


def path(name: str) -> Path:
    """The file of input `name`; a clear error when the render rule has no such input."""
    available = inputs()
    if name not in available:
        raise ReportInputError(
            f"{name!r} is not an input of the render rule; inputs are: " + ", ".join(sorted(available))
        )
    value = available[name]
    if isinstance(value, list):
        raise ReportInputError(f"input {name!r} is a list of {len(value)} files; use paths({name!r})")
    return Path(value)


def paths(name: str) -> list[Path]:
    """The files of a list-valued input `name`."""
    available = inputs()
    if name not in available:
        raise ReportInputError(f"{name!r} is not an input of the render rule")
    value = available[name]
    return [Path(p) for p in (value if isinstance(value, list) else [value])]


def csv(name: str) -> pd.DataFrame:
    """Input `name` read as a pipeline CSV (empty cells missing, nullable dtypes)."""
    from analysis.io import read_csv

    return read_csv(path(name))


def json(name: str) -> Any:
    """Input `name` parsed as JSON."""
    return _json.loads(path(name).read_text(encoding="utf-8"))


def _find_file(filename: str) -> Path:
    for value in inputs().values():
        for candidate in value if isinstance(value, list) else [value]:
            if Path(candidate).name == filename:
                return Path(candidate)
    raise ReportInputError(f"no input of the render rule is named {filename!r}")


def _raw(fmt: str, text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=2)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{{={fmt}}}\n{text}\n{ticks}"


def figure(name: str, alt: str | None = None, width: str | None = None) -> Markdown:
    """Figure `name`: interactive (vegaEmbed of `name`.vl.json) in HTML, the vector SVG in PDF.

    The spec and SVG are found among the rule's inputs by file name; the page's <head> already
    holds the Vega libraries once, so each figure adds only a div and one vegaEmbed call.
    """
    spec = _json.loads(_find_file(f"{name}.vl.json").read_text(encoding="utf-8"))
    svg = _find_file(f"{name}.svg")
    _shown[name] = _shown.get(name, 0) + 1
    element = f"vis-{re.sub(r'[^A-Za-z0-9_-]', '-', name)}-{_shown[name]}"
    alt = alt or spec.get("description") or name
    Path(FIGURE_DIR).mkdir(exist_ok=True)
    local_svg = Path(FIGURE_DIR) / f"{name}.svg"
    shutil.copyfile(svg, local_svg)
    spec_json = _json.dumps(spec, sort_keys=True, ensure_ascii=False).replace("</", "<\\/")
    html_block = (
        f'<div class="vega-figure" id="{element}" role="img" '
        f'aria-label="{html.escape(alt)}"></div>\n'
        f'<script type="text/javascript">vegaEmbed("#{element}", {spec_json}, '
        f'{{"actions": false, "renderer": "svg", "tooltip": true}}).catch(console.error);</script>'
    )
    # natural size (typst shrinks an image wider than the text block); `width` overrides, e.g. "80%"
    sized = f", width: {width}" if width else ""
    typst_block = f'#image("{local_svg.as_posix()}"{sized}, alt: {_json.dumps(alt, ensure_ascii=False)})'
    return Markdown(_raw("html", html_block) + "\n\n" + _raw("typst", typst_block))


def _cell(value: Any, digits: int) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        value = f"{value:.{digits}f}"
    text = " ".join(str(value).split())
    return text.replace("\\", "\\\\").replace("|", "\\|")


def _dash_count(name: str, values: list[str]) -> int:
    """Dashes under a column: pandoc sizes a long pipe table's columns in proportion to them.

    The upper-quartile cell length (not the longest cell) sets the width, between 4 and 50, so a
    column of short values with one long outlier stays narrow and long prose gets the room; the
    longest single word (up to 24 characters) is a floor, so identifiers are not cut; two more
    stand for the cell's padding.
    """
    lengths = sorted(len(value) for value in values) or [0]
    typical = lengths[-(-3 * (len(lengths) - 1) // 4)]  # ceil: of two rows, the longer
    longest_word = max((len(word) for value in values for word in value.split()), default=0)
    return min(50, max(4, len(name), typical, min(24, longest_word))) + 2


def table(frame: pd.DataFrame, digits: int = 2, columns: dict[str, str] | None = None) -> Markdown:
    """A pandas table as a pipe table (numbers right-aligned); `columns` renames/selects columns."""
    if columns:
        frame = frame.loc[:, list(columns)].rename(columns=columns)
    numeric = [
        pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
        for dtype in frame.dtypes
    ]
    cells = [[_cell(v, digits) for v in row] for row in frame.itertuples(index=False, name=None)]
    names = [_cell(c, digits) for c in frame.columns]
    widths = [_dash_count(name, [row[i] for row in cells]) for i, name in enumerate(names)]
    header = "| " + " | ".join(names) + " |"
    rule = (
        "|"
        + "|".join(
            ("-" * (w - 1) + ":") if is_number else (":" + "-" * (w - 1))
            for w, is_number in zip(widths, numeric, strict=True)
        )
        + "|"
    )
    rows = ["| " + " | ".join(row) + " |" for row in cells]
    return Markdown("\n".join([header, rule, *rows]))


def text(name: str) -> Markdown:
    """The Markdown fragment `name`.md that the write_report_text rule wrote for the report."""
    return Markdown(_find_file(f"{name}.md").read_text(encoding="utf-8").rstrip("\n"))


def shown(name: str, digits: int = 2) -> Markdown:
    """The display table `name`.csv that the write_report_text rule wrote, as a pipe table."""
    from analysis.io import read_csv

    return table(read_csv(_find_file(f"{name}.csv")), digits=digits)


def identity_line(identity: dict[str, Any]) -> str:
    """Which build this is: the variant, the hash of its coding choices and of the raw data, and the keys
    in which it departs from config.yaml."""
    variant = identity["variant"]
    name = "the default coding (config.yaml)" if variant == "default" else f"variant {variant}"
    differs = identity.get("differs_from_default") or []
    departs = f", which departs from config.yaml in {', '.join(differs)}" if differs else ""
    return (f"Built from {name}{departs}; config hash {identity['config_hash']}, "
            f"data hash {identity['data_hash']}.")
