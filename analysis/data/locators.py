"""Resolve a (source key, section, paragraph) locator to the paragraph it points at.

Convention, shared by the coders and the tests:
- a *paragraph* is a non-blank line of the seed text file;
- ``section`` is the exact text of a heading line in that file (compared after
  stripping white space); an empty section means "counted from the top of the file";
- ``paragraph`` is 1-based and counts the non-blank lines *after* the heading line.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

_README_ROW = re.compile(r"^\|\s*(?P<file>[\w.-]+\.txt)\s*\|\s*(?P<key>[\w-]+)\s*\|")


class LocatorError(LookupError):
    """A locator that does not point at a paragraph of the named document."""


@cache
def seed_files(seeds_dir: str) -> dict[str, Path]:
    """Map citation key -> seed text file, read from the seeds README table."""
    root = Path(seeds_dir)
    mapping: dict[str, Path] = {}
    for line in (root / "README.md").read_text(encoding="utf-8").splitlines():
        match = _README_ROW.match(line)
        if match:
            mapping[match["key"]] = root / match["file"]
    return mapping


@cache
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


_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_NUMBER_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]
_TENS = {
    20: "twenty",
    30: "thirty",
    40: "forty",
    50: "fifty",
    60: "sixty",
    70: "seventy",
    80: "eighty",
    90: "ninety",
}


def _month_pattern(month: int) -> str:
    name = _MONTHS[month - 1]
    return rf"(?:{name}|{name[:3]}\.?)"


def date_mentioned(text: str, date: str) -> bool:
    """Whether ``text`` states ``date`` (ISO, at its own precision: YYYY, YYYY-MM or YYYY-MM-DD).

    A day is stated as "28 July", "July 28", "28th of July" or numerically ("28.07.2014",
    "2014-07-28", "28/07/2014"); the year may stand elsewhere in the paragraph. A month is
    stated by its name; a year by its four digits.
    """
    low = text.lower()
    parts = [int(p) for p in date.split("-")]
    if len(parts) == 1:
        return re.search(rf"(?<!\d){parts[0]}(?!\d)", low) is not None
    year, month = parts[0], parts[1]
    month_re = _month_pattern(month)
    if len(parts) == 2:
        numeric = rf"(?<!\d)0?{month}[./]{year}(?!\d)"
        return re.search(rf"\b{month_re}\b", low) is not None or re.search(numeric, low) is not None
    day = parts[2]
    day_re = rf"0?{day}(?:st|nd|rd|th)?"
    patterns = [
        rf"(?<![\d.]){day_re}\s+(?:of\s+)?{month_re}\b",
        rf"\b{month_re}\s+{day_re}(?!\d)",
        rf"(?<![\d.]){day_re}[./]0?{month}[./]{year}(?!\d)",
        rf"(?<!\d){year}-{month:02d}-{day:02d}(?!\d)",
    ]
    return any(re.search(pattern, low) for pattern in patterns)


def number_words(n: int) -> list[str]:
    """Ways a count is written in prose: digits (with thousands separators) and, up to 99, words."""
    forms = [str(n), f"{n:,}"]
    if 0 <= n < len(_NUMBER_WORDS):
        forms.append(_NUMBER_WORDS[n])
    elif 20 < n < 100:
        tens, unit = divmod(n, 10)
        word = _TENS[tens * 10]
        unit_word = _NUMBER_WORDS[unit]
        forms += [word] if unit == 0 else [f"{word}-{unit_word}", f"{word} {unit_word}"]
    return forms


def count_mentioned(text: str, count: int) -> bool:
    """Whether ``text`` states the number ``count`` (as digits or as words)."""
    low = text.lower()
    return any(re.search(rf"(?<![\d.,]){re.escape(form)}(?![\d]|,\d)", low) for form in number_words(count))
