"""qmdrender: conformance fixtures (one per Quarto feature) in HTML and PDF, one numbering for both
formats, and the engine's promises (no network, text stays text, the last good output survives,
no scratch left behind, a clear message when the kernel cannot start, one format at a time)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil
import pytest
import yaml
from rendered_text import NUMBERED, numbers, pdf_text, tidy, visible_html

from qmdrender import engine
from qmdrender.engine import RenderError

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "qmdrender"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.qmd"))
# date: today renders as this day (SOURCE_DATE_EPOCH = 2024-03-05T00:00:00Z)
EPOCH = "1709596800"
pypdf = pytest.importorskip("pypdf")


def pdf_fonts(path: Path) -> set[str]:
    """Base font names used on every page, including inside embedded forms (charts)."""
    found: set[str] = set()

    def walk(obj) -> None:
        resources = obj.get("/Resources")
        if resources is None:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            found.add(str(font.get_object().get("/BaseFont")))
        for xobject in (resources.get("/XObject") or {}).values():
            walk(xobject.get_object())

    for page in pypdf.PdfReader(path).pages:
        walk(page)
    return found


# The tests that read `rendered` run on one xdist worker, so the render happens once per run.
SHARES_RENDERED = pytest.mark.xdist_group("qmdrender-fixtures")


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """Every fixture rendered once to HTML and PDF (scratch kept, to read the Typst source)."""
    out = tmp_path_factory.mktemp("qmdrender")
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    results = {}
    try:
        for name in NAMES:
            folder = out / name
            targets = {"html": folder / f"{name}.html", "pdf": folder / f"{name}.pdf"}
            try:
                engine.render(FIXTURES / f"{name}.qmd", targets, engine="offline", keep_scratch=True)
            except RenderError as error:  # reported by the fixture's own tests
                results[name] = error
                continue
            raw = targets["html"].read_text(encoding="utf-8")
            typ = next(folder.glob(f".qmdrender-*/{name}.typ")).read_text(encoding="utf-8")
            text, pages = pdf_text(targets["pdf"])
            results[name] = {
                "html_source": raw,
                "html": tidy(visible_html(raw)),
                "pdf": text,
                "pages": pages,
                "typst_source": typ,
                "pdf_path": targets["pdf"],
            }
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
    return results


def expectations(name: str) -> dict:
    return yaml.safe_load((FIXTURES / f"{name}.expect.yaml").read_text(encoding="utf-8"))


def test_every_fixture_has_expectations():
    assert NAMES, "no fixtures found"
    for name in NAMES:
        expect = expectations(name)
        assert expect.get("docs", "").startswith("https://quarto.org/"), name
        assert expect.get("both") or expect.get("html") or expect.get("pdf"), name


@pytest.mark.parametrize("name", NAMES)
@SHARES_RENDERED
def test_fixture_holds_what_quarto_documents(rendered, name):
    expect, got = expectations(name), rendered[name]
    if isinstance(got, Exception):
        raise got
    for text in expect.get("both", []):
        assert text in got["html"], f"HTML lacks {text!r}"
        assert text in got["pdf"], f"PDF lacks {text!r}"
    for fmt in ("html", "pdf"):
        for text in expect.get(fmt, []):
            assert text in got[fmt], f"{fmt} lacks {text!r}"
        for text in expect.get("absent", []) + expect.get(f"{fmt}_absent", []):
            assert text not in got[fmt], f"{fmt} holds {text!r}"
    for source in ("html_source", "typst_source"):
        for text in expect.get(source, []):
            assert text in got[source], f"{source} lacks {text!r}"
    for text, count in (expect.get("html_source_count") or {}).items():
        assert got["html_source"].count(text) == count
    if "pdf_pages" in expect:
        assert got["pages"] == expect["pdf_pages"]
    # a caption is text: an output image never ends up inside one
    assert not re.search(r"<figcaption>(?:(?!</figcaption>).)*<img", got["html_source"], flags=re.DOTALL)
    assert not re.search(r"caption: \[[^\]]*image\(", got["typst_source"])


@pytest.mark.parametrize("name", NAMES)
@SHARES_RENDERED
def test_html_and_pdf_give_the_same_numbers(rendered, name):
    if isinstance(rendered[name], Exception):
        raise rendered[name]
    assert numbers(rendered[name]["html"]) == numbers(rendered[name]["pdf"])


@pytest.mark.skipif(not shutil.which("quarto"), reason="no quarto binary on PATH")
@pytest.mark.parametrize("name", NAMES)
def test_fixture_strings_hold_with_quarto_too(tmp_path, name):
    targets = {"html": tmp_path / f"{name}.html", "pdf": tmp_path / f"{name}.pdf"}
    engine.render(FIXTURES / f"{name}.qmd", targets, engine="quarto")
    page, pdf = tidy(visible_html(targets["html"].read_text(encoding="utf-8"))), pdf_text(targets["pdf"])[0]
    for text in expectations(name).get("both", []):
        assert text in page and text in pdf, text


def test_numbers_check_can_fail():
    # the comparison above sees a difference of one number
    assert Counter(NUMBERED.findall("Table 10: x")) != Counter(NUMBERED.findall("Table 4: x"))


@SHARES_RENDERED
def test_chart_text_in_the_pdf_is_sans_serif(rendered):
    # the only sans-serif text of figure-basic is the SVG's label
    fonts = pdf_fonts(rendered["figure-basic"]["pdf_path"])
    assert any(re.search(r"\+NotoSans-", font) for font in fonts), fonts
    assert "Chart label" in rendered["figure-basic"]["pdf"]


@SHARES_RENDERED
def test_japanese_and_cyrillic_are_drawn_with_a_font_that_has_them(rendered):
    fonts = pdf_fonts(rendered["glyphs"]["pdf_path"])
    assert any("NotoSansCJK" in font for font in fonts), fonts


# ── Errors name the reference and what it should point at ──────────────────────────────────
def _render_text(tmp_path: Path, text: str, formats=("html",), name: str = "doc") -> dict[str, Path]:
    source = tmp_path / "src"
    source.mkdir(exist_ok=True)
    (source / f"{name}.qmd").write_text(text, encoding="utf-8")
    targets = {fmt: tmp_path / "out" / f"{name}.{fmt}" for fmt in formats}
    engine.render(source / f"{name}.qmd", targets, engine="offline")
    return targets


@pytest.mark.parametrize(
    ("ref", "noun"),
    [
        ("eq-missing", "equation"),
        ("tbl-missing", "table"),
        ("sec-missing", "section"),
        ("thm-missing", "theorem"),
    ],
)
def test_unresolved_reference_names_it_and_its_kind(tmp_path, ref, noun):
    with pytest.raises(
        RenderError, match=rf"unresolved cross-reference @{ref}: no {noun} labelled"
    ) as failure:
        _render_text(tmp_path, f"---\ntitle: x\n---\n\nSee @{ref}.\n")
    assert "citation" not in str(failure.value)


def test_a_figure_shown_in_one_format_only_cannot_shift_numbers(tmp_path):
    text = (
        '---\ntitle: x\n---\n\n::: {.content-visible when-format="html"}\n'
        "![Web only.](shape.svg){#fig-web}\n:::\n\n![Both.](shape.svg){#fig-both}\n\nSee @fig-both.\n"
    )
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "shape.svg").write_bytes((FIXTURES / "shape.svg").read_bytes())
    with pytest.raises(RenderError, match=r"HTML and PDF number these differently: fig-both"):
        _render_text(tmp_path, text, formats=("html", "pdf"))


def test_equation_label_never_leaks(tmp_path):
    targets = _render_text(tmp_path, "---\ntitle: x\n---\n\n$$ a = b $$ {#eq-ab}\n\nBy @eq-ab.\n")
    page = tidy(visible_html(targets["html"].read_text(encoding="utf-8")))
    assert "{#eq-ab}" not in page and "By Equation 1." in page


# ── Trust: no network, text stays text, invisible characters, last good output, scratch ────
@pytest.mark.parametrize(
    "body",
    [
        "![A remote picture](https://example.invalid/x.png)",
        '<img src="http://example.invalid/y.png">',
        "```{=html}\n<img src='//example.invalid/z.png'>\n```",
    ],
)
def test_remote_resources_are_refused_not_fetched(tmp_path, body):
    with pytest.raises(RenderError, match=r"never fetches from the network"):
        _render_text(tmp_path, f"---\ntitle: x\n---\n\n{body}\n")


def test_a_link_to_a_web_page_is_fine(tmp_path):
    targets = _render_text(tmp_path, "---\ntitle: x\n---\n\nSee [the site](https://example.invalid/).\n")
    assert 'href="https://example.invalid/"' in targets["html"].read_text(encoding="utf-8")


def test_typst_code_in_text_stays_text(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "secret.txt").write_text("SECRET-CONTENT", encoding="utf-8")
    text = (
        '---\ntitle: x\n---\n\nActor #panic("boom") said #read("secret.txt").\n\n'
        '| actor | note |\n|---|---|\n| #panic("cell") | #read("secret.txt") |\n'
    )
    targets = _render_text(tmp_path, text, formats=("pdf",))
    pdf = pdf_text(targets["pdf"])[0].replace("“", '"').replace("”", '"')  # pandoc's smart quotes
    assert 'Actor #panic("boom") said #read("secret.txt").' in pdf
    assert '#panic("cell")' in pdf and "SECRET-CONTENT" not in pdf


def test_pdf_identifiers_carry_no_invisible_characters(tmp_path):
    text = (
        "---\ntitle: x\n---\n\n| key | value |\n|---|---|\n"
        "| preference_attainment.tau | results/clean/measures.csv |\n\n: Keys. {#tbl-keys}\n"
    )
    targets = _render_text(tmp_path, text, formats=("pdf",))
    raw = "".join(page.extract_text() for page in pypdf.PdfReader(targets["pdf"]).pages)
    assert "preference_attainment.tau" in raw and "results/clean/measures.csv" in raw
    assert not re.search("[\u200b\u200c\u200d\u2060\ufeff\u00ad]", raw)


def test_a_long_identifier_wraps_in_a_narrow_cell_without_invisible_characters(tmp_path):
    key = "attributed_influence.type_weight_sets.experts_only.alter_target"
    text = (
        "---\ntitle: x\n---\n\n| key | meaning |\n|:--|:--------------------------------------|\n"
        f"| {key} | {'a long explanation of the key that fills the wide column ' * 3}|\n"
    )
    targets = _render_text(tmp_path, text, formats=("pdf",))
    raw = "".join(page.extract_text() for page in pypdf.PdfReader(targets["pdf"]).pages)
    assert key not in raw  # it wrapped (the narrow column cannot hold it on one line) …
    assert key in "".join(raw.split())  # … only at line ends, with nothing inserted
    assert not re.search("[\u200b\u200c\u200d\u2060\ufeff\u00ad]", raw)


GOOD = "---\ntitle: Good\n---\n\nThe good version.\n"


def _scratch_in_system_temp() -> set[str]:
    return {
        p.name
        for p in Path(tempfile.gettempdir()).iterdir()
        if p.name.startswith((".qmdrender-", "render-report-"))
    }


def test_failed_render_keeps_the_last_good_outputs_and_no_scratch(tmp_path):
    in_temp = _scratch_in_system_temp()
    targets = _render_text(tmp_path, GOOD, formats=("html", "pdf"))
    before = {fmt: path.read_bytes() for fmt, path in targets.items()}
    with pytest.raises(RenderError):
        _render_text(tmp_path, "---\ntitle: Bad\n---\n\nSee @fig-none.\n", formats=("html", "pdf"))
    assert {fmt: path.read_bytes() for fmt, path in targets.items()} == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["doc.html", "doc.pdf"]
    assert _scratch_in_system_temp() <= in_temp  # nothing left in the system's temporary folder


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_render_keeps_the_last_good_outputs_and_no_scratch(tmp_path, signum):
    targets = _render_text(tmp_path, GOOD, formats=("html",))
    before = targets["html"].read_bytes()
    slow = tmp_path / "src" / "doc.qmd"
    slow.write_text(GOOD + "\n```{python}\nimport time\ntime.sleep(60)\n```\n", encoding="utf-8")
    out = tmp_path / "out"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qmdrender",
            "render",
            str(slow),
            "--to",
            "html",
            "--output-dir",
            str(out),
            "--engine",
            "offline",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    children: list[psutil.Process] = []
    # wait until the kernel is up (it is the render's child process), then a little more, so the
    # interrupt lands while the slow cell runs
    while not children and time.monotonic() < deadline:
        time.sleep(0.2)
        children = psutil.Process(process.pid).children(recursive=True)
    assert children, "the render never started a kernel"
    time.sleep(3)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, "the kernel outlived the interrupted render"
    assert process.returncode != 0, stderr
    assert targets["html"].read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["doc.html"], stderr


def test_a_kernel_that_cannot_start_is_explained(tmp_path, monkeypatch):
    import nbformat

    # a "kernel" that never answers, as when the loopback interface is down
    spec = tmp_path / "jupyter" / "kernels" / "silent"
    spec.mkdir(parents=True)
    kernel = {
        "argv": [sys.executable, "-c", "import time; time.sleep(30)", "{connection_file}"],
        "display_name": "silent",
        "language": "python",
    }
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell("1 + 1"))
    started = time.monotonic()
    with pytest.raises(RenderError, match=r"did not start within 3 s.*loopback"):
        engine.execute_notebook(notebook, tmp_path, {}, kernel="silent", startup_timeout=3)
    assert time.monotonic() - started < 30


def test_the_kernel_is_stopped_not_asked_to_exit(tmp_path):
    import nbformat

    # After the last cell the kernel is killed (KERNEL_SHUTDOWN): a graceful exit would run the exit
    # handler below and collect the reference cycle (each leaves a file), and in ipykernel 7.4 it
    # deadlocks in about one shutdown of five until jupyter_client terminates the kernel.
    handler, collected = tmp_path / "exit-handler-ran", tmp_path / "collected"
    code = f"import atexit\natexit.register(lambda: open({str(handler)!r}, 'w').close())\n"
    code += f"class Witness:\n    def __del__(self):\n        open({str(collected)!r}, 'w').close()\n"
    code += "witness = Witness()\nwitness.cycle = witness\n"
    code += "sorted(name for name in dir() if not name.startswith('_'))"
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell(code))
    engine.execute_notebook(notebook, tmp_path, {})
    assert not handler.exists() and not collected.exists()
    # the kernel still ran the cell as written, with no name of the engine's in its namespace
    assert notebook.cells[0].execution_count == 1
    names = notebook.cells[0].outputs[0]["data"]["text/plain"]
    assert "'witness'" in names and "'gc'" not in names, names


def test_pandoc_runs_with_the_engines_runtime_options_unless_the_user_sets_them(tmp_path, monkeypatch):
    # pandoc's runtime writes the options it ran with to the head of a statistics file (-S)
    def runtime_options(stats: Path) -> str:
        source = tmp_path / "doc.md"
        source.write_text("Hello.\n", encoding="utf-8")
        engine.run_pandoc(source, tmp_path / "doc.html", "html5", [], tmp_path)
        return stats.read_text(encoding="utf-8").splitlines()[0].split("+RTS", 1)[1]

    wanted = [f"'{option}'" for option in engine.PANDOC_RUNTIME.split()]
    monkeypatch.delenv("GHCRTS", raising=False)
    monkeypatch.setattr(engine, "PANDOC_RUNTIME", f"{engine.PANDOC_RUNTIME} -S{tmp_path / 'engine.txt'}")
    assert all(option in runtime_options(tmp_path / "engine.txt") for option in wanted)
    monkeypatch.setenv("GHCRTS", f"-S{tmp_path / 'user.txt'}")
    assert not any(option in runtime_options(tmp_path / "user.txt") for option in wanted)


# ── One format at a time, and the command line ─────────────────────────────────────────────
def test_one_format_alone(tmp_path):
    targets = _render_text(tmp_path, GOOD, formats=("pdf",))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["doc.pdf"]
    assert pdf_text(targets["pdf"])[0].startswith("Good")


def test_command_line_renders_any_qmd(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "qmdrender",
            "render",
            str(FIXTURES / "glyphs.qmd"),
            "--to",
            "html",
            "--output-dir",
            str(tmp_path),
            "--engine",
            "offline",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["glyphs.html"]
    assert "安倍晋三" in (tmp_path / "glyphs.html").read_text(encoding="utf-8")


def test_command_line_rejects_an_unknown_format(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "qmdrender",
            "render",
            str(FIXTURES / "glyphs.qmd"),
            "--to",
            "docx",
            "--output-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "unknown output format(s) docx" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_command_line_passes_metadata_to_the_prose(tmp_path):
    """-M KEY:VALUE and --metadata-file reach {{< meta >}} in the prose, as Quarto's options do: over
    the document's own keys (Quarto merges its command line's metadata last), and -M over the file."""
    doc = tmp_path / "doc.qmd"
    doc.write_text(
        "---\ntitle: Meta\nown: from the document\n---\n\n"
        "Code {{< meta build-code >}}; own {{< meta own >}}; from file {{< meta filed >}}.\n",
        encoding="utf-8",
    )
    (tmp_path / "more.yml").write_text("filed: yes-it-is\nbuild-code: from the file\n", encoding="utf-8")
    command = [sys.executable, "-m", "qmdrender", "render", str(doc), "--to", "html", "--engine", "offline"]
    result = subprocess.run(
        [
            *command,
            "--metadata-file",
            str(tmp_path / "more.yml"),
            "-M",
            "build-code:commit abc (dirty: x)",
            "--metadata",
            "own:from the command line",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    page = " ".join((tmp_path / "doc.html").read_text(encoding="utf-8").split())
    assert "Code commit abc (dirty: x); own from the command line; from file yes-it-is." in page
    bad = subprocess.run([*command, "-M", "no-colon"], capture_output=True, text=True)
    assert bad.returncode == 1 and "expected KEY:VALUE" in bad.stderr


# ── Pure parts ─────────────────────────────────────────────────────────────────────────────
def test_format_options_nest_under_format():
    meta = {
        "toc": False,
        "number-sections": False,
        "format": {"html": {"toc": True}, "pdf": {"number-sections": True, "echo": False}},
    }
    project = {"execute": {"warning": False}, "format": {"typst": {"toc-depth": 2}}}
    assert engine.format_options(meta, project, "html") == {"toc": True, "number-sections": False}
    assert engine.format_options(meta, project, "pdf") == {
        "toc": False,
        "number-sections": True,
        "toc-depth": 2,
        "echo": False,
    }
    assert engine.execute_options(meta, project, "pdf")["echo"] is False
    assert engine.execute_options(meta, project, "html")["echo"] is True  # Quarto's default
    assert engine.execute_options(meta, project, "html")["warning"] is False


def test_header_includes_read_files_and_texts_and_name_what_is_wrong(tmp_path):
    (tmp_path / "rules.typ").write_text("#set par(justify: false)\n", encoding="utf-8")
    assert engine.header_includes({}, tmp_path, "doc.qmd") == []
    assert engine.header_includes({"include-in-header": "rules.typ"}, tmp_path, "doc.qmd") == [
        "--include-in-header",
        "rules.typ",
    ]
    both = [{"file": "rules.typ"}, {"text": "#let x = 1\n"}]
    arguments = engine.header_includes({"include-in-header": both}, tmp_path, "doc.qmd")
    assert arguments[:2] == ["--include-in-header", "rules.typ"]
    assert (tmp_path / arguments[3]).read_text(encoding="utf-8") == "#let x = 1\n"
    with pytest.raises(RenderError, match=r"doc.qmd: include-in-header names gone.typ, which is not a file"):
        engine.header_includes({"include-in-header": ["gone.typ"]}, tmp_path, "doc.qmd")
    with pytest.raises(RenderError, match=r"doc.qmd: include-in-header takes a file name"):
        engine.header_includes(
            {"include-in-header": [{"url": "https://example.invalid/x.typ"}]}, tmp_path, "doc.qmd"
        )


def test_unknown_shortcode_is_an_error_not_text():
    with pytest.raises(RenderError, match=r"shortcode \{\{< video >\}\} is not supported"):
        engine.expand_shortcodes("{{< video https://example.invalid/v.mp4 >}}", {}, "doc.qmd")
    assert engine.expand_shortcodes("```\n{{< meta x >}}\n```", {}, "doc.qmd") == "```\n{{< meta x >}}\n```"


def test_parse_formats():
    assert engine.parse_formats("pdf") == ("pdf",)
    assert engine.parse_formats("html, pdf") == ("html", "pdf")
    with pytest.raises(RenderError, match="unknown output format"):
        engine.parse_formats("html,docx")
