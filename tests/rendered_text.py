"""Text of rendered documents as a reader sees it, for tests that compare the HTML and the PDF."""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

# a number as text shows it: "Figure 1", "Table ii", "Figure 1 (b)", "Section 2.1", "Equation 3"
NUMBERED = re.compile(
    r"\b(Figure|Table|Equation|Listing|Section|Theorem|Lemma|Fig|Tab|Picture|figure)"
    r" (\d+(?:\.\d+)*|[ivxlc]+)(?: \(([a-z])\))?"
)


def visible_html(text: str) -> str:
    """The page's visible text: head, scripts and styles dropped, tags stripped, entities decoded."""
    body = text.rsplit("</head>", 1)[-1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).replace("\u00a0", " ").split())


def tidy(text: str) -> str:
    """Undo the spaces tags left around inline elements: "Figure 1 ." → "Figure 1."."""
    return re.sub(r" ([.,;:)])", r"\1", re.sub(r"\( ", "(", text))


@dataclass(frozen=True)
class PdfPages:
    """What the tests read off a PDF's pages, in one pass of pypdf (a pass over the report's 77
    pages takes seconds, and four tests read it)."""

    texts: list[str]  # each page's text as pypdf extracts it
    off_page: list[list[list]]  # each page's text runs placed off the page: [x, y, first 30 characters]
    images: int  # raster images in the file (the objects of subtype Image)

    def text(self) -> str:
        """The whole text, whitespace collapsed and no-break spaces as spaces."""
        return " ".join(" ".join(self.texts).replace("\u00a0", " ").split())


def read_pdf(path: Path) -> PdfPages:
    """Every page's text, the text runs placed off the page, and the file's raster images.

    Text inside the SVG figures sits in form XObjects whose placement pypdf does not report (it
    shows up at y = 0 in local coordinates); typst scales every figure to the text width, so those
    runs are never counted as off the page.
    """
    from pypdf import PdfReader
    from pypdf.generic import IndirectObject

    reader = PdfReader(path)
    texts, off_page = [], []
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        outside = []

        def visit(text, cm, tm, font, size, outside=outside, width=width, height=height):
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            if text.strip() and y != 0 and not (0 <= x <= width and 0 < y <= height):
                outside.append([round(x), round(y), text[:30]])

        texts.append(page.extract_text(visitor_text=visit) or "")
        off_page.append(outside)
    # every object of the file once (pypdf's page.images walks each page's figures again: 3x longer)
    numbers = {(n, generation) for generation, found in reader.xref.items() for n in found}
    numbers |= {(n, 0) for n in reader.xref_objStm}
    images = 0
    for n, generation in sorted(numbers):
        found = reader.get_object(IndirectObject(n, generation, reader))
        images += isinstance(found, dict) and found.get("/Subtype") == "/Image"
    return PdfPages(texts, off_page, images)


def pdf_text(path: Path) -> tuple[str, int]:
    """The PDF's text (whitespace collapsed, no-break spaces as spaces) and its page count."""
    pages = read_pdf(path)
    return pages.text(), len(pages.texts)


def numbers(text: str) -> Counter:
    """How often each numbered mention ("Table 4", "Figure 1 (b)") occurs in `text`."""
    return Counter(NUMBERED.findall(text))
