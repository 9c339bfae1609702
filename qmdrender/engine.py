"""Render the Quarto report: with Quarto when it is installed, else offline (nbclient + pandoc + typst)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import yaml

FILTERS = Path(__file__).with_name("render_filters")
ENGINES = ("auto", "quarto", "offline")
# The kernel learns which engine renders it and which files it may read from these variables.
ENGINE_ENV = "REPORT_ENGINE"
INPUTS_ENV = "REPORT_INPUTS"
VEGA_HEADER = "_vega-bundle.html"
INPUTS_FILE = "_report-inputs.json"
NOTEBOOK_OUTPUT_PRIORITY = ("text/markdown", "image/svg+xml", "image/png", "text/plain")
CODE_FENCE = re.compile(r"^(?P<fence>`{3,})\s*\{python(?P<opts>[^}]*)\}\s*$")
INLINE_CODE = re.compile(r"`\{python\}\s+(?P<expr>[^`]+?)\s*`")
CELL_OPTION = re.compile(r"^#\|\s?(?P<option>.*)$")
DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


class RenderError(RuntimeError):
    """A report that cannot be rendered; the message is one line saying why."""


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
    """A one-line statement of the engine and its versions, for the report's colophon."""
    if engine == "quarto":
        quarto_version = subprocess.run(["quarto", "--version"], capture_output=True, text=True,
                                        check=True).stdout.strip()
        return f"Quarto {quarto_version}"
    import pypandoc

    return (f"offline engine (nbclient {version('nbclient')}, pandoc {pypandoc.get_pandoc_version()}, "
            f"typst {version('typst')})")


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
    return meta, text[match.end():]


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


# ── Executing ────────────────────────────────────────────────────────────────────────────────
def build_notebook(chunks: list[Chunk]) -> Any:
    """One notebook cell per python chunk, plus one before each markdown chunk with inline code."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for index, chunk in enumerate(chunks):
        if chunk.kind == "code":
            if chunk.options.get("eval", True) is False:
                continue  # shown (with echo) but never run, as in Quarto
            source = chunk.text
        else:
            expressions = [m.group("expr") for m in INLINE_CODE.finditer(chunk.text)]
            if not expressions:
                continue
            # evaluated at this point of the document, printed as one JSON line the renderer reads back
            values = ", ".join(f"str({expr})" for expr in expressions)
            source = f"print(__import__('json').dumps([{values}]))"
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["chunk"] = index
        if chunk.options.get("label"):
            cell.metadata["label"] = str(chunk.options["label"])
        notebook.cells.append(cell)
    return notebook


def execute_notebook(notebook: Any, workdir: Path, env: Mapping[str, str]) -> None:
    """Run every cell in one fresh kernel started in `workdir` with `env` added to its environment."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    client = NotebookClient(notebook, kernel_name="python3", timeout=1800,
                            resources={"metadata": {"path": str(workdir)}})
    try:
        client.execute(env={**os.environ, **env})
    except CellExecutionError as error:
        failed = next((cell for cell in notebook.cells
                       if any(o.get("output_type") == "error" for o in cell.get("outputs", []))), None)
        where = ""
        if failed is not None:
            first_line = next((line for line in failed.source.splitlines() if not line.startswith("#|")), "")
            where = f" (cell {failed.metadata.get('label') or failed.metadata['chunk']}: {first_line[:60]!r})"
        raise RenderError(f"a report cell failed{where}: {error.ename}: {error.evalue}") from error


# ── Executed notebook → pandoc markdown ──────────────────────────────────────────────────────
def _fence(text: str, info: str) -> str:
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=2)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{text.rstrip()}\n{ticks}"


def _output_markdown(output: Mapping[str, Any], media: Path, stem: str) -> str | None:
    if output["output_type"] == "stream":
        return _fence(output["text"], "text") if output["name"] == "stdout" else None
    if output["output_type"] not in ("display_data", "execute_result"):
        return None
    data = output["data"]
    mime = next((m for m in NOTEBOOK_OUTPUT_PRIORITY if m in data), None)
    if mime == "text/markdown":
        return data[mime]
    if mime in ("image/svg+xml", "image/png"):
        import base64

        media.mkdir(exist_ok=True)
        suffix = ".svg" if mime == "image/svg+xml" else ".png"
        target = media / f"{stem}{suffix}"
        if suffix == ".svg":
            target.write_text(data[mime], encoding="utf-8")
        else:
            target.write_bytes(base64.b64decode(data[mime]))
        return f"![]({media.name}/{target.name})"
    if mime == "text/plain":
        return _fence(data[mime], "text")
    return None


def _attribute(value: Any) -> str:
    return json.dumps(str(value), ensure_ascii=False)


def cell_markdown(chunk: Chunk, cell: Any, default_echo: bool, media: Path, index: int) -> str:
    """What a code cell contributes to the document, honouring echo/output/include/label/captions."""
    opts = chunk.options
    if opts.get("include", True) is False:
        return ""
    parts = []
    if opts.get("echo", default_echo) is True:
        parts.append(_fence(chunk.text, "python"))
    if opts.get("output", True) is not False:
        label = str(opts.get("label", f"cell-{index}"))
        for number, output in enumerate(cell.get("outputs", [])):
            if (text := _output_markdown(output, media, f"{label}-{number}")) is not None:
                parts.append(text)
    label = str(opts.get("label", ""))
    if label.startswith("fig-"):
        alt = f' fig-alt={_attribute(opts["fig-alt"])}' if "fig-alt" in opts else ""
        parts = [f"::: {{#{label}{alt}}}", *parts, str(opts.get("fig-cap", "")), ":::"]
    elif label.startswith("tbl-"):
        parts = [f"::: {{#{label}}}", *parts, str(opts.get("tbl-cap", "")), ":::"]
    return "\n\n".join(parts)


def _substitute_inline(text: str, values: list[str]) -> str:
    remaining = iter(values)
    return INLINE_CODE.sub(lambda _match: next(remaining), text)


def notebook_markdown(chunks: list[Chunk], notebook: Any, default_echo: bool, media: Path) -> str:
    """The document body as pandoc markdown, with cell outputs and inline values in place."""
    cells = {cell.metadata["chunk"]: cell for cell in notebook.cells}
    parts = []
    for index, chunk in enumerate(chunks):
        if chunk.kind == "code":
            parts.append(cell_markdown(chunk, cells.get(index, {}), default_echo, media, index))
        elif index in cells:
            printed = "".join(o.get("text", "") for o in cells[index].outputs if o["output_type"] == "stream")
            parts.append(_substitute_inline(chunk.text, json.loads(printed.strip().splitlines()[-1])))
        else:
            parts.append(chunk.text)
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


def document_date(meta: Mapping[str, Any]) -> dt.date | None:
    """The front matter's date as a date (for the PDF's metadata), or None when it has none."""
    value = meta.get("date")
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    if str(value).strip().lower() in ("today", "now", "last-modified"):
        raise RenderError(f"date: {value} would make the report depend on the clock; give a fixed date")
    match = DATE_ISO.match(str(value))
    return dt.date(*map(int, match.groups())) if match else None


def pandoc_metadata(meta: Mapping[str, Any]) -> dict[str, Any]:
    """The front matter as pandoc reads it: authors normalised, dates as text, typst's date literal."""
    out = {key: value for key, value in meta.items() if key not in ("format", "execute", "jupyter")}
    out["author"] = normalise_authors(meta.get("author", meta.get("authors")))
    out.pop("authors", None)
    if isinstance(out.get("date"), dt.date):
        out["date"] = out["date"].isoformat()
    if (date := document_date(meta)) is not None:
        out["typst-date"] = f"datetime(year: {date.year}, month: {date.month}, day: {date.day})"
    out.setdefault("reference-section-title", "References")
    out.setdefault("link-citations", True)
    return out


# ── Files the document refers to ─────────────────────────────────────────────────────────────
def stage_resources(meta: Mapping[str, Any], workdir: Path, inputs: Mapping[str, Any]) -> None:
    """Put the bibliography/CSL where the front matter says, from the rule's inputs when one has
    that file name (the declared input wins over a stale copy beside the report)."""
    by_name = {Path(p).name: Path(p) for p in _flatten(inputs.values())}
    for key in ("bibliography", "csl"):
        values = meta.get(key)
        for value in values if isinstance(values, list) else [values] if values else []:
            source = by_name.get(Path(value).name)
            if source is not None:
                (workdir / value).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, workdir / value)
            elif not (workdir / value).exists():
                raise RenderError(f"{key} file {value!r} is neither beside the report nor an input")


def _flatten(values: Any) -> Iterator[str]:
    for value in values:
        if isinstance(value, list | tuple):
            yield from _flatten(value)
        else:
            yield str(value)


def write_vega_header(workdir: Path) -> Path:
    """The Vega/Vega-Lite/Vega-Embed bundle as a <script> for the HTML head: once per page."""
    import vl_convert

    bundle = vl_convert.javascript_bundle().replace("</script", "<\\/script")
    header = workdir / VEGA_HEADER
    header.write_text(f'<script type="text/javascript">\n{bundle}\n</script>\n', encoding="utf-8")
    return header


# ── pandoc and typst ─────────────────────────────────────────────────────────────────────────
def run_pandoc(source: Path, target: Path, to: str, options: list[str], workdir: Path) -> None:
    """Run pandoc; fail on unresolved cross-references, unknown citations and other warnings."""
    import pypandoc

    command = [pypandoc.get_pandoc_path(), str(source.name), "-f", "markdown", "-t", to, "-s",
               "-o", str(target), "--lua-filter", str(FILTERS / "crossref.lua"), "--citeproc", *options]
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True)
    messages = result.stderr.splitlines()
    unresolved = sorted({line.split()[1] for line in messages if line.startswith("UNRESOLVED-CROSSREF")})
    if unresolved:
        raise RenderError("unresolved cross-reference(s): " + ", ".join("@" + key for key in unresolved))
    missing = sorted(set(re.findall(r"[Cc]itation (\S+) not found", result.stderr)))
    if missing:
        raise RenderError("unknown citation key(s): " + ", ".join("@" + key for key in missing))
    if result.returncode != 0:
        raise RenderError(f"pandoc ({to}) failed: {' '.join(result.stderr.split())}")
    warnings = [line for line in messages if line.startswith("[WARNING]")]
    if warnings:
        raise RenderError(f"pandoc ({to}) warned: {' | '.join(warnings)}")


# Scripts typst's bundled fonts (Libertinus Serif, New Computer Modern, DejaVu Sans Mono) have no
# glyphs for; typst draws empty boxes for them without a warning, so the renderer checks first.
UNCOVERED_RANGES = ((0x0600, 0x06FF, "Arabic"), (0x0E00, 0x0E7F, "Thai"), (0x1100, 0x11FF, "Hangul"),
                    (0x2E80, 0x9FFF, "CJK"), (0xA960, 0xA97F, "Hangul"), (0xAC00, 0xD7FF, "Hangul"),
                    (0xF900, 0xFAFF, "CJK"), (0xFE30, 0xFE4F, "CJK"), (0xFF00, 0xFFEF, "CJK"),
                    (0x1F000, 0x1FAFF, "emoji"), (0x20000, 0x3FFFF, "CJK"))


def uncovered_characters(text: str) -> list[str]:
    """Characters of `text` the PDF's fonts cannot draw, each as 'c (U+XXXX, script)'."""
    found = {}
    for char in text:
        code = ord(char)
        for low, high, script in UNCOVERED_RANGES:
            if low <= code <= high:
                found[char] = f"{char} (U+{code:04X}, {script})"
    return [found[char] for char in sorted(found)]


def typst_error_summary(error: Exception) -> str:
    """Typst's message with where it happened (file:line:column and that source line), on one line."""
    message = " ".join(str(getattr(error, "message", error)).split())
    diagnostic = str(getattr(error, "diagnostic", "") or "")
    where = re.search(r"┌─ (\S+)", diagnostic)
    source = re.search(r"^\s*\d+ │ (.*)$", diagnostic, flags=re.MULTILINE)
    if where:
        message += f" at {where.group(1)}"
    if source:
        message += f": {source.group(1).strip()[:120]}"
    return message


def compile_typst(source: Path, pdf: Path, date: dt.date | None) -> None:
    """Typst → PDF with bundled fonts only; fail on an unknown font or a glyph no font has."""
    import typst

    texts = [source.read_text(encoding="utf-8")]
    texts += [svg.read_text(encoding="utf-8") for svg in sorted(source.parent.rglob("*.svg"))]
    if missing := uncovered_characters("".join(texts)):
        raise RenderError(f"no glyph in the PDF fonts for: {', '.join(missing[:10])}")

    # no wall clock: the PDF's dates come from the front matter (or the epoch)
    stamp = int(dt.datetime(*(date or dt.date(1970, 1, 1)).timetuple()[:3], tzinfo=dt.UTC).timestamp())
    try:
        _, warnings = typst.compile_with_warnings(str(source), output=str(pdf), root=str(source.parent),
                                                  ignore_system_fonts=True, timestamp=stamp)
    except typst.TypstError as error:
        raise RenderError(f"typst failed: {typst_error_summary(error)}") from error
    fatal = [w.message for w in warnings if "font" in w.message or "glyph" in w.message]
    if fatal:
        raise RenderError(f"typst: {'; '.join(fatal)}")


def render_offline(qmd: Path, workdir: Path, meta: Mapping[str, Any],
                   env: Mapping[str, str]) -> tuple[Path, Path]:
    """The offline engine in `workdir` (a copy of the report's sources): returns (html, pdf)."""
    chunks = split_chunks(split_front_matter(qmd.read_text(encoding="utf-8"))[1])
    notebook = build_notebook(chunks)
    execute_notebook(notebook, workdir, env)
    import nbformat

    nbformat.write(notebook, workdir / f"{qmd.stem}.ipynb")
    project = _project_options(workdir)
    execute_options = {**project.get("execute", {}), **(meta.get("execute") or {})}
    body = notebook_markdown(chunks, notebook, bool(execute_options.get("echo", False)),
                             workdir / f"{qmd.stem}_files")
    metadata = pandoc_metadata(meta)
    markdown = workdir / f"{qmd.stem}.md"
    markdown.write_text("---\n" + yaml.safe_dump(metadata, allow_unicode=True, sort_keys=True)
                        + "---\n\n" + body, encoding="utf-8")
    common = ["--toc" if meta.get("toc") else "--toc-depth=3",
              *(["--number-sections"] if meta.get("number-sections") else [])]
    html, typ, pdf = (workdir / f"{qmd.stem}.{ext}" for ext in ("html", "typ", "pdf"))
    run_pandoc(markdown, html, "html5", [*common, "--template", str(FILTERS / "template.html"),
                                         "--embed-resources", "--mathml",
                                         "--include-in-header", VEGA_HEADER], workdir)
    run_pandoc(markdown, typ, "typst", [*common, "--template", str(FILTERS / "template.typ")], workdir)
    compile_typst(typ, pdf, document_date(meta))
    return html, pdf


def _project_options(workdir: Path) -> dict[str, Any]:
    project = workdir / "_quarto.yml"
    return (yaml.safe_load(project.read_text(encoding="utf-8")) or {}) if project.exists() else {}


def render_quarto(qmd: Path, workdir: Path, env: Mapping[str, str]) -> tuple[Path, Path]:
    """Quarto renders the same sources in `workdir` (formats from _quarto.yml): returns (html, pdf)."""
    for to in ("html", "typst"):
        result = subprocess.run(["quarto", "render", qmd.name, "--to", to], cwd=workdir,
                                env={**os.environ, **env}, capture_output=True, text=True)
        if result.returncode != 0:
            raise RenderError(f"quarto render --to {to} failed: {' '.join(result.stderr.split()[-40:])}")
        missing = sorted(set(re.findall(r"[Cc]itation (\S+) not found", result.stderr)))
        if missing:
            raise RenderError("unknown citation key(s): " + ", ".join("@" + key for key in missing))
    unresolved = sorted(set(re.findall(r"\?@((?:fig|tbl|sec)-[\w-]+)", (workdir / f"{qmd.stem}.html")
                                       .read_text(encoding="utf-8"))))
    if unresolved:
        raise RenderError("unresolved cross-reference(s): " + ", ".join("@" + key for key in unresolved))
    return workdir / f"{qmd.stem}.html", workdir / f"{qmd.stem}.pdf"


def _move_atomic(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    try:
        shutil.copyfile(source, tmp)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the report from other readers
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render(qmd: Path, html_out: Path, pdf_out: Path, inputs: Mapping[str, Any], engine: str = "auto",
           scratch_parent: Path | None = None) -> str:
    """Render `qmd` (and its directory's sources) to one self-contained HTML and a PDF.

    `inputs` maps names to the files the report may read (a path or a list of paths); the kernel
    finds them through REPORT_INPUTS. Work happens in a scratch directory (under `scratch_parent`,
    default the system's temporary directory), removed on success and kept (its path in the
    error) on failure. Returns the engine description the report states.
    """
    qmd = Path(qmd).resolve()
    chosen = choose_engine(engine)
    description = engine_description(chosen)
    meta = split_front_matter(qmd.read_text(encoding="utf-8"))[0]
    workdir = Path(tempfile.mkdtemp(prefix="render-report-", dir=scratch_parent))
    try:
        shutil.copytree(qmd.parent, workdir, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".*", "_freeze", "*_files", "__pycache__"))
        stage_resources(meta, workdir, inputs)
        write_vega_header(workdir)
        inputs_file = workdir / INPUTS_FILE
        absolute = {name: ([str(Path(p).resolve()) for p in value] if isinstance(value, list | tuple)
                           else str(Path(value).resolve())) for name, value in inputs.items()}
        inputs_file.write_text(json.dumps(absolute, indent=2, sort_keys=True), encoding="utf-8")
        # a fixed hash seed: set and dict-of-set iteration in the report's cells cannot vary per run
        env = {ENGINE_ENV: description, INPUTS_ENV: str(inputs_file), "PYTHONHASHSEED": "0"}
        if chosen == "quarto":
            html, pdf = render_quarto(qmd, workdir, env)
        else:
            html, pdf = render_offline(workdir / qmd.name, workdir, meta, env)
        _move_atomic(html, Path(html_out))
        _move_atomic(pdf, Path(pdf_out))
    except RenderError as error:
        raise RenderError(f"{error} (scratch kept at {workdir})") from error
    except Exception as error:
        raise RenderError(f"{type(error).__name__}: {error} (scratch kept at {workdir})") from error
    shutil.rmtree(workdir)
    return description
