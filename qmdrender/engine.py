"""Render a Quarto document: with Quarto when it is installed, else offline (nbclient + pandoc + typst).

The offline path: read the .qmd (front matter, markdown, ```{python} cells, shortcodes), run every
cell in one Jupyter kernel, write the executed document as pandoc markdown per output format,
and let pandoc (with filters/quarto.lua, which numbers everything once) write HTML and Typst;
typst compiles the PDF with the fonts this package depends on.
"""

from __future__ import annotations

import atexit
import base64
import concurrent.futures
import contextlib
import datetime as dt
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import yaml

from qmdrender import typst_server

FILTERS = Path(__file__).with_name("filters")
ENGINES = ("auto", "quarto", "offline")
FORMATS = ("html", "pdf")
# the front matter's `format:` keys that configure each output (Quarto's pdf and typst both give a PDF)
FORMAT_KEYS = {"html": ("html",), "pdf": ("pdf", "typst")}
# The kernel learns which engine renders it and which files it may read from these variables.
ENGINE_ENV = "REPORT_ENGINE"
INPUTS_ENV = "REPORT_INPUTS"
VEGA_HEADER = "_vega-bundle.html"
INPUTS_FILE = "_report-inputs.json"
SCRATCH_PREFIX = ".qmdrender-"
# A kernel that has not answered by then will not: the usual cause is a loopback interface that is down.
KERNEL_STARTUP_TIMEOUT = 30
# After the last cell the kernel is killed, not asked to exit: the render needs nothing more from it,
# and a graceful exit both waits for the interpreter's last garbage collection (0.35 s after pandas
# and altair) and, in ipykernel 7.4, deadlocks in about one shutdown of five (its control thread
# flushes IOPub while the main thread joins it) until jupyter_client terminates it 2.5 s later.
# So exit handlers a cell registers do not run: a cell closes what it writes.
KERNEL_SHUTDOWN = "immediate"
# Quarto's defaults for the execution options a cell may override
EXECUTE_DEFAULTS = {
    "echo": True,
    "eval": True,
    "output": True,
    "include": True,
    "warning": True,
    "error": False,
}
# figure size options Quarto hands to matplotlib before each cell
FIGURE_SIZE_OPTIONS = ("fig-width", "fig-height", "fig-dpi")
# Document metadata that steers cell execution: render()'s `metadata` may not set it (its cells'
# cache would not see the change).
CELL_STEERING_KEYS = {"execute", "format", "jupyter", "engine", *EXECUTE_DEFAULTS, *FIGURE_SIZE_OPTIONS}
# The file render() hands Quarto its `metadata` in (in the scratch folder).
METADATA_FILE = "_render-metadata.yml"
NOTEBOOK_OUTPUT_PRIORITY = ("text/markdown", "image/svg+xml", "image/png", "text/html", "text/plain")
CODE_FENCE = re.compile(r"^(?P<fence>`{3,})\s*\{python(?P<opts>[^}]*)\}\s*$")
INLINE_CODE = re.compile(r"`\{python\}\s+(?P<expr>[^`]+?)\s*`")
CELL_OPTION = re.compile(r"^#\|\s?(?P<option>.*)$")
DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
SHORTCODE = re.compile(r"(?<!\{)\{\{<\s*(?P<name>[\w-]+)(?P<args>[^>]*?)\s*>\}\}(?!\})")
ESCAPED_SHORTCODE = re.compile(r"\{\{\{<(?P<inner>.*?)>\}\}\}")
MARKDOWN_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class RenderError(RuntimeError):
    """A document that cannot be rendered; the message is one line saying why."""


# ── Engine choice ────────────────────────────────────────────────────────────────────────────
def choose_engine(requested: str, quarto: str | None = None) -> str:
    """'quarto' or 'offline' for a requested engine; `quarto` is the binary's path (default: PATH)."""
    if requested not in ENGINES:
        raise RenderError(f"unknown report engine {requested!r}; expected one of {', '.join(ENGINES)}")
    quarto = quarto if quarto is not None else shutil.which("quarto")
    if requested == "quarto" and not quarto:
        raise RenderError("report.engine is 'quarto' but no `quarto` binary is on PATH")
    if requested == "auto":
        return "quarto" if quarto else "offline"
    return requested


def engine_description(engine: str) -> str:
    """A one-line statement of the engine and its versions, for the document's colophon."""
    if engine == "quarto":
        quarto_version = subprocess.run(
            ["quarto", "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
        return f"Quarto {quarto_version}"
    import pypandoc

    return (
        f"offline engine (nbclient {version('nbclient')}, pandoc {pypandoc.get_pandoc_version()}, "
        f"typst {version('typst')})"
    )


def parse_formats(text: str) -> tuple[str, ...]:
    """'html,pdf' → ('html', 'pdf'); a clear error for anything else."""
    formats = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise RenderError(
            f"unknown output format(s) {', '.join(unknown) or '(none)'}; "
            f"expected a comma-separated subset of {','.join(FORMATS)}"
        )
    return formats


# ── Reading the .qmd ─────────────────────────────────────────────────────────────────────────
@dataclass
class Chunk:
    """A piece of the document: markdown text, or a python cell with its `#|` options."""

    kind: str  # "markdown" | "code"
    text: str
    options: dict[str, Any] = field(default_factory=dict)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The YAML front matter (empty when absent) and the body after it."""
    match = re.match(r"^---\s*\n(.*?\n)---\s*\n", text, flags=re.DOTALL)
    if not match:
        return {}, text
    meta = yaml.safe_load(match.group(1)) or {}
    if not isinstance(meta, dict):
        raise RenderError("the front matter is not a YAML mapping")
    return meta, text[match.end() :]


def cell_options(source: str) -> tuple[dict[str, Any], str]:
    """Split a cell's leading `#| key: value` lines (YAML) from its code."""
    lines = source.splitlines()
    option_lines = []
    while lines and (match := CELL_OPTION.match(lines[0])):
        option_lines.append(match.group("option"))
        lines.pop(0)
    try:
        options = yaml.safe_load("\n".join(option_lines)) or {}
    except yaml.YAMLError as error:
        raise RenderError(f"bad #| cell options: {' '.join(str(error).split())}") from error
    return options, "\n".join(lines)


def split_chunks(body: str) -> list[Chunk]:
    """Markdown and ```{python} cells in document order."""
    chunks: list[Chunk] = []
    markdown: list[str] = []
    lines = iter(body.splitlines())
    for line in lines:
        opening = CODE_FENCE.match(line)
        if not opening:
            markdown.append(line)
            continue
        if markdown:
            chunks.append(Chunk("markdown", "\n".join(markdown)))
            markdown = []
        fence, source = opening.group("fence"), []
        for inner in lines:
            if inner.strip() == fence:
                break
            source.append(inner)
        else:
            raise RenderError(f"a ```{{python}} cell is never closed (starts: {line!r})")
        options, code = cell_options("\n".join(source))
        chunks.append(Chunk("code", code, options))
    if markdown:
        chunks.append(Chunk("markdown", "\n".join(markdown)))
    return chunks


# ── Shortcodes ───────────────────────────────────────────────────────────────────────────────
def _outside_fences(text: str, replace: Any) -> str:
    """Apply `replace` to the lines of `text` outside fenced code blocks (which show shortcodes)."""
    out, fence = [], None
    for line in text.split("\n"):
        match = MARKDOWN_FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)
        elif (
            fence is not None
            and line.strip().startswith(fence[0] * len(fence))
            and not line.strip()[len(fence) :].strip()
        ):
            fence = None
        elif fence is None:
            line = replace(line)
        out.append(line)
    return "\n".join(out)


def _shortcode_argument(args: str, name: str, source: str) -> str:
    value = args.strip().strip("\"'")
    if not value:
        raise RenderError(f"{source}: the {{{{< {name} >}}}} shortcode needs an argument")
    return value


def expand_includes(text: str, folder: Path, source: str, depth: int = 0) -> str:
    """`{{< include file >}}` replaced by the file's text (relative to `folder`), recursively."""
    if depth > 10:
        raise RenderError(f"{source}: includes nest more than 10 deep (does a file include itself?)")

    def include(line: str) -> str:
        def one(match: re.Match[str]) -> str:
            if match.group("name") != "include":
                return match.group(0)
            name = _shortcode_argument(match.group("args"), "include", source)
            path = folder / name
            if not path.is_file():
                raise RenderError(f"{source}: {{{{< include {name} >}}}} names no file")
            included = path.read_text(encoding="utf-8")
            if included.startswith("---"):
                included = split_front_matter(included)[1]
            return expand_includes(included, path.parent, str(path.name), depth + 1)

        return SHORTCODE.sub(one, line)

    return _outside_fences(text, include)


def _meta_value(meta: Mapping[str, Any], dotted: str, source: str) -> str:
    value: Any = meta
    for part in dotted.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise RenderError(f"{source}: {{{{< meta {dotted} >}}}} names no front-matter key")
        value = value[part]
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


PAGEBREAK = (
    '\n\n```{=html}\n<div class="page-break" style="page-break-after: always;"></div>\n```\n\n'
    "```{=typst}\n#pagebreak(weak: true)\n```\n\n"
)


def expand_shortcodes(text: str, meta: Mapping[str, Any], source: str) -> str:
    """`{{< meta key >}}` and `{{< pagebreak >}}` in a markdown chunk; any other shortcode is an error
    (it would otherwise print as text). `{{{< … >}}}` shows a shortcode literally."""

    def one(match: re.Match[str]) -> str:
        name, args = match.group("name"), match.group("args")
        if name == "meta":
            return _meta_value(meta, _shortcode_argument(args, "meta", source), source)
        if name == "pagebreak":
            return PAGEBREAK
        raise RenderError(
            f"{source}: the shortcode {{{{< {name} >}}}} is not supported by the offline "
            "engine (supported: include, meta, pagebreak)"
        )

    def line_codes(line: str) -> str:
        line = SHORTCODE.sub(one, line)
        return ESCAPED_SHORTCODE.sub(lambda m: "{{<" + m.group("inner") + ">}}", line)

    return _outside_fences(text, line_codes)


# ── Options: front matter, project file, per-format overrides ────────────────────────────────
def project_options(folder: Path) -> dict[str, Any]:
    project = folder / "_quarto.yml"
    return (yaml.safe_load(project.read_text(encoding="utf-8")) or {}) if project.exists() else {}


def _format_section(meta: Mapping[str, Any], fmt: str) -> dict[str, Any]:
    formats = meta.get("format")
    if not isinstance(formats, Mapping):
        return {}
    merged: dict[str, Any] = {}
    for key in FORMAT_KEYS[fmt]:
        section = formats.get(key)
        if isinstance(section, Mapping):
            merged.update(section)
    return merged


def format_options(meta: Mapping[str, Any], project: Mapping[str, Any], fmt: str) -> dict[str, Any]:
    """The document's options for output `fmt`: project file, then front matter, each overridden
    by its `format: html:` / `format: pdf:` (or `typst:`) section, as Quarto merges them."""
    merged: dict[str, Any] = {}
    for source in (project, meta):
        merged.update({k: v for k, v in source.items() if k not in ("format", "project", "execute")})
        merged.update(_format_section(source, fmt))
    return merged


def execute_options(meta: Mapping[str, Any], project: Mapping[str, Any], fmt: str) -> dict[str, Any]:
    """Execution defaults (echo, warning, …) for `fmt`: Quarto's, then the project's and the
    document's `execute:`, then execution keys given in a format section."""
    merged = dict(EXECUTE_DEFAULTS)
    for source in (project, meta):
        merged.update(source.get("execute") or {})
        section = _format_section(source, fmt)
        merged.update(section.get("execute") or {})
        merged.update({k: v for k, v in source.items() if k in FIGURE_SIZE_OPTIONS})
        merged.update(
            {
                k: v
                for k, v in section.items()
                if k in EXECUTE_DEFAULTS or k in FIGURE_SIZE_OPTIONS or k.startswith("code-")
            }
        )
    return merged


# ── Executing ────────────────────────────────────────────────────────────────────────────────
def figure_size_source(chunks: list[Chunk], defaults: Mapping[str, Any], chunk: Chunk) -> str:
    """Code that gives matplotlib the cell's fig-width/fig-height (inches) and fig-dpi, as Quarto
    does before each cell: the cell's options, else the document's, else matplotlib's defaults.
    Empty when the document never sets them (nothing is imported then)."""
    if not any(key in defaults or key in c.options for key in FIGURE_SIZE_OPTIONS for c in chunks):
        return ""
    options = {key: chunk.options.get(key, defaults.get(key)) for key in FIGURE_SIZE_OPTIONS}
    for key, value in options.items():
        if value is not None and not isinstance(value, int | float):
            raise RenderError(f"{key}: {value!r} is not a number")
    width, height, dpi = (repr(v) if v is not None else "None" for v in options.values())
    return (
        "try:\n"
        "    import matplotlib as _qmd_mpl\n"
        "except ImportError:\n"
        "    pass\n"
        "else:\n"
        "    _qmd_size = list(_qmd_mpl.rcParamsDefault['figure.figsize'])\n"
        f"    _qmd_size = [{width} if {width} is not None else _qmd_size[0], "
        f"{height} if {height} is not None else _qmd_size[1]]\n"
        "    _qmd_mpl.rcParams['figure.figsize'] = _qmd_size\n"
        f"    _qmd_mpl.rcParams['figure.dpi'] = {dpi} if {dpi} is not None "
        "else _qmd_mpl.rcParamsDefault['figure.dpi']\n"
    )


def build_notebook(chunks: list[Chunk], defaults: Mapping[str, Any]) -> Any:
    """One notebook cell per python chunk, plus one before each markdown chunk with inline code."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for index, chunk in enumerate(chunks):
        if chunk.kind == "code":
            if chunk.options.get("eval", defaults.get("eval", True)) is False:
                continue  # shown (with echo) but never run, as in Quarto
            source = chunk.text
        else:
            expressions = [m.group("expr") for m in INLINE_CODE.finditer(chunk.text)]
            if not expressions:
                continue
            # evaluated at this point of the document, printed as one JSON line the renderer reads back
            values = ", ".join(f"str({expr})" for expr in expressions)
            source = f"print(__import__('json').dumps([{values}]))"
        if chunk.kind == "code" and (sizing := figure_size_source(chunks, defaults, chunk)):
            notebook.cells.append(nbformat.v4.new_code_cell(sizing))  # not shown: no "chunk"
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["chunk"] = index
        if chunk.options.get("label"):
            cell.metadata["label"] = str(chunk.options["label"])
        if chunk.kind == "code" and chunk.options.get("error", defaults.get("error", False)) is True:
            cell.metadata["tags"] = ["raises-exception"]  # `error: true`: the error is shown, not fatal
        notebook.cells.append(cell)
    return notebook


def execute_notebook(
    notebook: Any,
    workdir: Path,
    env: Mapping[str, str],
    kernel: str = "python3",
    startup_timeout: int = KERNEL_STARTUP_TIMEOUT,
) -> None:
    """Run every cell in one fresh kernel started in `workdir` with `env` added to its environment."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    client = NotebookClient(
        notebook,
        kernel_name=kernel,
        timeout=1800,
        startup_timeout=startup_timeout,
        resources={"metadata": {"path": str(workdir)}},
        shutdown_kernel=KERNEL_SHUTDOWN,
    )
    try:
        client.execute(env={**os.environ, **env})
    except CellExecutionError as error:
        failed = next(
            (
                cell
                for cell in notebook.cells
                if any(o.get("output_type") == "error" for o in cell.get("outputs", []))
                and "raises-exception" not in cell.metadata.get("tags", [])
            ),
            None,
        )
        where = ""
        if failed is not None:
            first_line = next((line for line in failed.source.splitlines() if not line.startswith("#|")), "")
            where = f" (cell {failed.metadata.get('label') or failed.metadata['chunk']}: {first_line[:60]!r})"
        raise RenderError(f"a cell failed{where}: {error.ename}: {error.evalue}") from error
    except (RuntimeError, TimeoutError) as error:
        # nbclient has already cleaned up; its exit hook would fail on the missing kernel manager
        atexit.unregister(client._cleanup_kernel)
        if not any(cell.get("execution_count") for cell in notebook.cells):
            raise RenderError(
                f"the Jupyter kernel {kernel!r} did not start within {startup_timeout} s ({error}); "
                "the engine talks to it over TCP on 127.0.0.1, so the likely cause is a loopback "
                "interface that is down (`ip link set lo up`) or a kernel that is not installed "
                "(`python -m ipykernel install --user`)"
            ) from error
        raise


# ── Executed notebook → pandoc markdown ──────────────────────────────────────────────────────
def _fence(text: str, info: str) -> str:
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=2)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{text.rstrip()}\n{ticks}"


def html_table_markdown(html: str) -> str:
    """An HTML table (a DataFrame's display) as a pandoc table, so both formats get a real table."""
    import pypandoc

    html = re.sub(r"<style\b.*?</style>", "", html, flags=re.DOTALL)
    return pypandoc.convert_text(
        html,
        "markdown-raw_html-native_divs-native_spans-fenced_divs-bracketed_spans-link_attributes",
        format="html",
    ).strip()


def _output_markdown(
    output: Mapping[str, Any], opts: Mapping[str, Any], media: Path, stem: str
) -> tuple[str, str] | None:
    """(kind, markdown) for one notebook output: kind is 'display', 'text', 'stderr' or 'error'."""
    kind = output["output_type"]
    if kind == "stream":
        if output["name"] == "stdout":
            if opts.get("output") == "asis":
                return "display", output["text"]
            return "text", _fence(output["text"], "text")
        if opts.get("warning") is False:
            return None
        return "stderr", f"::: {{.cell-output-stderr}}\n{_fence(output['text'], 'text')}\n:::"
    if kind == "error":
        traceback = ANSI.sub("", "\n".join(output.get("traceback", [])))
        text = traceback or f"{output['ename']}: {output['evalue']}"
        return "error", f"::: {{.cell-output-error}}\n{_fence(text, 'text')}\n:::"
    if kind not in ("display_data", "execute_result"):
        return None
    data = output["data"]
    mime = next(
        (m for m in NOTEBOOK_OUTPUT_PRIORITY if m in data and (m != "text/html" or "<table" in data[m])), None
    )
    if mime == "text/markdown":
        return "display", data[mime]
    if mime in ("image/svg+xml", "image/png"):
        media.mkdir(exist_ok=True)
        suffix = ".svg" if mime == "image/svg+xml" else ".png"
        target = media / f"{stem}{suffix}"
        if suffix == ".svg":
            target.write_text(data[mime], encoding="utf-8")
        else:
            target.write_bytes(base64.b64decode(data[mime]))
        return "display", f"![]({media.name}/{target.name})"
    if mime == "text/html":
        return "display", html_table_markdown(data[mime])
    if mime == "text/plain":
        text = data[mime]
        if opts.get("output") == "asis":
            return "display", text.strip("'\"")
        return "text", _fence(text, "text")
    return None


def _attribute(value: Any) -> str:
    return json.dumps(str(value), ensure_ascii=False)


def _layout_attributes(opts: Mapping[str, Any], prefix: str) -> str:
    attributes = [f"{key}={_attribute(opts[key])}" for key in ("layout-ncol", "layout-nrow") if key in opts]
    if prefix == "fig" and "fig-alt" in opts:
        attributes.append(f"fig-alt={_attribute(opts['fig-alt'])}")
    return (" " + " ".join(attributes)) if attributes else ""


def _caption(text: Any) -> str:
    return f"::: {{.qmd-caption}}\n{text}\n:::" if text not in (None, "", True) else ""


def _float(label: str, displays: list[str], others: list[str], opts: Mapping[str, Any], prefix: str) -> str:
    """A cell's figure or table: its outputs, sub-floats when it has sub-captions, then its caption."""
    subcaps = opts.get(f"{prefix}-subcap")
    boxed = [f"::: {{.cell-output-display}}\n{text}\n:::" for text in displays]
    if isinstance(subcaps, list) or (subcaps is True and len(displays) > 1):
        captions = subcaps if isinstance(subcaps, list) else [""] * len(displays)
        if len(captions) != len(displays):
            raise RenderError(
                f"cell {label}: {prefix}-subcap has {len(captions)} captions for {len(displays)} outputs"
            )
        boxed = [
            f"::: {{#{label}-{i}}}\n{text}\n\n{_caption(cap)}\n:::"
            for i, (text, cap) in enumerate(zip(displays, captions, strict=True), start=1)
        ]
    parts = [*others, *boxed, _caption(opts.get(f"{prefix}-cap", ""))]
    return (
        f"::: {{#{label}{_layout_attributes(opts, prefix)}}}\n\n"
        + "\n\n".join(p for p in parts if p)
        + "\n\n:::"
    )


def _echo(chunk: Chunk, opts: Mapping[str, Any]) -> str:
    info = "python"
    label = str(opts.get("lst-label") or "")
    if label:
        cap = f" lst-cap={_attribute(opts['lst-cap'])}" if "lst-cap" in opts else ""
        info = f"{{#{label} .python{cap}}}"
    code = _fence(chunk.text, info)
    fold = opts.get("code-fold", False)
    if fold in (True, "true", "show"):
        summary = _attribute(opts.get("code-summary", "Code"))
        code = f'::: {{.qmd-code-fold summary={summary} open="{str(fold == "show").lower()}"}}\n{code}\n:::'
    return code


def cell_markdown(chunk: Chunk, cell: Any, defaults: Mapping[str, Any], media: Path, index: int) -> str:
    """What a code cell contributes to the document, honouring Quarto's cell options."""
    opts = {**defaults, **chunk.options}
    if opts.get("include") is False:
        return ""
    parts = []
    if opts.get("echo") is True:
        parts.append(_echo(chunk, opts))
    displays, others = [], []
    if opts.get("output") is not False:
        label = str(opts.get("label", f"cell-{index}"))
        for number, output in enumerate(cell.get("outputs", [])):
            result = _output_markdown(output, opts, media, f"{label}-{number}")
            if result is not None:
                (displays if result[0] == "display" else others).append(result[1])
    label = str(opts.get("label", ""))
    prefix = label.split("-", 1)[0] if "-" in label else ""
    if prefix in ("fig", "tbl"):
        parts.append(_float(label, displays, others, opts, prefix))
    else:
        parts += others + displays
    return "\n\n".join(parts)


def _substitute_inline(text: str, values: list[str]) -> str:
    remaining = iter(values)
    return INLINE_CODE.sub(lambda _match: next(remaining), text)


def notebook_markdown(
    chunks: list[Chunk],
    notebook: Any,
    defaults: Mapping[str, Any],
    media: Path,
    meta: Mapping[str, Any],
) -> str:
    """The document body as pandoc markdown (for one format: `defaults` and `meta` are that format's),
    with cell outputs and inline values in place."""
    cells = {cell.metadata["chunk"]: cell for cell in notebook.cells if "chunk" in cell.metadata}
    parts = []
    for index, chunk in enumerate(chunks):
        if chunk.kind == "code":
            parts.append(cell_markdown(chunk, cells.get(index, {}), defaults, media, index))
            continue
        text = chunk.text
        if index in cells:
            printed = "".join(o.get("text", "") for o in cells[index].outputs if o["output_type"] == "stream")
            text = _substitute_inline(text, json.loads(printed.strip().splitlines()[-1]))
        parts.append(expand_shortcodes(text, meta, "document"))
    return "\n\n".join(parts) + "\n"


# ── Front matter ─────────────────────────────────────────────────────────────────────────────
def normalise_authors(authors: Any) -> list[dict[str, str]]:
    """Quarto's author forms (string, list, `affiliation`/`affiliations`) as [{name, affiliation}]."""
    if authors is None:
        return []
    result = []
    for author in authors if isinstance(authors, list) else [authors]:
        if not isinstance(author, dict):
            result.append({"name": str(author)})
            continue
        name = author.get("name", "")
        if isinstance(name, dict):
            name = " ".join(name.get(k, "") for k in ("given", "family")).strip()
        affiliations = author.get("affiliations", author.get("affiliation", []))
        affiliations = affiliations if isinstance(affiliations, list) else [affiliations]
        names = [a.get("name", "") if isinstance(a, dict) else str(a) for a in affiliations]
        entry = {"name": str(name)}
        if any(names):
            entry["affiliation"] = "; ".join(n for n in names if n)
        result.append(entry)
    return result


def today() -> dt.date:
    """Today for `date: today`: SOURCE_DATE_EPOCH when set (reproducible builds), else the UTC date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.datetime.now(tz=dt.UTC).date()


def document_date(meta: Mapping[str, Any]) -> dt.date | None:
    """The front matter's date as a date, or None when it has none (or not one we can read)."""
    value = meta.get("date")
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    if str(value).strip().lower() in ("today", "now", "last-modified"):
        return today()
    match = DATE_ISO.match(str(value))
    return dt.date(*map(int, match.groups())) if match else None


def pandoc_metadata(options: Mapping[str, Any]) -> dict[str, Any]:
    """The resolved options as pandoc reads them: authors normalised, dates as text, typst's date."""
    out = {key: value for key, value in options.items() if key not in ("format", "execute", "jupyter")}
    out["author"] = normalise_authors(options.get("author", options.get("authors")))
    out.pop("authors", None)
    date = document_date(options)
    if date is not None and (
        isinstance(options.get("date"), dt.date)
        or DATE_ISO.match(str(options["date"]))
        or str(options["date"]).strip().lower() in ("today", "now", "last-modified")
    ):
        out["date"] = date.isoformat()
    if date is not None:
        out["typst-date"] = f"datetime(year: {date.year}, month: {date.month}, day: {date.day})"
    out.setdefault("lang", "en")  # Quarto's default language
    out.setdefault("reference-section-title", "References")
    out.setdefault("link-citations", True)
    return out


# ── Files the document refers to ─────────────────────────────────────────────────────────────
def stage_resources(meta: Mapping[str, Any], workdir: Path, inputs: Mapping[str, Any]) -> None:
    """Put the bibliography/CSL where the front matter says, from the inputs when one has that file
    name (the declared input wins over a stale copy beside the document)."""
    by_name = {Path(p).name: Path(p) for p in _flatten(inputs.values())}
    for key in ("bibliography", "csl", "metadata-files"):
        values = meta.get(key)
        for value in values if isinstance(values, list) else [values] if values else []:
            source = by_name.get(Path(value).name)
            if source is not None:
                (workdir / value).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, workdir / value)
            elif not (workdir / value).exists():
                raise RenderError(f"{key} file {value!r} is neither beside the document nor an input")


def merged_metadata(meta: Mapping[str, Any], workdir: Path) -> dict[str, Any]:
    """The front matter with its `metadata-files` merged in, as Quarto does: each file (YAML, staged in
    `workdir`) adds the keys the document does not set itself; the document's own keys win."""
    merged: dict[str, Any] = {}
    files = meta.get("metadata-files") or []
    for name in files if isinstance(files, list) else [files]:
        loaded = yaml.safe_load((workdir / name).read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, Mapping):
            raise RenderError(f"metadata file {name!r} must hold a YAML mapping")
        merged.update(loaded)
    merged.update({k: v for k, v in meta.items() if k != "metadata-files"})
    return merged


def _flatten(values: Any) -> Iterator[str]:
    """Every path in `values`: one path (a str or Path) or a nested list/tuple of them. A lone path is
    not iterated: a str's items are its characters (that once kept one-path inputs out of the cell
    cache's key)."""
    if isinstance(values, str | os.PathLike):
        yield str(values)
        return
    for value in values:
        yield from _flatten(value)


def vega_bundle(cache: Path | None = None) -> str:
    """vl-convert's Vega/Vega-Lite/Vega-Embed bundle (0.9 MB). Building it takes seconds, and it
    depends on nothing but vl-convert's version, so `cache` (a folder) keeps it under that version."""
    stored = cache / f"vega-bundle-{version('vl-convert-python')}.js" if cache is not None else None
    if stored is not None and stored.is_file():
        return stored.read_text(encoding="utf-8")
    import vl_convert

    bundle = vl_convert.javascript_bundle()
    if stored is not None:
        stored.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=stored.parent, prefix=f".{stored.name}.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(bundle)
        os.replace(tmp, stored)  # atomic: a concurrent render reads the whole bundle or builds its own
    return bundle


def write_vega_header(workdir: Path, cache: Path | None = None, bundle_file: Path | None = None) -> Path:
    """The Vega/Vega-Lite/Vega-Embed bundle as a <script> for the HTML head: once per page. It is read
    from `bundle_file` (vega_bundle's text, written by the caller) when given, else built or cached."""
    text = Path(bundle_file).read_text(encoding="utf-8") if bundle_file else vega_bundle(cache)
    bundle = text.replace("</script", "<\\/script")
    header = workdir / VEGA_HEADER
    header.write_text(f'<script type="text/javascript">\n{bundle}\n</script>\n', encoding="utf-8")
    return header


# ── pandoc and typst ─────────────────────────────────────────────────────────────────────────
# pandoc's Haskell runtime collects its young generation every ~55 MB allocated (its built-in
# -H64m). Converting the report allocates 3.1 GB with at most 19 MB of it live, and 40 % of
# pandoc's time went to those 67 collections. A 256 MB allocation area cuts them to a dozen (pandoc
# to Typst 1.58 -> 1.37 s, to HTML 1.60 -> 1.42 s, alone; more when the two share the cores), at
# 400-430 MB of memory per pandoc instead of 180-190 MB: a render's processes peak at 0.86 GB
# together. Given as GHCRTS, so a GHCRTS of the user's own wins (and a pandoc built without runtime
# options ignores it).
PANDOC_RUNTIME = "-A256m"


def run_pandoc(source: Path, target: Path, to: str, options: list[str], workdir: Path) -> dict[str, str]:
    """Run pandoc with the Quarto filter; fail on its errors, unknown citations and other warnings.
    Returns the numbers the filter gave (label → number)."""
    import pypandoc

    command = [
        pypandoc.get_pandoc_path(),
        str(source.name),
        "-f",
        "markdown",
        "-t",
        to,
        "-s",
        "-o",
        str(target),
        "--lua-filter",
        str(FILTERS / "quarto.lua"),
        "--citeproc",
        *options,
    ]
    env = {"GHCRTS": PANDOC_RUNTIME, **os.environ}
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True, env=env)
    messages = result.stderr.splitlines()
    errors = list(
        dict.fromkeys(line[len("QMD-ERROR ") :] for line in messages if line.startswith("QMD-ERROR "))
    )
    if errors:
        raise RenderError("; ".join(errors))
    missing = sorted(set(re.findall(r"[Cc]itation (\S+) not found", result.stderr)))
    if missing:
        raise RenderError("unknown citation key(s): " + ", ".join("@" + key for key in missing))
    if result.returncode != 0:
        raise RenderError(f"pandoc ({to}) failed: {' '.join(result.stderr.split())}")
    warnings = [line for line in messages if line.startswith("[WARNING]")]
    if warnings:
        raise RenderError(f"pandoc ({to}) warned: {' | '.join(warnings)}")
    numbers = [line.split(" ", 2)[1:] for line in messages if line.startswith("QMD-NUMBER ")]
    return {label: number for label, number in numbers}


def font_paths() -> list[str]:
    """Folders of the fonts the PDF may use besides typst's own: Noto Sans (Latin, Greek, Cyrillic;
    chart text) and Noto Sans CJK (Japanese, Chinese, Korean, and Cyrillic again)."""
    import cvttf_NotoSansCJK_Regular
    import fontpkg_noto_sans

    return [
        str(Path(fontpkg_noto_sans.__file__).parent / "files"),
        str(Path(cvttf_NotoSansCJK_Regular.get_TTF_path()).parent),
    ]


# Scripts the PDF's fonts (typst's Libertinus Serif, New Computer Modern, DejaVu Sans Mono, plus
# Noto Sans and Noto Sans CJK) have no glyphs for; typst would draw empty boxes for them without a
# warning, so the engine checks first.
UNCOVERED_RANGES = (
    (0x0590, 0x05FF, "Hebrew"),
    (0x0600, 0x06FF, "Arabic"),
    (0x0900, 0x0DFF, "Indic"),
    (0x0E00, 0x0E7F, "Thai"),
    (0x1F000, 0x1FAFF, "emoji"),
    (0x20000, 0x3FFFF, "CJK extension"),
)


def uncovered_characters(text: str) -> list[str]:
    """Characters of `text` the PDF's fonts cannot draw, each as 'c (U+XXXX, script)'."""
    found = {}
    for char in set(text):
        code = ord(char)
        for low, high, script in UNCOVERED_RANGES:
            if low <= code <= high:
                found[char] = f"{char} (U+{code:04X}, {script})"
    return [found[char] for char in sorted(found)]


def typst_error_summary(error: Exception, root: Path | None = None) -> str:
    """Typst's message with where it happened (file:line:column and that source line), on one line.
    Typst names the file relative to the compiling process's folder (`error.cwd` when the typst
    server compiled, else this process's); with `root` it is named relative to the document's."""
    message = " ".join(str(getattr(error, "message", error)).split())
    diagnostic = str(getattr(error, "diagnostic", "") or "")
    where = re.search(r"┌─ (\S+)", diagnostic)
    source = re.search(r"^\s*\d+ │ (.*)$", diagnostic, flags=re.MULTILINE)
    if where:
        location = where.group(1)
        parts = location.rsplit(":", 2)
        if root is not None and len(parts) == 3:
            full, root = Path(getattr(error, "cwd", None) or os.getcwd(), parts[0]).resolve(), root.resolve()
            if full.is_relative_to(root):
                location = ":".join([full.relative_to(root).as_posix(), *parts[1:]])
        message += f" at {location}"
    if source:
        message += f": {source.group(1).strip()[:120]}"
    return message


# Vega writes chart text as the generic `sans-serif`, which typst's SVG reader cannot resolve to a
# bundled font (it falls back to the serif): name the sans-serif the PDF ships.
SVG_SANS = re.compile(r"(font-family\s*[=:]\s*[\"']?)([^\"';>]*?)\bsans-serif\b")


def sans_serif_svgs(folder: Path) -> None:
    """Point every SVG under `folder` that asks for `sans-serif` at Noto Sans first."""
    for svg in sorted(folder.rglob("*.svg")):
        text = svg.read_text(encoding="utf-8")
        fixed = SVG_SANS.sub(
            lambda m: (
                m.group(1) + m.group(2) + "Noto Sans, sans-serif"
                if "Noto Sans" not in m.group(2)
                else m.group(0)
            ),
            text,
        )
        if fixed != text:
            svg.write_text(fixed, encoding="utf-8")


def compile_typst(source: Path, pdf: Path, date: dt.date | None) -> None:
    """Typst → PDF with bundled fonts only; fail on an unknown font or a glyph no font has."""
    import typst

    sans_serif_svgs(source.parent)
    texts = [source.read_text(encoding="utf-8")]
    texts += [svg.read_text(encoding="utf-8") for svg in sorted(source.parent.rglob("*.svg"))]
    if missing := uncovered_characters("".join(texts)):
        raise RenderError(f"no glyph in the PDF fonts for: {', '.join(missing[:10])}")

    # no wall clock: the PDF's dates come from the front matter (or the epoch)
    stamp = int(dt.datetime(*(date or dt.date(1970, 1, 1)).timetuple()[:3], tzinfo=dt.UTC).timestamp())
    request = typst_server.compile_request(source, pdf, source.parent, font_paths(), stamp)
    messages = None
    if typst_server.enabled():
        # a server that compiled this document before redoes only what changed (typst_server.py)
        try:
            messages = typst_server.compile_pdf(request)
        except typst_server.CompileError as error:
            raise RenderError(f"typst failed: {typst_error_summary(error, source.parent)}") from None
        except typst_server.Unavailable:
            messages = None  # compiled here instead
    if messages is None:
        try:
            messages = typst_server.compile_here(request)
        except typst.TypstError as error:
            raise RenderError(f"typst failed: {typst_error_summary(error, source.parent)}") from error
    fatal = [message for message in messages if "font" in message or "glyph" in message]
    if fatal:
        raise RenderError(f"typst: {'; '.join(fatal)}")


def _pandoc_options(options: Mapping[str, Any]) -> list[str]:
    toc_depth = options.get("toc-depth", 3)
    return [*(["--toc"] if options.get("toc") else []), f"--toc-depth={toc_depth}"]


# How many executed notebooks a cell cache keeps (the newest): enough to switch back and forth
# between a few codings without re-executing, small enough not to grow without bound.
CACHE_ENTRIES = 8


def _file_stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """{relative path: (size, mtime in ns)} of every file under ``folder``."""
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in folder.rglob("*")
        if path.is_file()
    }


def cell_cache_key(notebook: Any, inputs: Mapping[str, Any], document: Path, env: Mapping[str, str]) -> str:
    """What the executed cells depend on: their code and options, the content of every input the
    document may read (and of every file beside it), the environment the kernel gets and the versions
    of Python and the engine. Prose is not part of it: a prose edit reuses the executed cells."""
    import hashlib
    import sys

    digest = hashlib.sha256()

    def feed(*parts: str | bytes) -> None:
        for part in parts:
            digest.update(part if isinstance(part, bytes) else part.encode("utf-8"))
            digest.update(b"\0")

    feed(sys.version, version("nbclient"), Path(__file__).read_bytes())
    for cell in notebook.cells:
        feed(cell.cell_type, cell.source, json.dumps(cell.metadata, sort_keys=True, default=str))
    document = Path(document).resolve()
    # the document itself enters through its cells only
    for name in sorted(inputs):
        for path in map(Path, _flatten(inputs[name])):
            if path.resolve() != document:
                # by name and file name (cells find figures by file name), not by folder: a copy of the
                # project keys as the original does
                feed(name, path.name, path.read_bytes() if path.is_file() else b"<missing>")
    folder = document.parent
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
        if path.resolve() != document:
            feed(str(path.relative_to(folder)), path.read_bytes())
    for key in sorted(env):
        if key != INPUTS_ENV:  # a scratch path, different every run; its content is hashed above
            feed(key, env[key])
    return digest.hexdigest()


PDF_FOLDER = ".typst"  # inside the scratch folder: the PDF's copy of it


@contextlib.contextmanager
def _timed(timings: dict[str, float] | None, phase: str) -> Iterator[None]:
    """Add the wall time of the block to `timings[phase]` (seconds), when timings are asked for."""
    start = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            timings[phase] = timings.get(phase, 0.0) + time.perf_counter() - start


# Tags and attributes through which a page loads a file (what pandoc's --embed-resources inlines).
_RESOURCE_ATTRIBUTES = {
    "img": ("src", "srcset"),
    "script": ("src",),
    "link": ("href",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "image": ("href", "xlink:href"),  # inside inline SVG
}
_CSS_URL = re.compile(r"url\(|@import", re.IGNORECASE)


def loaded_resources(page: str) -> list[str]:
    """What an HTML page would load besides itself: every resource attribute that is not a data URI
    or a fragment, and any CSS url() or @import. Script text is not markup, so it is not read."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Reader(HTMLParser):
        in_style = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.in_style = tag == "style"
            for name, value in attrs:
                if name == "style" and value and _CSS_URL.search(value):
                    found.append(f"<{tag} style>")
                target = (value or "").strip()
                if (
                    name in _RESOURCE_ATTRIBUTES.get(tag, ())
                    and target
                    and not target.startswith(("data:", "#"))
                ):
                    found.append(f"<{tag} {name}={target[:80]}>")

        def handle_endtag(self, tag: str) -> None:
            if tag == "style":
                self.in_style = False

        def handle_data(self, data: str) -> None:
            if self.in_style and _CSS_URL.search(data):
                found.append("<style> url()/@import")

    reader = Reader(convert_charrefs=True)
    reader.feed(page)
    reader.close()
    return found


def _html_step(
    markdown: Path,
    html: Path,
    options: Mapping[str, Any],
    charts: bool,
    timings: dict[str, float] | None = None,
) -> tuple[Path, dict]:
    def pandoc(embed: bool) -> dict[str, str]:
        return run_pandoc(
            markdown,
            html,
            "html5",
            [
                *_pandoc_options(options),
                "--template",
                str(FILTERS / "template.html"),
                *(["--embed-resources"] if embed else []),
                "--mathml",
                # the Vega libraries (0.9 MB) only on a page that draws a chart
                *(["--include-in-header", VEGA_HEADER] if charts else []),
            ],
            markdown.parent,
        )

    with _timed(timings, "pandoc to HTML"):
        # One self-contained file. --embed-resources re-reads the whole page (1 s for the report,
        # whose charts are inline scripts), so it runs only when the page loads a file.
        numbers = pandoc(embed=False)
        if loaded_resources(html.read_text(encoding="utf-8")):
            numbers = pandoc(embed=True)
    return html, numbers


def header_includes(options: Mapping[str, Any], folder: Path, source: str) -> list[str]:
    """pandoc's arguments for the format's `include-in-header`, read as Quarto reads it: a file name
    (relative to the document), `{file: name}`, `{text: ...}`, or a list of these. A text is written
    to a file in `folder` (the scratch copy of the document's folder), since pandoc includes files."""
    value = options.get("include-in-header")
    if value is None:
        return []
    arguments = []
    for n, item in enumerate(value if isinstance(value, list) else [value]):
        if isinstance(item, Mapping) and set(item) == {"text"} and isinstance(item["text"], str):
            name = f"_include-in-header-{n}.txt"
            (folder / name).write_text(item["text"], encoding="utf-8")
        elif isinstance(item, Mapping) and set(item) == {"file"} and isinstance(item["file"], str):
            name = item["file"]
        elif isinstance(item, str):
            name = item
        else:
            raise RenderError(
                f"{source}: include-in-header takes a file name, {{file: name}} or {{text: ...}}, "
                f"not {item!r}"
            )
        if not (folder / name).is_file():
            raise RenderError(f"{source}: include-in-header names {name}, which is not a file beside it")
        arguments += ["--include-in-header", name]
    return arguments


def _pdf_step(
    markdown: Path,
    options: Mapping[str, Any],
    timings: dict[str, float] | None = None,
    headers: Sequence[str] = (),
) -> tuple[Path, dict]:
    stem = markdown.name.removesuffix(".pdf.md")
    typ, pdf = markdown.with_name(f"{stem}.typ"), markdown.with_name(f"{stem}.pdf")
    with _timed(timings, "pandoc to Typst"):
        numbers = run_pandoc(
            markdown,
            typ,
            "typst",
            [*_pandoc_options(options), "--template", str(FILTERS / "template.typ"), *headers],
            markdown.parent,
        )
    with _timed(timings, "typst"):
        compile_typst(typ, pdf, document_date(options))
    return pdf, numbers


def render_offline(
    qmd: Path,
    workdir: Path,
    meta: Mapping[str, Any],
    env: Mapping[str, str],
    formats: tuple[str, ...] = FORMATS,
    cache: tuple[Path, str] | None = None,
    bundle_file: Path | None = None,
    timings: dict[str, float] | None = None,
) -> dict[str, Path]:
    """The offline engine in `workdir` (a copy of the document's folder): returns {format: file}.

    `cache` (folder, key) reuses the executed notebook stored under `key` instead of running the
    cells, and stores it after a run; the key must change whenever anything the cells read does
    (cell_cache_key). `timings`, when given, receives each phase's wall time in seconds."""
    body = expand_includes(split_front_matter(qmd.read_text(encoding="utf-8"))[1], qmd.parent, qmd.name)
    chunks = split_chunks(body)
    project = project_options(workdir)
    # execution is shared by the formats; `eval` and `error` cannot differ between them
    notebook = build_notebook(chunks, execute_options(meta, project, formats[0]))
    import nbformat

    entry = cache[0] / cache[1] if cache else None
    if entry is not None and (entry / "notebook.ipynb").is_file():
        notebook = nbformat.read(entry / "notebook.ipynb", as_version=4)
        # the files the cells wrote beside the document (figures they staged, say) come back too
        if (entry / "files").is_dir():
            shutil.copytree(entry / "files", workdir, dirs_exist_ok=True)
    elif notebook.cells:  # a document without code needs no kernel
        before = _file_stamps(workdir)
        with _timed(timings, "cells"):
            execute_notebook(notebook, workdir, env)
        if entry is not None:
            partial = entry.with_name(entry.name + ".partial")
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir(parents=True)
            nbformat.write(notebook, partial / "notebook.ipynb")
            for relative, stamp in _file_stamps(workdir).items():
                if before.get(relative) != stamp:
                    (partial / "files" / relative).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(workdir / relative, partial / "files" / relative)
            shutil.rmtree(entry, ignore_errors=True)
            os.replace(partial, entry)  # atomic: an interrupted write leaves no half entry
            entries = [p for p in entry.parent.iterdir() if p.is_dir() and not p.name.endswith(".partial")]
            for old in sorted(entries, key=lambda p: p.stat().st_mtime)[:-CACHE_ENTRIES]:
                shutil.rmtree(old, ignore_errors=True)

    nbformat.write(notebook, workdir / f"{qmd.stem}.ipynb")
    # The markdown of each format first (the cells' media are written once, here), then HTML and PDF
    # at the same time: they are separate pandoc (and typst) processes that never wait on each other.
    steps = {}
    for fmt in formats:
        options = format_options(meta, project, fmt)
        media = workdir / f"{qmd.stem}_files"
        markdown = workdir / f"{qmd.stem}.{fmt}.md"
        text = notebook_markdown(chunks, notebook, execute_options(meta, project, fmt), media, options)
        markdown.write_text(
            "---\n"
            + yaml.safe_dump(pandoc_metadata(options), allow_unicode=True, sort_keys=True)
            + "---\n\n"
            + text,
            encoding="utf-8",
        )
        if fmt == "html":
            charts = "vegaEmbed(" in text
            if charts:
                write_vega_header(workdir, cache[0] if cache else None, bundle_file)
            html = workdir / f"{qmd.stem}.html"
            steps[fmt] = functools.partial(_html_step, markdown, html, options, charts, timings)
        else:
            # the PDF's own copy of the folder: compile_typst rewrites SVG fonts, which the HTML
            # (reading the same files at the same time) must not see
            folder = workdir / PDF_FOLDER
            shutil.copytree(workdir, folder, ignore=shutil.ignore_patterns(PDF_FOLDER, VEGA_HEADER))
            # the PDF's header includes (typst show rules, say); the HTML's are not read: the engine
            # adds the one header a page needs, the Vega libraries, itself when it draws a chart
            headers = header_includes(options, folder, qmd.name)
            steps[fmt] = functools.partial(_pdf_step, folder / markdown.name, options, timings, headers)
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(steps)) as pool:
        running = {fmt: pool.submit(step) for fmt, step in steps.items()}
        done = {fmt: future.result() for fmt, future in running.items()}
    outputs = {fmt: path for fmt, (path, _) in done.items()}
    if "pdf" in outputs:  # the Typst source beside the rest, where a kept scratch folder shows it
        shutil.copyfile(outputs["pdf"].with_suffix(".typ"), workdir / f"{qmd.stem}.typ")
    numbers = {fmt: numbered for fmt, (_, numbered) in done.items()}
    if len(numbers) == 2 and numbers["html"] != numbers["pdf"]:
        differ = sorted(
            k
            for k in set(numbers["html"]) | set(numbers["pdf"])
            if numbers["html"].get(k) != numbers["pdf"].get(k)
        )
        raise RenderError(
            f"HTML and PDF number these differently: {', '.join(differ)} (content shown in one format only?)"
        )
    return outputs


def render_quarto(
    qmd: Path,
    workdir: Path,
    env: Mapping[str, str],
    formats: tuple[str, ...] = FORMATS,
    extra: Sequence[str] = (),
) -> dict[str, Path]:
    """Quarto renders the same sources in `workdir` (`extra`: more arguments to `quarto render`):
    returns {format: file}."""
    outputs = {}
    for fmt in formats:
        to = "html" if fmt == "html" else "typst"
        result = subprocess.run(
            ["quarto", "render", qmd.name, "--to", to, *extra],
            cwd=workdir,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RenderError(f"quarto render --to {to} failed: {' '.join(result.stderr.split()[-40:])}")
        missing = sorted(set(re.findall(r"[Cc]itation (\S+) not found", result.stderr)))
        if missing:
            raise RenderError(
                "unresolved reference(s) or unknown citation key(s): "
                + ", ".join("@" + key for key in missing)
            )
        outputs[fmt] = workdir / f"{qmd.stem}.{'html' if fmt == 'html' else 'pdf'}"
    if "html" in outputs:
        unresolved = sorted(
            set(re.findall(r"\?@([a-z]+-[\w-]+)", outputs["html"].read_text(encoding="utf-8")))
        )
        if unresolved:
            raise RenderError("unresolved cross-reference(s): " + ", ".join("@" + k for k in unresolved))
    return outputs


def _stage_atomic(source: Path, target: Path) -> Path:
    """A copy of `source` beside `target` under a temporary name (readable by all), to move in place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    try:
        shutil.copyfile(source, tmp)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the document from other readers
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (how Snakemake and schedulers stop a job) unwinds like Ctrl-C, so cleanup runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def render(
    qmd: Path,
    targets: Mapping[str, Path],
    inputs: Mapping[str, Any] | None = None,
    engine: str = "auto",
    keep_scratch: bool = False,
    cache_dir: Path | None = None,
    vega_bundle_file: Path | None = None,
    timings: dict[str, float] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> str:
    """Render `qmd` to the formats `targets` names ({"html": file, "pdf": file}, either or both).

    `inputs` maps names to files the document may read (a path or a list of paths); the kernel
    finds them through REPORT_INPUTS. Work happens in a hidden scratch folder beside the first
    target, removed afterwards whatever happens (`keep_scratch` keeps it, for debugging). A target
    is replaced only when every format has rendered, by an atomic rename: a failed or interrupted
    render leaves the previous files as they were. `cache_dir` keeps executed notebooks keyed by
    everything the cells read (cell_cache_key), so a prose-only edit runs no cell (offline engine).
    `vega_bundle_file` holds vega_bundle's text, made beforehand (building it takes seconds); without
    it the bundle is built, or read from `cache_dir`. `timings`, when given, receives the wall time
    in seconds of each phase the offline engine ran (cells, each pandoc, typst): where a slow render
    spends its time. `metadata` sets document metadata from outside, over the document's own keys,
    as Quarto's `-M` and `--metadata-file` do, for the prose's `{{< meta key >}}` and pandoc's
    templates. The offline engine gives it no cell (nothing staged for the kernel, nothing
    in its environment), so it is not part of the cell cache's key: a change to it re-runs pandoc and
    typst, no cell. Keys that would change how cells run (execute options) are refused. Returns the
    engine description.
    """
    qmd = Path(qmd).resolve()
    targets = {fmt: Path(path) for fmt, path in targets.items()}
    formats = tuple(fmt for fmt in FORMATS if fmt in targets)
    if not formats or set(targets) - set(FORMATS):
        raise RenderError(
            f"targets must name some of {', '.join(FORMATS)}; got {', '.join(targets) or 'none'}"
        )
    if not qmd.is_file():
        raise RenderError(f"{qmd}: no such document")
    metadata = dict(metadata or {})
    steering = sorted(k for k in metadata if k in CELL_STEERING_KEYS)
    if steering:
        raise RenderError(
            f"metadata {', '.join(steering)} would change how cells run: set it in the document, "
            "where the cell cache sees it"
        )
    chosen = choose_engine(engine)
    description = engine_description(chosen)
    meta = split_front_matter(qmd.read_text(encoding="utf-8"))[0]
    inputs = dict(inputs or {})
    scratch_parent = targets[formats[0]].resolve().parent
    scratch_parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=scratch_parent))
    staged: list[Path] = []
    try:
        with _terminate_as_interrupt():
            shutil.copytree(
                qmd.parent,
                workdir,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns(".*", "_freeze", "*_files", "__pycache__"),
            )
            stage_resources(meta, workdir, inputs)
            if chosen != "quarto":  # Quarto merges metadata-files itself
                meta = merged_metadata(meta, workdir)
            if chosen == "quarto":  # a project may include the bundle in its HTML head (the report does)
                write_vega_header(workdir, bundle_file=vega_bundle_file)
            inputs_file = workdir / INPUTS_FILE
            absolute = {
                name: (
                    [str(Path(p).resolve()) for p in value]
                    if isinstance(value, list | tuple)
                    else str(Path(value).resolve())
                )
                for name, value in inputs.items()
            }
            inputs_file.write_text(json.dumps(absolute, indent=2, sort_keys=True), encoding="utf-8")
            # a fixed hash seed: set and dict-of-set iteration in cells cannot vary per run
            env = {ENGINE_ENV: description, INPUTS_ENV: str(inputs_file), "PYTHONHASHSEED": "0"}
            if chosen == "quarto":
                extra = []
                if metadata:  # Quarto merges it over the document's own keys
                    (workdir / METADATA_FILE).write_text(
                        yaml.safe_dump(metadata, allow_unicode=True, sort_keys=True), encoding="utf-8"
                    )
                    extra = ["--metadata-file", METADATA_FILE]
                produced = render_quarto(qmd, workdir, env, formats, extra)
            else:
                notebook = build_notebook(
                    split_chunks(
                        expand_includes(
                            split_front_matter(qmd.read_text(encoding="utf-8"))[1], qmd.parent, qmd.name
                        )
                    ),
                    execute_options(meta, project_options(workdir), formats[0]),
                )
                cache = (Path(cache_dir), cell_cache_key(notebook, absolute, qmd, env)) if cache_dir else None
                produced = render_offline(
                    workdir / qmd.name,
                    workdir,
                    {**meta, **metadata},  # after the notebook and its key are made: no cell sees it
                    env,
                    formats,
                    cache,
                    vega_bundle_file,
                    timings,
                )
            staged = [_stage_atomic(produced[fmt], targets[fmt]) for fmt in formats]
            for tmp, fmt in zip(staged, formats, strict=True):
                os.replace(tmp, targets[fmt])
            staged = []
    except RenderError as error:
        kept = f" (scratch kept at {workdir})" if keep_scratch else ""
        raise RenderError(f"{qmd.name}: {error}{kept}") from error
    except Exception as error:
        raise RenderError(f"{qmd.name}: {type(error).__name__}: {error}") from error
    finally:
        for tmp in staged:
            tmp.unlink(missing_ok=True)
        if not keep_scratch:
            shutil.rmtree(workdir, ignore_errors=True)
    return description
