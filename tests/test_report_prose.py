"""The report never hand-types a number the data determines: every digit in its prose comes from
an inline expression, except years, section numbers and the allow-list below."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPORT = Path(__file__).resolve().parents[1] / "report" / "report.qmd"

# Names that contain a digit but are not numbers: hypothesis and question labels, forums, a flight.
ALLOWED = {
    "HP1",
    "HP2",
    "HP3",
    "RQ1",
    "RQ2",
    "G7",
    "G8",
    "G20",
    "MH17",
    "H1",
    "H0",
    "R1",
    "R2",
    "R3",
    "log10",
    "Okabe",
}
YEAR = re.compile(r"(?<![\d.])(19[4-9]\d|20[0-3]\d)(?![\d])")
SECTION_NUMBER = re.compile(r"§\s?\d+(\.\d+)*")
CODE_CELL = re.compile(r"^```\{[^}]*\}.*?^```\s*$", re.S | re.M)
RAW_BLOCK = re.compile(r"^```\{=\w+\}.*?^```\s*$", re.S | re.M)
FENCED = re.compile(r"^```.*?^```\s*$", re.S | re.M)
INLINE_EXPR = re.compile(r"`\{python\}[^`]*`")
INLINE_CODE = re.compile(r"`[^`]*`")
MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)
CROSSREF_OR_CITATION = re.compile(r"-?@[\w:.-]+")
ATTRIBUTES = re.compile(r"\{[#.][^}]*\}")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)


def prose(qmd: str) -> str:
    """The narrative text of a .qmd: no front matter, code, math, references or attributes."""
    text = FRONT_MATTER.sub("", qmd)
    for pattern in (
        CODE_CELL,
        RAW_BLOCK,
        FENCED,
        HTML_COMMENT,
        INLINE_EXPR,
        INLINE_CODE,
        MATH,
        CROSSREF_OR_CITATION,
        ATTRIBUTES,
        LINK_TARGET,
    ):
        text = pattern.sub(" ", text)
    return text


def stray_digits(text: str) -> list[str]:
    """Words of the prose that carry a digit and are neither a year, a section number nor allowed."""
    text = SECTION_NUMBER.sub(" ", text)
    text = YEAR.sub(" ", text)
    offenders = []
    for word in re.findall(r"[\w.,%–-]*\d[\w.,%–-]*", text):
        core = word.strip(".,–-")
        if core and core not in ALLOWED and re.search(r"\d", core):
            offenders.append(core)
    return offenders


def test_prose_filter_catches_a_typed_number_and_spares_the_rest():
    sample = (
        "---\ntitle: x\n---\nJapan listed 23 people in April 2014 (§4.1, HP1; @fig-lag-2; "
        "[@silbaum2017]). It had `{python} n_measures` measures.\n\n```{python}\nx = 5\n```\n"
    )
    assert stray_digits(prose(sample)) == ["23"]


def test_report_prose_has_no_hand_typed_numbers():
    if not REPORT.exists():
        pytest.fail("report/report.qmd is missing")
    offenders = stray_digits(prose(REPORT.read_text(encoding="utf-8")))
    assert offenders == [], f"digits typed into the prose of report.qmd: {offenders}"
