"""Hostile text stays text: payloads planted in data and config reach the HTML escaped and the PDF as text.

Three levels: (a) the Markdown the report layer writes, converted by pandoc, holds no live markup;
(b) the offline engine renders a fixture with the payloads in a table cell, a prose value, a round
label and a figure's data, and the HTML holds no element the payloads asked for, shows each one as
text, and the PDF's text shows them too; (c) in headless Chromium with every non-file request
refused, no dialog opens, no request leaves the page, and the text is visible.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
from browser import open_offline

from analysis.present import report_data
from analysis.present.figures import spec_and_svg
from analysis.present.narrative import pipe_table, pressure_in_round
from analysis.present.safe import Markdown, md_link, md_text, script_json, typst_string

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "hostile"
CSL = ROOT / "report" / "chicago-author-date.csl"

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "[click me](javascript:alert(3))",
    '<a href="javascript:alert(4)">a link</a>',
    "<!-- a stray comment opener",
    '#panic("boom")',
    '#read("/etc/passwd")',
    "@doe2015 *stars* `ticks` $x^2$ {#sec-x}",
    '<img src="http://127.0.0.1:9/fetched.png">',
    "</script><script>alert(5)</script>",
    "&lt;b&gt;entity&lt;/b&gt; | pipe",
]


def squash(text: str) -> str:
    """Text without whitespace, zero-width spaces or soft hyphens (the places renderers may break
    a long run differently)."""
    return re.sub(r"[\s\u200b\u00ad]+", "", text)


class Elements(HTMLParser):
    """Every start tag with its attributes, the text outside <script>/<style>, and script bodies."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.comments: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = tag
            if tag == "script":
                self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts[-1] += data
        elif self._in is None:
            self.text.append(data)

    def handle_comment(self, data):
        self.comments.append(data)


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser


def assert_no_live_markup(page: Elements, vega_scripts: int = 0) -> None:
    """No element or attribute a payload could have created; every script is ours."""
    for tag, attrs in page.tags:
        assert tag not in ("img", "iframe", "object", "embed"), (tag, attrs)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "a":
            href = attrs.get("href") or ""
            assert href.startswith("#") or re.match(r"https?://", href), (tag, attrs)
    embeds = [body for body in page.scripts if "vegaEmbed(" in body and len(body) < 100_000]
    assert len(embeds) == vega_scripts
    for body in embeds:
        assert "</script" not in body.lower() and "<!--" not in body


def pandoc_html(markdown: str) -> str:
    import pypandoc

    return pypandoc.convert_text(markdown, "html5", format="markdown")


# ── (a) the Markdown the report layer writes ─────────────────────────────────────────────────


def pressure_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pressure_id": [f"US-p{i}" for i in range(len(PAYLOADS))],
            "date": ["2014-04-01"] * len(PAYLOADS),
            "date_precision": ["day"] * len(PAYLOADS),
            "round": ["R1"] * len(PAYLOADS),
            "actor": PAYLOADS,
            "channel": ["direct"] * len(PAYLOADS),
            "form": ["phone_call"] * len(PAYLOADS),
            "intensity": [2] * len(PAYLOADS),
            "source": ["doe2015"] * len(PAYLOADS),
            "note": list(reversed(PAYLOADS)),
        }
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_md_text_shows_the_payload_as_text(payload):
    page = parse(pandoc_html(f"Before {md_text(payload)} after."))
    assert_no_live_markup(page)
    assert squash(payload) in squash("".join(page.text))


def test_narrative_and_report_tables_escape_every_cell():
    frame = pressure_table()
    for markdown in (
        pipe_table(pressure_in_round(frame, "R1")),
        report_data.table(frame, columns={"actor": "Actor", "note": "Note"}).text,
    ):
        page = parse(pandoc_html(markdown))
        assert_no_live_markup(page)
        text = squash("".join(page.text))
        for payload in PAYLOADS:
            assert squash(payload) in text, payload


def test_code_built_markdown_passes_through_and_citations_need_a_well_formed_key():
    assert md_text(Markdown("[@doe2015]")) == "[@doe2015]"
    from analysis.present.narrative import cite

    assert cite(["doe2015"]).text == "[@doe2015]"
    assert "@" not in cite(["x](javascript:alert(1)"]).text.replace("\\@", "")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,<b>x</b>",
        "file:///etc/passwd",
        "//evil.example/x",
        "vbscript:x",
        "/relative",
    ],
)
def test_links_are_made_only_to_http_urls(url):
    assert md_link("a source", url) == "a source"
    assert md_link("site", "https://example.org/a b)c").startswith("[site](https://example.org/a%20b%29c)")


def test_script_json_cannot_close_its_script_or_open_a_comment():
    text = script_json({"a": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


def test_typst_string_is_one_literal():
    literal = typst_string('a" + read("/etc/passwd") + "\\')
    assert literal == '"a\\" + read(\\"/etc/passwd\\") + \\"\\\\"'


# ── (b) rendered by the offline engine: HTML and PDF ─────────────────────────────────────────


def hostile_inputs(folder: Path) -> dict[str, object]:
    folder.mkdir(parents=True, exist_ok=True)
    pressure_table().to_csv(folder / "pressure.csv", index=False)
    window = {
        "id": "R1",
        "label": 'Round <script>alert(6)</script> #panic("label")',
        "start": "2014-03-01",
        "end": "2014-08-31",
    }
    (folder / "window.json").write_text(json.dumps(window), encoding="utf-8")
    data = pd.DataFrame({"what": PAYLOADS, "value": range(len(PAYLOADS))})
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(x="value:Q", y=alt.Y("what:N", title="<!-- axis"), tooltip=["what:N"])
        .properties(description="A chart whose labels are payloads </script><!--")
    )
    spec, svg = spec_and_svg(chart)
    (folder / "hostile.vl.json").write_text(json.dumps(spec), encoding="utf-8")
    (folder / "hostile.svg").write_text(svg, encoding="utf-8")
    return {
        "pressure": str(folder / "pressure.csv"),
        "window": str(folder / "window.json"),
        "specs": [str(folder / "hostile.vl.json")],
        "svgs": [str(folder / "hostile.svg")],
        "csl": str(CSL),
    }


# The tests that read `rendered` run on one xdist worker, so the render happens once per run.
SHARES_RENDERED = pytest.mark.xdist_group("hostile")


# Session scope: a module fixture is torn down whenever xdist runs another module's test in between.
@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    from qmdrender import render

    work = tmp_path_factory.mktemp("hostile")
    inputs = hostile_inputs(work / "inputs")
    html, pdf = work / "out" / "report.html", work / "out" / "report.pdf"
    render(FIXTURE / "hostile.qmd", {"html": html, "pdf": pdf}, inputs, engine="offline")
    return html, pdf


@pytest.mark.slow
@SHARES_RENDERED
def test_rendered_html_shows_every_payload_as_text_and_runs_none(rendered):
    html = rendered[0].read_text(encoding="utf-8")
    page = parse(html)
    assert_no_live_markup(page, vega_scripts=1)
    text = squash("".join(page.text))
    for payload in PAYLOADS:
        assert text.count(squash(payload)) >= 2, payload  # the pipe table and the report table
    assert squash("Round <script>alert(6)</script>") in text  # the round label from config
    # the figure's `<!--` and `</script>` did not swallow the rest of the page
    assert "MARKER-AFTER-FIGURE" in text and "MARKER-AT-THE-END" in text
    assert not any("MARKER" in comment for comment in page.comments)
    assert "127.0.0.1" not in "".join(str(a) for _t, a in page.tags)


@pytest.mark.slow
@SHARES_RENDERED
def test_rendered_pdf_shows_the_payloads_as_text(rendered):
    from pypdf import PdfReader

    text = squash("".join(page.extract_text() or "" for page in PdfReader(rendered[1]).pages))
    for payload in PAYLOADS:
        assert squash(payload) in text, payload
    assert "root:" not in text  # #read("/etc/passwd") did not run
    assert squash('#panic("label")') in text


@pytest.mark.slow
@SHARES_RENDERED
def test_headless_chromium_fires_no_dialog_sends_no_request_and_shows_the_text(rendered, chromium):
    """Runs where Playwright for Python and a Chromium are installed; skips, saying which is missing."""
    with open_offline(chromium, rendered[0]) as visit:
        page = visit.page
        page.wait_for_function("document.querySelectorAll('.vega-figure svg').length >= 1")
        page.wait_for_timeout(500)
        visible = page.inner_text("body")
        labels = page.evaluate(
            "Array.from(document.querySelectorAll('.vega-figure svg text')).map(t => t.textContent).join('')"
        )
    dialogs, outside = visit.dialogs, visit.outside
    assert dialogs == []
    assert outside == []
    for payload in PAYLOADS:
        assert squash(payload) in squash(visible), payload
    assert "MARKER-AT-THE-END" in visible
    assert squash("</script><script>alert(5)</script>")[:10] in squash(labels)


def test_project_documentation_keeps_emphasis_and_code_but_nothing_else():
    from analysis.present.safe import md_doc

    doc = md_doc("One row per *report*; see `event_id`. <img src=x onerror=alert(1)> [x](javascript:y)").text
    page = parse(pandoc_html(doc))
    assert_no_live_markup(page)
    assert [tag for tag, _ in page.tags] == ["p", "em", "code"]


def test_bibliography_fields_stay_text_and_urls_stay_inside_their_field(tmp_path):
    """A sources row's title, author or container cannot inject LaTeX (`\\href`), HTML or fields."""
    import pypandoc

    from analysis.present.bibliography import bibliography

    title = r"A \href{javascript:alert(1)}{click} <img src=x onerror=alert(2)> #panic() ~x^y {}"
    sources = pd.DataFrame(
        [
            {
                "key": "k1",
                "entry_type": "online",
                "author": r"Doe, Jane \url{javascript:alert(3)}",
                "title": title,
                "container": "Site}, note={injected",
                "publisher": "",
                "date": "2015",
                "url": "https://example.org/a}b",
                "accessed": "2016-01-02",
            }
        ]
    )
    (tmp_path / "refs.bib").write_text(bibliography(sources), encoding="utf-8")
    html = pypandoc.convert_text(
        "See [@k1].",
        "html5",
        format="markdown",
        cworkdir=str(tmp_path),
        extra_args=["--citeproc", "--bibliography", str(tmp_path / "refs.bib")],
    )
    page = parse(html)
    assert_no_live_markup(page)
    links = [attrs.get("href") for tag, attrs in page.tags if tag == "a"]
    assert links == ["#ref-k1", "https://example.org/a%7Db"] or links == ["https://example.org/a%7Db"], links
    text = squash("".join(page.text))
    assert squash(title) in text
    assert "injected" in text and "note=" in text  # the container stayed one field, shown as text
