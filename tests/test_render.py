"""The report render engine: the offline path end to end on a fixture, its parsers, and report_data."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from analysis.present import report_data
from analysis.present.figures import spec_and_svg
from qmdrender import engine
from qmdrender.engine import RenderError

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "render"
CSL = ROOT / "report" / "chicago-author-date.csl"
# distinctive axis titles: if they are in the PDF's text, the chart went in as vector text
AXIS_TITLE_X, AXIS_TITLE_Y = "Round of measures", "Score value"


def fixture_inputs(folder: Path) -> dict[str, object]:
    """The rule-like inputs of the fixture: two tables, two figures (spec + SVG), the CSL."""
    folder.mkdir(parents=True, exist_ok=True)
    scores = pd.DataFrame(
        {
            "round": ["R1", "R2", "R3"],
            "score": [1.5, 2.25, 4.0],
            "note": [
                "short",
                "a considerably longer free-text note that keeps going so that the column "
                "has to wrap inside the page width of the PDF",
                "pipe | inside",
            ],
        }
    )
    scores.to_csv(folder / "scores.csv", index=False)
    (folder / "meta.json").write_text(json.dumps({"sender": "Japan"}), encoding="utf-8")
    base = alt.Chart(scores).encode(
        x=alt.X("round:N", title=AXIS_TITLE_X),
        y=alt.Y("score:Q", title=AXIS_TITLE_Y),
        tooltip=["round", "score"],
    )
    charts = {
        "scores": base.mark_bar().properties(description="Bars of the score per round."),
        "trend": base.mark_line(point=True).properties(description="Line of the score per round."),
    }
    for name, chart in charts.items():
        spec, svg = spec_and_svg(chart)
        (folder / f"{name}.vl.json").write_text(json.dumps(spec), encoding="utf-8")
        (folder / f"{name}.svg").write_text(svg, encoding="utf-8")
    return {
        "scores": str(folder / "scores.csv"),
        "meta": str(folder / "meta.json"),
        "specs": [str(folder / f"{n}.vl.json") for n in charts],
        "svgs": [str(folder / f"{n}.svg") for n in charts],
        "csl": str(CSL),
    }


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# The renders below are shared by the module's tests: on one xdist worker, once per run (session
# scope: a module fixture is torn down whenever xdist runs another module's test in between).
pytestmark = pytest.mark.xdist_group("render")


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """The fixture rendered twice (for determinism) with the offline engine."""
    before = tree(FIXTURE)
    work = tmp_path_factory.mktemp("render")
    inputs = fixture_inputs(work / "inputs")
    outputs, timings = [], {}
    for run in ("a", "b"):
        html, pdf = work / run / "report.html", work / run / "report.pdf"
        used = engine.render(
            FIXTURE / "fixture.qmd",
            {"html": html, "pdf": pdf},
            inputs,
            engine="offline",
            timings=timings if run == "a" else None,
        )
        assert sorted(p.name for p in (work / run).iterdir()) == ["report.html", "report.pdf"]  # no scratch
        outputs.append((html, pdf))
    return {"outputs": outputs, "engine": used, "before": before, "inputs": inputs, "timings": timings}


@pytest.fixture(scope="session")
def html_text(rendered):
    return rendered["outputs"][0][0].read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def html_words(html_text):
    """The page's visible text: body tags stripped, entities decoded, whitespace collapsed."""
    import html

    body = re.sub(r"<script\b.*?</script>", " ", html_text.rsplit("</head>", 1)[1], flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", body)).split())


@pytest.fixture(scope="session")
def pdf_reader(rendered):
    pypdf = pytest.importorskip("pypdf")
    return pypdf.PdfReader(rendered["outputs"][0][1])


@pytest.fixture(scope="session")
def pdf_text(pdf_reader):
    return " ".join(" ".join(page.extract_text().split()) for page in pdf_reader.pages)


def test_render_times_each_phase(rendered):
    """The engine reports where a render's time went: the cells, each pandoc run and typst."""
    timings = rendered["timings"]
    assert sorted(timings) == ["cells", "pandoc to HTML", "pandoc to Typst", "typst"]
    assert all(seconds > 0 for seconds in timings.values())


# ── End to end: HTML ─────────────────────────────────────────────────────────────────────────
def test_html_is_one_file_loading_nothing_from_outside(html_text):
    markup = re.sub(r"<script\b.*?</script>", "", html_text, flags=re.DOTALL)  # JS text is not markup
    assert re.search(r"<img[^>]*\ssrc=\"data:", markup)  # the fixture's static image, inlined
    assert not re.search(r"<img[^>]*\ssrc=\"(?!data:)", markup)
    assert not re.search(r"<script[^>]*\ssrc=", html_text)
    assert not re.search(r"<link[^>]*\shref=[\"']?https?:", html_text)
    assert not re.search(r"<img[^>]*\ssrc=[\"']?https?:", html_text)
    assert not re.search(r"@import\s+url", html_text)


def test_html_inlines_the_vega_bundle_once_and_embeds_each_figure(html_text):
    import vl_convert

    bundle = vl_convert.javascript_bundle()
    assert html_text.count(bundle[:400]) == 1
    assert html_text.count(bundle[-400:]) == 1
    assert html_text.count('vegaEmbed("#vis-') == 2  # two figures in the fixture
    assert '"tooltip": true' in html_text


def test_html_numbers_captions_and_resolves_references(html_text):
    assert re.search(r"<figcaption>\s*Figure 1:\s+Scores by round", html_text)
    assert re.search(r"<figcaption>\s*Figure 2:\s+The same scores", html_text)
    assert re.search(r"<caption>\s*Table 1:\s+Scores per round", html_text)
    assert re.search(r'<a href="#tbl-scores"[^>]*>Table\s1</a>', html_text)
    assert re.search(r'<a href="#sec-results"[^>]*>Section\s2</a>', html_text)
    assert re.search(r'<a href="#sec-method"[^>]*>Section\s2\.1</a>', html_text)
    assert re.search(r'<a href="#fig-trend"[^>]*>Figure\s2</a>', html_text)
    assert re.search(r"<figcaption>\s*Figure 3:\s+A static image", html_text)  # ![…](…){#fig-static}
    assert re.search(r'<a href="#fig-static"[^>]*>Figure\s3</a>', html_text)
    assert re.search(r'Figure <a href="#fig-scores"[^>]*>1</a>', html_text)  # -@fig-scores
    assert "?@" not in html_text


def test_hand_written_table_is_numbered_and_sized_by_content(html_text):
    assert re.search(r"<caption>\s*Table 2:\s+A hand-written pipe table", html_text)
    assert re.search(r'<a href="#tbl-manual"[^>]*>Table\s2</a>', html_text)
    table = html_text[html_text.index('<table id="tbl-manual"') :]
    widths = [int(w) for w in re.findall(r'<col style="width: (\d+)%"', table[: table.index("</colgroup>")])]
    # upper quartile of two rows = the longer; +2 padding each: Key 25 + 2, Value max(floor 4,
    # header 5) + 2 = 7, Meaning 50 (cap) + 2 → of 86: 31.4%, 8.1%, 60.5%
    assert [abs(w - hand) <= 1 for w, hand in zip(widths, [31.4, 8.1, 60.5], strict=True)] == [True] * 3


def test_html_citations_inline_values_callouts_and_engine(html_text, html_words, rendered):
    assert "(Doe 2015)" in html_words
    assert "Roe and Poe (2017)" in html_words and "the same authors (2017, 50)" in html_words
    assert "References" in html_words and "Sanctions and Their Senders" in html_words
    assert "This fixture has 3 rows" in html_words and "its sender is Japan" in html_words
    # 1.5 + 2.25 + 4.0 = 7.75, shown to one decimal (half to even) as 7.8
    assert "The total score is 7.8" in html_words
    assert "A titled note" in html_words and "Mind the gap" in html_words
    assert re.search(r'class="callout callout-tip">\s*<div class="callout-title">\s*Tip\s*<', html_text)
    assert "Important body text." in html_words
    assert rendered["engine"].startswith("offline engine")
    assert f"Rendered by {rendered['engine']}" in html_words


def test_cell_options_echo_output_include(html_words):
    assert re.search(r"shown\s*=\s*sum\(scores", html_words)  # echo: true shows the code
    assert "total 7.8" in html_words
    assert "import pandas" not in html_words  # the fixture's `execute: echo: false`
    assert "THIS OUTPUT IS HIDDEN" not in html_words
    assert "THIS CELL IS NOT INCLUDED" not in html_words
    assert 'raise RuntimeError("an eval: false cell must never run")' in html_words  # shown, not run


# ── End to end: PDF ──────────────────────────────────────────────────────────────────────────
def test_pdf_holds_title_figures_and_references(pdf_reader, pdf_text):
    raw = "".join(page.extract_text() for page in pdf_reader.pages)
    # one space after the colon (typst puts a no-break space before the number)
    assert re.search(r"Figure\s1: Scores by round", raw) and re.search(r"Table\s1: Scores per round", raw)
    assert "Fixture Report for the Offline Engine" in pdf_text
    assert "Figure 1:" in pdf_text and "Table 1:" in pdf_text
    assert "Figure 3: A static image as a figure." in pdf_text and "Static panel" in pdf_text
    assert "Section 2.1" in pdf_text
    assert "References" in pdf_text and "Sanctions and Their Senders" in pdf_text
    assert "Doe 2015" in pdf_text


def test_pdf_keeps_every_non_ascii_character(pdf_text, html_words):
    sentence = "Shinzō Abe’s cabinet — in 2014–2016, ≥ 2 rounds × 3 senders, “quoted” naïve café."
    assert sentence in html_words
    assert sentence in pdf_text


def test_math_renders_in_both_formats(html_text, pdf_text):
    assert re.search(r"<math[^>]*>.*∩.*</math>", html_text, flags=re.DOTALL)  # MathML, no CDN
    assert "∩" in pdf_text


def test_pdf_figures_are_vector(pdf_reader, pdf_text):
    assert all(len(page.images) == 0 for page in pdf_reader.pages)
    assert AXIS_TITLE_X in pdf_text and AXIS_TITLE_Y in pdf_text


def test_rendering_twice_gives_identical_bytes(rendered):
    (html_a, pdf_a), (html_b, pdf_b) = rendered["outputs"]
    assert html_a.read_bytes() == html_b.read_bytes()
    assert pdf_a.read_bytes() == pdf_b.read_bytes()


def test_nothing_is_written_beside_the_sources(rendered):
    assert tree(FIXTURE) == rendered["before"]


# ── Failures ─────────────────────────────────────────────────────────────────────────────────
def _render_variant(tmp_path: Path, extra: str) -> None:
    sources = tmp_path / "src"
    shutil.copytree(FIXTURE, sources)
    qmd = sources / "fixture.qmd"
    qmd.write_text(qmd.read_text(encoding="utf-8") + "\n" + extra + "\n", encoding="utf-8")
    inputs = fixture_inputs(tmp_path / "inputs")
    out = tmp_path / "out"
    engine.render(qmd, {"html": out / "out.html", "pdf": out / "out.pdf"}, inputs, engine="offline")


def test_unresolved_reference_fails_naming_it_and_its_kind(tmp_path):
    with pytest.raises(RenderError, match=r"unresolved cross-reference @fig-nope: no figure labelled"):
        _render_variant(tmp_path, "As @fig-nope shows.")
    assert list((tmp_path / "out").iterdir()) == []  # no output, no scratch left behind


def test_unknown_citation_fails_naming_it(tmp_path):
    with pytest.raises(RenderError, match=r"unknown citation.*@nobody1999"):
        _render_variant(tmp_path, "As argued [@nobody1999].")


def test_failing_cell_names_its_label_and_error(tmp_path):
    with pytest.raises(RenderError, match=r"cell broken.*ZeroDivisionError"):
        _render_variant(tmp_path, "```{python}\n#| label: broken\n1 / 0\n```")


def test_unknown_input_name_fails_clearly(tmp_path):
    with pytest.raises(RenderError, match=r"'nothing' is not an input of the render rule"):
        _render_variant(tmp_path, "```{python}\nreport_data.csv('nothing')\n```")


def test_quarto_renders_the_fixture_when_installed(tmp_path):
    if not shutil.which("quarto"):
        pytest.skip("no quarto binary on PATH")
    inputs = fixture_inputs(tmp_path / "inputs")
    used = engine.render(
        FIXTURE / "fixture.qmd",
        {"html": tmp_path / "q.html", "pdf": tmp_path / "q.pdf"},
        inputs,
        engine="quarto",
    )
    assert used.startswith("Quarto")
    assert "Figure 1" in (tmp_path / "q.html").read_text(encoding="utf-8")
    assert (tmp_path / "q.pdf").stat().st_size > 0


# ── Pure parts ───────────────────────────────────────────────────────────────────────────────
def test_uncovered_characters_are_named():
    assert engine.uncovered_characters("Shinzō Abe – “quoted” ≥ 5 × 2, 安倍晋三, Владимир Путин") == []
    assert engine.uncovered_characters("ไทย 😀") == [
        "ท (U+0E17, Thai)",
        "ย (U+0E22, Thai)",
        "ไ (U+0E44, Thai)",
        "😀 (U+1F600, emoji)",
    ]


def test_stage_resources_prefers_the_declared_input(tmp_path):
    work, elsewhere = tmp_path / "work", tmp_path / "results"
    work.mkdir(), elsewhere.mkdir()
    (work / "refs.bib").write_text("stale", encoding="utf-8")
    (elsewhere / "refs.bib").write_text("fresh", encoding="utf-8")
    engine.stage_resources({"bibliography": "refs.bib"}, work, {"bib": str(elsewhere / "refs.bib")})
    assert (work / "refs.bib").read_text(encoding="utf-8") == "fresh"
    with pytest.raises(RenderError, match="csl file 'style.csl' is neither beside the document nor an input"):
        engine.stage_resources({"csl": "style.csl"}, work, {})


def test_choose_engine():
    assert engine.choose_engine("auto", quarto="") == "offline"
    assert engine.choose_engine("auto", quarto="/opt/quarto/bin/quarto") == "quarto"
    assert engine.choose_engine("offline", quarto="/opt/quarto/bin/quarto") == "offline"
    with pytest.raises(RenderError, match="no `quarto` binary"):
        engine.choose_engine("quarto", quarto="")
    with pytest.raises(RenderError, match="unknown report engine"):
        engine.choose_engine("latex")


def test_split_chunks_and_cell_options():
    body = 'Intro `{python} 1 + 1`.\n\n```{python}\n#| label: fig-a\n#| fig-cap: "A: b"\nx = 1\n```\nEnd\n'
    chunks = engine.split_chunks(body)
    assert [c.kind for c in chunks] == ["markdown", "code", "markdown"]
    assert chunks[1].options == {"label": "fig-a", "fig-cap": "A: b"}
    assert chunks[1].text == "x = 1"
    with pytest.raises(RenderError, match="never closed"):
        engine.split_chunks("```{python}\nx = 1\n")


def test_front_matter_authors_and_date(monkeypatch):
    meta, body = engine.split_front_matter("---\ntitle: T\ndate: 2024-05-17\n---\nText\n")
    assert meta["title"] == "T" and body == "Text\n"
    assert engine.document_date(meta) == dt.date(2024, 5, 17)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert engine.document_date({"date": "today"}) == dt.date(1970, 1, 2)
    authors = engine.normalise_authors(
        [
            "Solo",
            {"name": "A B", "affiliation": "X"},
            {"name": {"given": "C", "family": "D"}, "affiliations": [{"name": "Y"}, "Z"]},
        ]
    )
    assert authors == [
        {"name": "Solo"},
        {"name": "A B", "affiliation": "X"},
        {"name": "C D", "affiliation": "Y; Z"},
    ]


def test_report_data_reads_only_inputs(tmp_path, monkeypatch):
    (tmp_path / "t.csv").write_text("a,b\n1,x\n", encoding="utf-8")
    (tmp_path / "m.json").write_text('{"k": 2}', encoding="utf-8")
    listing = tmp_path / "inputs.json"
    listing.write_text(json.dumps({"table": str(tmp_path / "t.csv"), "meta": str(tmp_path / "m.json")}))
    monkeypatch.setenv(report_data.INPUTS_ENV, str(listing))
    assert report_data.csv("table")["b"].tolist() == ["x"]
    assert report_data.json("meta") == {"k": 2}
    with pytest.raises(report_data.ReportInputError, match="'scores' is not an input"):
        report_data.path("scores")
    monkeypatch.setenv(report_data.ENGINE_ENV, "test engine 1.0")
    assert report_data.engine() == "test engine 1.0"


def test_table_column_widths_follow_typical_cell_length():
    # lengths 1, 2, 3, 19 ("d d … d"), 29 → upper quartile (index 3 of 0..4) is 19; header "x" shorter
    frame = pd.DataFrame({"x": ["a", "bb", "ccc", "d " * 10, "e " * 15], "prose": ["w " * 40] * 5})
    rule = str(report_data.table(frame)).splitlines()[1]
    # 19 and the cap of 50 (cells are 79 long), each plus 2 for padding
    assert rule == "|:" + "-" * 20 + "|:" + "-" * 51 + "|"


def test_table_column_is_as_wide_as_its_longest_word_up_to_24():
    # six rows: the upper quartile (index ceil(3·5/4) = 4 of 0..5) is a one-letter cell
    frame = pd.DataFrame(
        {
            "value": ["a", "b", "c", "d", "e", "explicit_us_requests"],  # 20 characters
            "id": ["u", "v", "w", "x", "y", "an_identifier_far_longer_than_the_cap"],
        }
    )
    rule = str(report_data.table(frame)).splitlines()[1]
    assert rule == "|:" + "-" * 21 + "|:" + "-" * 25 + "|"  # 20 and the cap 24, plus 2 for padding


def test_report_data_table_is_a_pipe_table():
    frame = pd.DataFrame({"name": ["a|b", None], "value": [1.234, 10.0]})
    lines = str(report_data.table(frame, digits=1)).splitlines()
    assert lines[0] == "| name | value |"
    # text left, numbers right; 4 + 2 dashes at least, more for a longer header ("value": 5 + 2)
    assert lines[1] == "|:-----|------:|"
    assert lines[2] == "| a\\|b | 1.2 |"
    assert lines[3] == "|  | 10.0 |"


def test_a_page_that_loads_a_file_is_told_from_one_that_does_not():
    """The engine asks pandoc to inline resources only when the page loads one (see _html_step)."""
    from qmdrender.engine import loaded_resources

    page = (
        '<p><img src="a.png"><img src="data:image/png;base64,AA"><a href="x.html">x</a>'
        '<link rel="stylesheet" href="s.css"><div style="background:url(y.png)"></div>'
        "<style>body { background: url(x.png) }</style><svg><image href='i.svg'/></svg>"
        "<script>var markup = '<img src=\"not-a-resource.png\">';</script></p>"
    )
    assert loaded_resources(page) == [
        "<img src=a.png>",
        "<link href=s.css>",
        "<div style>",
        "<style> url()/@import",
        "<image href=i.svg>",
    ]
    assert loaded_resources('<p><a href="#sec-x">x</a><script>vegaEmbed("#vis-1", {})</script></p>') == []
