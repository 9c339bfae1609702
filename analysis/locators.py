"""Resolve a (source key, section, paragraph) locator to the paragraph it points at.

Convention, shared by the coders and the tests:
- a *paragraph* is a non-blank line of the seed text file;
- ``section`` is the exact text of a heading line in that file (compared after
  stripping white space); an empty section means "counted from the top of the file";
- ``paragraph`` is 1-based and counts the non-blank lines *after* the heading line.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_README_ROW = re.compile(r"^\|\s*(?P<file>[\w.-]+\.txt)\s*\|\s*(?P<key>[\w-]+)\s*\|")


class LocatorError(LookupError):
    """A locator that does not point at a paragraph of the named document."""


@lru_cache(maxsize=None)
def seed_files(seeds_dir: str) -> dict[str, Path]:
    """Map citation key -> seed text file, read from the seeds README table."""
    root = Path(seeds_dir)
    mapping: dict[str, Path] = {}
    for line in (root / "README.md").read_text(encoding="utf-8").splitlines():
        match = _README_ROW.match(line)
        if match:
            mapping[match["key"]] = root / match["file"]
    return mapping


@lru_cache(maxsize=None)
def _lines(path: Path) -> tuple[str, ...]:
    return tuple(line.strip() for line in path.read_text(encoding="utf-8").splitlines())


def paragraphs_after(lines: tuple[str, ...] | list[str], section: str) -> list[str]:
    """Non-blank lines after the heading ``section`` (or from the top when it is empty)."""
    start = 0
    if section.strip():
        wanted = section.strip()
        try:
            start = lines.index(wanted) + 1
        except ValueError as missing:
            raise LocatorError(f"no heading line {section!r}") from missing
    return [line for line in lines[start:] if line]


def resolve(seeds_dir: str | Path, source: str, section: str, paragraph: int) -> str:
    """Return the text of the paragraph a locator names; raise LocatorError if there is none."""
    files = seed_files(str(seeds_dir))
    if source not in files:
        raise LocatorError(f"{source!r} is not a seed document")
    found = paragraphs_after(_lines(files[source]), section)
    if not 1 <= paragraph <= len(found):
        raise LocatorError(
            f"{source}: section {section!r} has {len(found)} paragraphs after it, not {paragraph}"
        )
    return found[paragraph - 1]
