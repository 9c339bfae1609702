"""Provenance cards: hashing, card contents, the dirty flag, and the built report's cards.

The unit tests check the pure functions of analysis/present/provenance.py; the built-report tests read
the shared end-to-end build and recompute, for every card, the sha256 of every file it names, and check
that every figure and table has a card in the HTML and an entry in the PDF's appendix.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rendered_text import numbers, visible_html
from workspace import git

from analysis.present import provenance, report_data
from analysis.present.provenance import NOT_GIT, SHOWN_DIGITS

HOSTILE = '<script>alert(1)</script> #panic("x") [a](javascript:alert(2)) `tick`'


# ── pure functions ────────────────────────────────────────────────────────────────────────────


def test_sha256_is_the_files_digest(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"id,value\n1,2\n" * 100_000)
    assert provenance.sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_card_names_each_file_once_under_its_first_role():
    spec = provenance.card(
        "figure",
        "lag",
        "make_figures",
        ["f.svg", "f.vl.json"],
        ["a.csv", "f.svg"],
        "code.py",
        ["k=1", "k=1", "j=2"],
    )
    assert spec["files"] == [
        {"role": "shown", "path": "f.svg"},
        {"role": "shown", "path": "f.vl.json"},
        {"role": "input", "path": "a.csv"},
        {"role": "code", "path": "code.py"},
    ]
    assert spec["keys"] == ["k=1", "j=2"]
    assert spec["rule"] == "make_figures"


def test_record_hashes_every_file_relative_to_the_project(tmp_path):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "a.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "code.py").write_text("print(1)\n", encoding="utf-8")
    cards = {"table/a": provenance.card("table", "a", "rule_a", "results/a.csv", [], "code.py", [])}
    out = provenance.record(cards, {"pandas": "1"}, tmp_path)
    files = out["cards"]["table/a"]["files"]
    assert [f["path"] for f in files] == ["results/a.csv", "code.py"]  # relative, as given
    assert files[0]["sha256"] == hashlib.sha256(b"x\n").hexdigest()
    # the commit is not recorded: the render shows it as metadata, so a commit re-runs no cell
    assert set(out) == {"packages", "cards"} and out["packages"] == {"pandas": "1"}


def test_package_versions_names_every_package():
    versions = provenance.package_versions(["pandas", "no-such-package-here"])
    assert versions["no-such-package-here"] == "not installed"
    assert re.fullmatch(r"\d+\.\d+.*", versions["pandas"])


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_dirty_means_a_tracked_code_file_differs_from_head(tmp_path):
    repo = tmp_path / "project"
    (repo / "analysis").mkdir(parents=True)
    assert provenance.git_state(repo) == (NOT_GIT, False)  # a plain folder, e.g. a copy of the project
    git(repo, "init", "-q")
    assert provenance.git_state(repo) == (NOT_GIT, False)  # no commit yet
    (repo / "analysis" / "x.py").write_text("a = 1\n", encoding="utf-8")
    (repo / "README.md").write_text("readme\n", encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "one")
    head = git(repo, "rev-parse", "HEAD")
    assert provenance.git_state(repo) == (head, False)
    (repo / "README.md").write_text("changed prose, not code\n", encoding="utf-8")
    (repo / "analysis" / "new_untracked.py").write_text("b = 2\n", encoding="utf-8")
    assert provenance.git_state(repo) == (head, False)
    (repo / "analysis" / "x.py").write_text("a = 2\n", encoding="utf-8")
    assert provenance.git_state(repo) == (head, True)
    git(repo, "add", "analysis/x.py")  # staged but not committed: still differs from HEAD
    assert provenance.git_state(repo) == (head, True)
    # a folder inside some other checkout is not a checkout of the project
    (repo / "inner").mkdir()
    assert provenance.git_state(repo / "inner") == (NOT_GIT, False)


def _entry():
    spec = provenance.card(
        "table",
        "t",
        "write_report_text",
        f"results/{HOSTILE}.csv",
        [],
        "code.py",
        [f"data.note={json.dumps(HOSTILE)}"],
    )
    return {**spec, "files": [{**f, "sha256": "ab" * 32} for f in spec["files"]]}


def test_the_html_card_keeps_hostile_text_as_text():
    prov = {"packages": {"pandas": HOSTILE}}
    html = provenance.card_html("tbl-x", _entry(), prov)
    assert "<script" not in html and "javascript:alert" in html  # escaped, shown
    assert html.startswith('<details class="provenance" data-label="tbl-x"')
    assert f'<code class="sha256">{"ab" * (SHOWN_DIGITS // 2)}</code>' in html


def test_the_appendix_entry_is_escaped_markdown():
    text = provenance.appendix_entry("@tbl-x", _entry())
    assert text.startswith("**@tbl-x**, made by rule `write_report_text` from")
    outside_code = re.sub(r"(`+).*?\1", "", text)
    assert "#panic" in text and "#panic" not in outside_code  # the payload only inside code spans
    assert "<script" not in outside_code and "](javascript" not in outside_code


def test_commit_text():
    assert provenance.commit_text(NOT_GIT, False) == "no commit (not a git checkout)"
    assert provenance.commit_text("f" * 40, False) == "commit ffffffffffff (clean)"


def test_identity_line_names_variant_config_data_and_engine():
    identity = {
        "variant": "default",
        "config_hash": "c0ffee",
        "data_hash": "da7a",
        "differs_from_default": [],
    }
    line = report_data.identity_line(identity, "offline (qmdrender)")
    assert line == (
        "Built from the default coding (config.yaml); config hash c0ffee, data hash da7a, rendered by "
        "offline (qmdrender)."
    )


def test_a_fragments_numbered_tables_get_the_fragments_card(tmp_path, monkeypatch):
    prov = {"packages": {}, "cards": {"text/frag": _entry()}}
    (tmp_path / "provenance.json").write_text(json.dumps(prov), encoding="utf-8")
    (tmp_path / "inputs.json").write_text(
        json.dumps({"provenance": str(tmp_path / "provenance.json")}), encoding="utf-8"
    )
    monkeypatch.setenv(report_data.INPUTS_ENV, str(tmp_path / "inputs.json"))
    monkeypatch.setattr(report_data, "_carded", [])
    fragment = "Intro.\n\n| a |\n|:--|\n| 1 |\n\n: A caption. {#tbl-oos-x}\n\n| b |\n|:--|\n| 2 |\n"
    shown = report_data._carded_text("frag", fragment)
    assert shown.count('<details class="provenance" data-label="tbl-oos-x"') == 1
    assert report_data._carded == [("tbl-oos-x", "text/frag")]
    assert report_data._carded_text("other", fragment) == fragment  # no card for that fragment


# ── the built report ──────────────────────────────────────────────────────────────────────────


class _Cards(HTMLParser):
    """Every provenance card of a page: label -> [(path, shown sha256)]; and every figure/table id."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: dict[str, list[tuple[str, str]]] = {}
        self.ids: list[str] = []
        self._label: str | None = None
        self._code: str | None = None
        self._path: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if re.fullmatch(r"(fig|tbl)-[A-Za-z0-9_-]+", attrs.get("id") or ""):
            self.ids.append(attrs["id"])
        if tag == "details" and "provenance" in (attrs.get("class") or "").split():
            self._label = attrs["data-label"]
            self.cards.setdefault(self._label, [])
        if tag == "code" and self._label and attrs.get("class") in ("path", "sha256"):
            self._code = attrs["class"]

    def handle_data(self, data):
        if self._code == "path":
            self._path = data
        elif self._code == "sha256":
            self.cards[self._label].append((self._path, data))

    def handle_endtag(self, tag):
        if tag == "code":
            self._code = None
        if tag == "details":
            self._label = None


def html_cards(project: Path) -> _Cards:
    parser = _Cards()
    parser.feed((project / "results/report/report.html").read_text(encoding="utf-8"))
    return parser


def check_hashes(project: Path, cards: dict[str, list[tuple[str, str]]]) -> list[str]:
    """Every named file whose sha256 does not start with the digits its card shows."""
    wrong = []
    for label, files in cards.items():
        for path, shown in files:
            target = project / path
            if (
                not target.is_file()
                or not provenance.sha256(target).startswith(shown)
                or len(shown) < SHOWN_DIGITS
            ):
                wrong.append(f"{label}: {path} {shown}")
    return wrong


def test_every_card_in_the_html_names_files_whose_hashes_match(built_project):
    cards = html_cards(built_project).cards
    assert len(cards) >= 20 and all(cards.values())
    assert check_hashes(built_project, cards) == []
    # the property fails when a hash is wrong
    label, files = next(iter(cards.items()))
    path, shown = files[0]
    tampered = {label: [(path, ("0" if shown[0] != "0" else "1") + shown[1:])]}
    assert check_hashes(built_project, tampered) != []
    size = (built_project / "results/report/report.html").stat().st_size
    assert size < 5_000_000, f"report.html is {size} bytes"


def test_every_figure_and_table_has_a_card_in_the_html_and_an_entry_in_the_pdf(built_project, built_pdf):
    parsed = html_cards(built_project)
    numbered = {i for i in parsed.ids}
    assert numbered and numbered <= set(parsed.cards), sorted(numbered - set(parsed.cards))
    assert "headline" in parsed.cards
    # the PDF: an appendix entry per figure and table number, each with its files' hashes
    text = built_pdf.text()
    assert "Appendix C: provenance" in text
    appendix = text.rsplit("Appendix C: provenance", 1)[1]
    html_text = visible_html((built_project / "results/report/report.html").read_text(encoding="utf-8"))
    in_report = {(kind, n) for kind, n, _ in numbers(html_text) if kind in ("Figure", "Table")}
    in_appendix = {(kind, n) for kind, n, _ in numbers(appendix) if kind in ("Figure", "Table")}
    assert in_report and in_report == in_appendix, sorted(in_report ^ in_appendix)
    squeezed = appendix.replace(" ", "")
    missing = [sha for files in parsed.cards.values() for _, sha in files if sha not in squeezed]
    assert missing == []
