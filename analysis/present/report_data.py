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

from analysis.present.safe import Markdown, md_text, script_json, typst_string
from analysis.present.safe import md_doc as doc

__all__ = [
    "Markdown",
    "card",
    "csv",
    "doc",
    "engine",
    "figure",
    "inputs",
    "json",
    "path",
    "paths",
    "provenance_appendix",
    "shown",
    "table",
    "text",
]

ENGINE_ENV = "REPORT_ENGINE"
INPUTS_ENV = "REPORT_INPUTS"
FIGURE_DIR = "_figures"  # SVG copies beside the rendered document, where typst may read them
_shown: dict[str, int] = {}


class ReportInputError(KeyError):
    """A name the report asked for is not an input of the render rule."""

    def __str__(self) -> str:
        return str(self.args[0])


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
    spec_json = script_json(spec)
    html_block = (
        f'<div class="vega-figure" id="{element}" role="img" '
        f'aria-label="{html.escape(alt)}"></div>\n'
        f'<script type="text/javascript">vegaEmbed("#{element}", {spec_json}, '
        f'{{"actions": false, "renderer": "svg", "tooltip": true}}).catch(console.error);</script>'
    )
    # natural size (typst shrinks an image wider than the text block); `width` overrides, e.g. "80%"
    if width and not re.fullmatch(r"[0-9]+(\.[0-9]+)?(%|pt|mm|cm|em|in)", width):
        raise ValueError(f"figure width {width!r} is not a Typst length such as 80% or 12cm")
    sized = f", width: {width}" if width else ""
    typst_block = f"#image({typst_string(local_svg.as_posix())}{sized}, alt: {typst_string(alt)})"
    return Markdown(_raw("html", html_block) + "\n\n" + _raw("typst", typst_block))


def explorer(name: str = "explorer") -> Markdown:
    """The multiverse explorer in HTML (dropdowns over the embedded multiverse); a pointer in the PDF."""
    from analysis.present.explorer import explorer_html

    data = json(name)
    html_text = (
        "To try a coding yourself, pick a value for each choice below: the verdicts and deciding "
        f"scores of that specification appear at once (all {data['n_specifications']:,} "
        "specifications are embedded in this page, offline)."
    )
    typst_text = (
        f"The HTML version of this report holds an explorer of all "
        f"{data['n_specifications']:,} specifications: pick a value for each coding choice to see "
        f"that specification's verdicts and deciding scores."
    )
    return Markdown(
        _raw("html", f"<p>{html_text}</p>\n" + explorer_html(data)) + "\n\n" + _raw("typst", typst_text)
    )


def _shown_text(value: Any, digits: int) -> str:
    """What a cell shows, before escaping: floats to `digits` places, missing as empty."""
    if isinstance(value, Markdown):
        return value.text
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        value = f"{value:.{digits}f}"
    return " ".join(str(value).split())


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
    shown = [[_shown_text(v, digits) for v in row] for row in frame.itertuples(index=False, name=None)]
    shown_names = [_shown_text(c, digits) for c in frame.columns]
    # widths from the text a reader sees; every cell reaches the Markdown through md_text
    widths = [_dash_count(name, [row[i] for row in shown]) for i, name in enumerate(shown_names)]
    cells = [
        [
            value.text if isinstance(value, Markdown) else md_text(text)
            for value, text in zip(row, shown_row, strict=True)
        ]
        for row, shown_row in zip(frame.itertuples(index=False, name=None), shown, strict=True)
    ]
    names = [md_text(name) for name in shown_names]
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
    """The Markdown fragment `name`.md that the write_report_text rule wrote for the report, with the
    provenance card of each numbered table in it."""
    return Markdown(_carded_text(name, _find_file(f"{name}.md").read_text(encoding="utf-8").rstrip("\n")))


# Display-table columns that hold the project's own documentation (codebook and registry
# descriptions): their emphasis, code and citations are kept (md_doc); every other cell is text.
DOC_COLUMNS = ("What a row is", "What it decides")


def shown(name: str, digits: int = 2) -> Markdown:
    """The display table `name`.csv that the write_report_text rule wrote, as a pipe table."""
    from analysis.io import read_csv

    frame = read_csv(_find_file(f"{name}.csv"))
    for column in DOC_COLUMNS:
        if column in frame.columns:
            frame[column] = frame[column].astype(object).map(doc)
    return table(frame, digits=digits)


def identity_line(identity: dict[str, Any], engine_name: str | None = None) -> str:
    """Which build this is: the variant, the hash of its coding choices, the hash of the raw data and
    the render engine, and the keys in which it departs from config.yaml. Returns Markdown: every
    value from data or config is escaped. The commit of the code is not here: the report's prose adds
    it from the render's metadata (provenance.py says why)."""
    variant = identity["variant"]
    name = "the default coding (config.yaml)" if variant == "default" else f"variant {md_text(variant)}"
    differs = identity.get("differs_from_default") or []
    departs = f", which departs from config.yaml in {md_text(', '.join(differs))}" if differs else ""
    rendered = f", rendered by {md_text(engine_name)}" if engine_name else ""
    return (
        f"Built from {name}{departs}; config hash {md_text(identity['config_hash'])}, "
        f"data hash {md_text(identity['data_hash'])}{rendered}."
    )


# Provenance cards: `card` puts one beside a figure or table in the HTML and remembers it, in order, for
# `provenance_appendix`, which lists them in the PDF keyed by the number the render gives each label.
_carded: list[tuple[str, str]] = []


def _provenance() -> dict[str, Any]:
    return json("provenance")


def card(label: str, item: str) -> Markdown:
    """The provenance card of `item` (a key of provenance.json's cards, e.g. "figure/lag") beside the
    figure or table labelled `label`: a closed <details> in the HTML, nothing in the PDF (see the
    appendix)."""
    from analysis.present.provenance import card_html

    provenance = _provenance()
    if item not in provenance["cards"]:
        known = ", ".join(sorted(provenance["cards"]))
        raise ReportInputError(f"no provenance card {item!r}; cards are: {known}")
    if not re.fullmatch(r"[A-Za-z0-9_-]+", label):
        raise ValueError(f"{label!r} is not a label")
    _carded.append((label, item))
    return Markdown(_raw("html", card_html(label, provenance["cards"][item], provenance)))


def _carded_text(name: str, fragment: str) -> str:
    """A text fragment with the card of its fragment after each numbered table it holds (a caption line
    `: … {#tbl-x}`), when provenance.json has a card for the fragment."""
    item = f"text/{name}"
    try:
        provenance = _provenance()
    except ReportInputError:  # rendered without provenance (e.g. a fixture): the fragment as it is
        return fragment
    if item not in provenance["cards"]:
        return fragment

    def with_card(match: re.Match[str]) -> str:
        return f"{match[0]}\n\n{card(match[1], item).text}\n"

    return re.sub(r"^: .*\{#(tbl-[A-Za-z0-9_-]+)\}[ \t]*$", with_card, fragment, flags=re.MULTILINE)


def provenance_appendix() -> Markdown:
    """The PDF's provenance appendix: one entry per card shown, keyed by its figure or table number
    (a cross-reference the render numbers); the HTML has the cards beside the items instead."""
    from analysis.present.provenance import appendix_entry, appendix_preamble

    provenance = _provenance()
    references = [
        f"@{label}" if label.startswith(("fig-", "tbl-")) else "The headline numbers" for label, _ in _carded
    ]
    entries = [appendix_preamble(provenance)]
    entries += [
        appendix_entry(reference, provenance["cards"][item])
        for reference, (_, item) in zip(references, _carded, strict=True)
    ]
    pdf = "\n\n".join(entries)
    # the HTML names each item once too (its card is beside it), so both formats mention every number
    # equally often
    html_index = "\n".join(f"- {reference}: its card is beside it." for reference in references)
    return Markdown(
        f'::: {{.content-visible when-format="pdf"}}\n{pdf}\n:::\n\n'
        f'::: {{.content-visible when-format="html"}}\n{html_index}\n:::'
    )
