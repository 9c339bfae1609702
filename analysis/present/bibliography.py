"""Turn the sources table into the report's BibLaTeX bibliography."""

from __future__ import annotations

import re

import pandas as pd

from analysis.present.safe import safe_url

# Characters BibLaTeX treats as markup in ordinary fields. Backslash and braces too: left as they
# are, `\href{javascript:..}{..}` in a title becomes a live link in the rendered bibliography.
_ESCAPES = {
    "\\": r"\textbackslash{}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    **{char: "\\" + char for char in "&%$#_{}"},
}
_CONTAINER_FIELD = {
    "article": "journaltitle",
    "incollection": "booktitle",
    "online": "organization",
    "report": "institution",
    "thesis": "institution",
    "book": "publisher",
    "misc": "howpublished",
}


def _escape(text: str) -> str:
    """Text as BibLaTeX shows it verbatim (one line: a newline could end a field)."""
    return "".join(_ESCAPES.get(char, char) for char in " ".join(text.split()))


def _braced(text: str) -> str:
    """Text BibLaTeX prints as written: neither split at " and " (list fields, names) nor re-cased."""
    return "{" + _escape(text) + "}"


def _author(name: str) -> str:
    """Persons as 'Last, First and …'; an organisation (no comma) is braced so it is not split."""
    name = name.strip()
    return _escape(name) if "," in name else _braced(name)


# Scripts the PDF fonts cannot set (CJK); such a title is shown by its bracketed English translation.
_UNSET_SCRIPT = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
_TRANSLATION = re.compile(r"\[([^\]]+)\]\s*$")


def display_title(title: str) -> str:
    """The title as the bibliography prints it: a CJK title with an English translation in brackets
    becomes '[translation] (in Japanese)' (the original stays in data/raw/sources.csv)."""
    match = _TRANSLATION.search(title)
    if _UNSET_SCRIPT.search(title) and match:
        return f"[{match.group(1).strip()}] (in Japanese)"
    return title


def display_container(container: str) -> str:
    """A CJK container name with a Latin name in parentheses, e.g. '中央日報 (JoongAng Ilbo)', is
    shown by that name."""
    match = re.search(r"\(([^)]+)\)\s*$", container)
    if _UNSET_SCRIPT.search(container) and match:
        return match.group(1).strip()
    return container


def bib_entry(row: pd.Series) -> str:
    """One BibLaTeX entry for a sources row (key, entry_type, author, title, container, …)."""
    fields: list[tuple[str, str]] = [
        ("author", _author(str(row["author"]))),
        ("title", _braced(display_title(str(row["title"])))),
        ("date", str(row["date"])),
    ]
    container = display_container(str(row.get("container") or "").strip())
    publisher = str(row.get("publisher") or "").strip()
    entry_type = str(row["entry_type"])
    # Braced like the title: BibLaTeX splits organization, institution and publisher at " and "
    # ("Department of Foreign Affairs and Trade" became two names) and re-cased a container.
    if container:
        fields.append((_CONTAINER_FIELD.get(entry_type, "howpublished"), _braced(container)))
    # a book's container field is its publisher; without a container the publisher goes in as is
    if publisher and (_CONTAINER_FIELD.get(entry_type) != "publisher" or not container):
        fields.append(("publisher", _braced(publisher)))
    if entry_type == "thesis":
        fields.append(("type", "mathesis"))
    url = str(row.get("url") or "").strip()
    if url:
        # only http(s) (the codebook's url pattern), with braces and the like percent-encoded
        fields.append(("url", safe_url(url)))
        accessed = str(row.get("accessed") or "").strip()
        if accessed:
            fields.append(("urldate", accessed))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry_type}{{{row['key']},\n{body}\n}}\n"


def bibliography(sources: pd.DataFrame) -> str:
    """The whole .bib file, entries in key order so rebuilds are byte-identical."""
    ordered = sources.fillna("").sort_values("key")
    header = "% Generated from data/raw/sources.csv by analysis/present/bibliography.py; do not edit.\n\n"
    return header + "\n".join(bib_entry(row) for _, row in ordered.iterrows())
