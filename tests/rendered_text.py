"""Text of rendered documents as a reader sees it, for tests that compare the HTML and the PDF."""

from __future__ import annotations

import html
import re
from collections import Counter
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


def pdf_text(path: Path) -> tuple[str, int]:
    """The PDF's text (whitespace collapsed, no-break spaces as spaces) and its page count."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\u00a0", " ").split()), len(reader.pages)


def numbers(text: str) -> Counter:
    """How often each numbered mention ("Table 4", "Figure 1 (b)") occurs in `text`."""
    return Counter(NUMBERED.findall(text))
