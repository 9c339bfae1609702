"""The one reader of the raw tables (data/raw/*.csv): validation and cleaning both read through it.

Validation and cleaning once parsed the CSVs with different parsers, and every difference was a
way for bad data to pass one and corrupt the other. Now both call `read_table` and the same
per-table checks (`table_problems`); the rules below are stated for users in docs/tables.md.

- Encoding: UTF-8 (one leading byte-order mark is dropped). A file that is not UTF-8 gets ONE
  problem: a UTF-16 file is named as such and nothing else is read from it; otherwise the first
  bad byte is located (and the rest counted) and the rows are read on with the bytes replaced.
- Header: comma-separated, naming every codebook column exactly once, spelled exactly (no spaces
  around a name, same letter case). A near miss is one problem, not "missing" plus "unexpected".
- Lines: a line that is empty or holds only spaces or tabs carries no record and is skipped. Every
  other line is a record with as many fields as the header, so a line holding only `""` is a
  one-field record (an error), never a ghost row.
- Cells are taken verbatim: no trimming, no guessing of missing values; an empty cell is missing,
  and a cell with leading or trailing spaces is an error.
- Numbers, integers and dates: ASCII digits 0-9 only (Devanagari, fullwidth or superscript
  digits are refused, naming the character); codebook patterns match ASCII only.
- Ids are compared exactly (case-sensitive), in validation and cleaning alike. So that a
  mis-typed case cannot silently make two records of one, two spellings of an id column that
  differ only in letter case are an error (id columns: primary keys and both ends of foreign keys).
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from analysis.data.codebook import Field, Resource, date_span

_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}
# ASCII only: `\d` in Python matches every script's digits.
_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)
_WHOLE = re.compile(r"[0-9]+", re.ASCII)
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a raw table, located as precisely as possible."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:" if self.line is not None else f"{self.file}:"
        what = f" column '{self.column}':" if self.column else ""
        return f"{where}{what} {self.message}"


class RawTableError(ValueError):
    """A raw table the cleaning step refuses: every problem, one per line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Table:
    """A parsed raw table: its rows as dicts keyed by codebook column, each with its starting line."""

    resource: Resource
    file: str
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)

    def values(self, column: str) -> dict[str, int]:
        """Non-empty values of a column -> first line they appear on."""
        seen: dict[str, int] = {}
        for line, row in self.rows:
            value = row.get(column, "")
            if value and value not in seen:
                seen[value] = line
        return seen

    def frame(self) -> pd.DataFrame:
        """The rows as a table of strings, in codebook column order."""
        names = self.resource.field_names
        return pd.DataFrame(
            [[row.get(n, "") for n in names] for _, row in self.rows], columns=names, dtype=object
        )


# ── Encoding ─────────────────────────────────────────────────────────────────────────────────


def _is_wide(raw: bytes) -> bool:
    """UTF-16 or UTF-32: a byte-order mark, or NUL bytes (never in a UTF-8 text table)."""
    return raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw[:200]


def _encoding_problem(raw: bytes, file: str) -> Problem | None:
    """One problem when the bytes are not UTF-8: UTF-16 named as such, else the first bad byte."""
    if _is_wide(raw):
        return Problem(
            file, 1, None, None, "file is UTF-16 (or another wide encoding), not UTF-8; save it as UTF-8"
        )
    try:
        raw.decode("utf-8")
        return None
    except UnicodeDecodeError as error:
        start = error.start
        line_start = raw.rfind(b"\n", 0, start) + 1
        line = raw[:start].count(b"\n") + 1
        rest = raw[error.end :].decode("utf-8", errors="replace").count("\ufffd")
        more = f"; {rest} more undecodable byte(s) follow" if rest else ""
        return Problem(
            file,
            line,
            _column_at(raw, line_start, start),
            raw[start : error.end].hex(),
            f"not valid UTF-8: byte 0x{raw[start : start + 1].hex()} at byte offset {start} "
            f"of the file (offset {start - line_start} in the line){more}; save the file as "
            "UTF-8",
        )


def _column_at(raw: bytes, line_start: int, offset: int) -> str | None:
    """Header name of the field holding byte `offset` (counting commas outside quotes)."""
    header = next(
        csv.reader([raw.split(b"\n", 1)[0].decode("utf-8", errors="replace").removeprefix("\ufeff")]), []
    )
    before = raw[line_start:offset].decode("utf-8", errors="replace")
    try:
        fields = next(csv.reader([before + "x"]), [])
    except csv.Error:  # a stray carriage return before the bad byte: the column cannot be told
        return None
    index = len(fields) - 1
    return header[index].strip() if 0 <= index < len(header) else None


# ── Reading one file ─────────────────────────────────────────────────────────────────────────


def _lines(text: str, consumed: list[str]) -> Iterator[str]:
    """The physical lines of `text`, each also appended to `consumed` (to see a record's raw text)."""
    for line in io.StringIO(text, newline=""):
        consumed.append(line)
        yield line


def _header_names(
    header: list[str], resource: Resource, file: str, problems: list[Problem]
) -> list[str] | None:
    """Header cells mapped to codebook names, one problem per real mismatch; None if unusable."""
    expected = resource.field_names
    by_fold = {name.casefold(): name for name in expected}
    names = []
    for cell in header:
        meant = by_fold.get(cell.strip().casefold())
        if cell in expected:
            names.append(cell)
        elif meant is not None:
            how = "spaces around the name" if cell.strip() == meant else "different letter case"
            problems.append(
                Problem(
                    file,
                    1,
                    cell,
                    None,
                    f"header name {cell!r} has {how}; the codebook names it exactly {meant!r}",
                )
            )
            names.append(meant)
        else:
            problems.append(
                Problem(file, 1, cell, None, f"unexpected column; expected only: {', '.join(expected)}")
            )
            names.append(cell)
    for position, name in enumerate(names):
        if name in names[:position]:
            problems.append(Problem(file, 1, name, None, "column appears twice in the header"))
    for name in expected:
        if name not in names:
            problems.append(Problem(file, 1, name, None, "missing column (the codebook requires it)"))
    return names


def read_table(resource: Resource, path: str | Path, file: str) -> tuple[Table | None, list[Problem]]:
    """Parse one raw CSV by the rules of the module docstring: (table or None, file-level problems).

    `file` is how problems name the file (e.g. ``data/raw/measures.csv``).
    """
    path = Path(path)
    if not path.is_file():
        return None, [Problem(file, None, None, None, "file is missing")]
    raw = path.read_bytes()
    if not raw.strip():
        return None, [Problem(file, 1, None, None, "file is empty (expected a header row)")]
    bad = _encoding_problem(raw, file)
    if _is_wide(raw):
        return None, [bad]  # UTF-16: nothing in it can be read as a table
    # Otherwise read on (bad bytes replaced) so the other tables are still checked against this one.
    text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    problems: list[Problem] = [bad] if bad is not None else []
    consumed: list[str] = []
    reader = csv.reader(_lines(text, consumed), strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        return None, [Problem(file, 1, None, None, f"cannot read the header row ({error})")]
    header_text = "".join(consumed).rstrip("\r\n")
    if len(header) == 1:
        for delimiter, name in _DELIMITERS.items():
            if delimiter in header_text:
                return None, [
                    Problem(
                        file,
                        1,
                        None,
                        header_text.strip()[:60],
                        f"header is separated by {name}; expected comma-separated",
                    )
                ]
    names = _header_names(header, resource, file, problems)
    table = Table(resource, file)
    line = 1
    while True:
        consumed.clear()
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(Problem(file, start, None, None, f"cannot parse the row ({error})"))
            line = start + max(0, len(consumed) - 1)
            continue
        record = "".join(consumed)
        line = start + len(consumed) - 1  # a quoted value may span several physical lines
        if not record.strip(" \t\r\n"):
            continue  # an empty or blank line carries no record
        if len(cells) != len(names):
            problems.append(
                Problem(
                    file,
                    start,
                    None,
                    record.strip()[:60],
                    f"row has {len(cells)} field{'' if len(cells) == 1 else 's'} but the header has "
                    f"{len(names)} "
                    "(a missing or extra comma, an unquoted comma inside a value, or a line holding "
                    "only quotes?)",
                )
            )
            continue
        table.rows.append((start, dict(zip(names, cells, strict=True))))
    return table, problems


# ── Checks of one cell and one table ─────────────────────────────────────────────────────────


def foreign_digit(value: str) -> str | None:
    """The first digit in `value` that is not ASCII 0-9, described for a message; None if none."""
    for position, char in enumerate(value, 1):
        if not char.isascii() and (char.isdigit() or char.isnumeric()):
            name = unicodedata.name(char, f"U+{ord(char):04X}")
            return f"{char!r} ({name}) at character {position}"
    return None


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.ASCII)


def check_cell(spec: Field, value: str, file: str, line: int) -> list[Problem]:
    """Every problem of one cell against its codebook field."""

    def problem(message: str) -> list[Problem]:
        return [Problem(file, line, spec.name, value, message)]

    if value == "":
        return problem("a value is required") if spec.required else []
    if value != value.strip():
        return problem(f"{value!r} has leading or trailing spaces")
    if spec.type in ("integer", "number") or spec.is_date:
        digit = foreign_digit(value)
        if digit:
            return problem(f"{value!r} holds a digit that is not ASCII 0-9: {digit}")
    if spec.type == "integer":
        if not _INTEGER.fullmatch(value):
            return problem(f"{value!r} is not an integer")
        number: float = int(value)
    elif spec.type == "number":
        if not _NUMBER.fullmatch(value):
            return problem(f"{value!r} is not a number")
        number = float(value)
        if not math.isfinite(number):
            return problem(f"{value!r} is not a finite number")
    elif spec.type == "boolean":
        if value not in ("true", "false"):
            return problem(f"{value!r} is not a boolean (expected true or false)")
        return []
    else:
        number = math.nan
    found: list[Problem] = []
    if spec.enum is not None and value not in spec.enum:
        options = " | ".join(v for v in spec.enum if v)
        found += problem(f"{value!r} is not an allowed value; expected one of: {options}")
    if spec.is_date:
        span = date_span(value)
        if span is None:
            found += problem(f"{value!r} is not a valid date (expected YYYY, YYYY-MM or YYYY-MM-DD)")
        else:
            if spec.date_minimum and span[0].isoformat() < spec.date_minimum:
                found += problem(f"{value!r} is before the earliest allowed date {spec.date_minimum}")
            if spec.date_maximum and span[1].isoformat() > spec.date_maximum:
                found += problem(f"{value!r} is after the latest allowed date {spec.date_maximum}")
    elif spec.pattern is not None and not _pattern(spec.pattern).fullmatch(value):
        found += problem(f"{value!r} does not match the pattern {spec.pattern}")
    if spec.minimum is not None and number < spec.minimum:
        found += problem(f"{value!r} is below the minimum {spec.minimum}")
    if spec.maximum is not None and number > spec.maximum:
        found += problem(f"{value!r} is above the maximum {spec.maximum}")
    return found


def _claim_values(table: Table) -> list[Problem]:
    """thesis_claims.value holds a date or a count when its `kind` says so (ASCII digits only)."""
    problems = []
    for line, row in table.rows:
        kind, value = row.get("kind", ""), row.get("value", "")
        if kind not in ("date", "count") or not value:
            continue
        digit = foreign_digit(value)
        if digit:
            message = f"{value!r} holds a digit that is not ASCII 0-9: {digit}"
        elif kind == "date" and date_span(value) is None:
            message = f"{value!r} is not a valid date (expected YYYY, YYYY-MM or YYYY-MM-DD)"
        elif kind == "count" and not _WHOLE.fullmatch(value):
            message = f"{value!r} is not a non-negative whole number"
        else:
            continue
        problems.append(Problem(table.file, line, "value", value, message))
    return problems


# Checks of one table beyond its codebook fields (the codebook cannot state them).
_ROW_RULES = {"thesis_claims": _claim_values}


def id_columns(resource: Resource) -> list[str]:
    """Columns holding ids: the primary key, unique columns, both ends of foreign keys."""
    names = set(resource.primary_key) | set(resource.referenced_fields)
    names |= {spec.name for spec in resource.fields if spec.unique}
    names |= {column for fk in resource.foreign_keys for column in fk.fields}
    return [name for name in resource.field_names if name in names]


def _case_variants(table: Table, column: str) -> list[Problem]:
    """Two spellings of one id that differ only in letter case: exact comparison would split them."""
    first: dict[str, tuple[str, int]] = {}
    problems = []
    for value, line in table.values(column).items():
        key = value.casefold()
        if key in first and first[key][0] != value:
            other, other_line = first[key]
            problems.append(
                Problem(
                    table.file,
                    line,
                    column,
                    value,
                    f"{value!r} differs only in letter case from {other!r} on line {other_line}; ids are "
                    "compared exactly, so spell one id one way",
                )
            )
        first.setdefault(key, (value, line))
    return problems


def table_problems(table: Table) -> list[Problem]:
    """Cell constraints, unique columns, the primary key and id spellings of one table."""
    problems: list[Problem] = []
    fields = list(table.resource.fields)
    for line, row in table.rows:
        for spec in fields:
            if spec.name in row:
                problems += check_cell(spec, row[spec.name], table.file, line)
    key = table.resource.primary_key
    unique_columns = [(spec.name,) for spec in fields if spec.unique]
    if key and key not in unique_columns:
        unique_columns.append(key)
    for columns in unique_columns:
        first_seen: dict[tuple[str, ...], int] = {}
        for line, row in table.rows:
            if any(column not in row for column in columns):
                continue
            value = tuple(row[column] for column in columns)
            if not all(value):
                continue
            if value in first_seen:
                problems.append(
                    Problem(
                        table.file,
                        line,
                        ", ".join(columns),
                        "|".join(value),
                        f"duplicate value {'|'.join(value)!r}: must be unique (first used on line "
                        f"{first_seen[value]})",
                    )
                )
            else:
                first_seen[value] = line
    for column in id_columns(table.resource):
        problems += _case_variants(table, column)
    if table.resource.name in _ROW_RULES:
        problems += _ROW_RULES[table.resource.name](table)
    return problems


def load_table(path: str | Path, resource: Resource, file: str | None = None) -> pd.DataFrame:
    """A raw table as strings, after the same checks validation makes of it alone; else RawTableError.

    The cleaning step runs after validation, so this fails only when a table changed in between
    or the validation was skipped; it then fails with validation's own words, never a KeyError.
    """
    label = file or Path(path).as_posix()
    table, problems = read_table(resource, path, label)
    if table is not None:
        problems += table_problems(table)
    if problems or table is None:
        raise RawTableError(problems)
    return table.frame()
