"""Text from data or config, made safe for each place the report puts it: text, never markup or code.

Every string the report shows that comes from a table or from config passes through one of these
functions, and nowhere else is anything escaped by hand:

- `md_text`: a value inside pandoc Markdown (prose, headings, pipe-table cells). Pandoc then
  writes it as escaped text in the HTML and as escaped text in the Typst source, so raw HTML,
  Markdown links, citations, Typst code (`#panic()`, `#read(..)`) all show as typed.
- `Markdown`: markup the report's own code builds (citations, emphasis) and trusts; tables
  and prose leave it as it is. Wrap only text that code wrote, never text from data.
- `md_doc`: documentation the project wrote (codebook and registry descriptions): its
  `*emphasis*` and `` `code` `` are kept, everything else is text as with `md_text`.
- `md_code`: a value shown as inline code, in a fence no backtick in it can close.
- `md_link`: a link, only for a column the codebook declares a URL, and only to http(s).
- `script_json`: JSON placed inside an HTML <script> element (the Vega specs).
- `typst_string`: a Typst string literal (e.g. an image's alt text in raw Typst).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, urlsplit

# The ASCII characters that can open markup inside a line of pandoc Markdown: code, emphasis,
# attributes, links and images (`[`), raw HTML and autolinks (`<`), entities (`&`), headings,
# table cells, citations, math, sub/superscript and strikeout; and the quotes, dash and dot runs,
# so that data is shown as typed (pandoc would curl quotes, make `--` a dash, `...` an
# ellipsis). The rest (`(`, `:`, `!`, `=`, a single `-` ...) cannot start anything once `[` and
# `<` are escaped. Whitespace is folded, so a value never begins a line of its own (no list or
# block syntax).
_MARKUP = re.compile(r"""([\\`*_{}\[\]<>#|@$~^&'"])""")
# Runs pandoc's typography would turn into a dash or an ellipsis: escaped after the first mark.
_RUNS = re.compile(r"-{2,}|\.{3,}")
_SCHEMES = ("http", "https")


class Markdown:
    """Markdown shown as a cell's output (`text/markdown`), in Jupyter, Quarto and the offline engine.

    Only code builds it; `md_text` and the tables pass it through unchanged.
    """

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_markdown_(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text

    # Compared and hashed as its text, so tables of it compare as tables of strings.
    def __eq__(self, other: object) -> bool:
        return self.text == (other.text if isinstance(other, Markdown) else other)

    def __hash__(self) -> int:
        return hash(self.text)

    def __repr__(self) -> str:
        return f"Markdown({self.text!r})"

    # Joined into a longer Markdown string by code: the result is plain Markdown text.
    def __add__(self, other: object) -> str:
        return self.text + str(other)

    def __radd__(self, other: object) -> str:
        return str(other) + self.text


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        import pandas as pd

        return not isinstance(value, str) and bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def md_text(value: Any) -> str:
    """`value` as literal text inside pandoc Markdown: whitespace folded to single spaces and every
    character with a Markdown meaning backslash-escaped. A `Markdown` value is returned as is."""
    if isinstance(value, Markdown):
        return value.text
    if _missing(value):
        return ""
    return _escape(" ".join(str(value).split()))


def _escape(text: str) -> str:
    text = _MARKUP.sub(r"\\\1", text)
    return _RUNS.sub(lambda run: run[0][0] + "".join("\\" + mark for mark in run[0][1:]), text)


def md_code(value: Any) -> str:
    """`value` as an inline code span (literal in HTML and Typst), whatever backticks it holds."""
    text = "" if _missing(value) else " ".join(str(value).split())
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


_DOC_CITATION = re.compile(r"\\@([a-z0-9_-]+)")  # a citation of a sources key, kept in project docs
_CODE_SPAN = re.compile(r"(`[^`]+`)")


def md_doc(value: Any) -> Markdown:
    """Project-written documentation as Markdown: code spans, `*`/`_` emphasis and `@key` citations
    kept, the rest escaped as by `md_text` (so no HTML, link or Typst code can come through)."""
    if _missing(value):
        return Markdown("")

    def prose(part: str) -> str:
        kept = _escape(part).replace("\\*", "*").replace("\\_", "_")
        return _DOC_CITATION.sub(r"@\1", kept)

    parts = _CODE_SPAN.split(" ".join(str(value).split()))
    return Markdown("".join(part if index % 2 else prose(part) for index, part in enumerate(parts)))


def is_web_url(url: str) -> bool:
    """An absolute http(s) URL with a host: the only links the report makes."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in _SCHEMES and bool(parts.netloc)


def safe_url(url: str) -> str:
    """An http(s) URL with every character that could end a field or attribute percent-encoded.

    Raises ValueError for any other scheme (`javascript:`, `data:`, `file:`, relative paths).
    """
    if not is_web_url(url):
        raise ValueError(f"{url!r} is not an http(s) URL")
    return quote(url.strip(), safe=":/?#[]@!$&'()*+,;=%~-._")


def md_link(text: Any, url: Any) -> str:
    """A Markdown link to an http(s) URL (from a codebook URL column); plain text otherwise."""
    label = md_text(text)
    if _missing(url) or not is_web_url(str(url)):
        return label
    target = safe_url(str(url)).replace("(", "%28").replace(")", "%29")
    return f"[{label or md_text(target)}]({target})"


def script_json(data: Any) -> str:
    """JSON to embed in an HTML <script>: `<`, `>`, `&` and the JS line separators as \\u escapes,
    so no value can close the element (`</script>`) or open a comment (`<!--`)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, allow_nan=False)
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def typst_string(text: Any) -> str:
    """A Typst string literal holding `text` verbatim (Typst escapes: \\\\ \\" \\n \\r \\t \\u{..})."""
    out = []
    for char in "" if _missing(text) else str(text):
        if char in '\\"':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{{{ord(char):x}}}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
