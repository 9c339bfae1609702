"""Read the codebook (data/datapackage.json) and the partial dates it allows; type raw tables by it."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.registry import check_option

# ASCII digits only: `\d` alone would also match Devanagari, fullwidth and other scripts' digits.
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$", re.ASCII)


@dataclass(frozen=True)
class Field:
    """One column of a raw table as the codebook describes it."""

    name: str
    type: str = "string"
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    date_minimum: str | None = None  # from the custom `x-date` key: the field holds a partial date
    date_maximum: str | None = None

    @property
    def is_date(self) -> bool:
        return self.date_minimum is not None or self.date_maximum is not None


@dataclass(frozen=True)
class ForeignKey:
    """A column whose values must appear in a column of another resource."""

    fields: tuple[str, ...]
    resource: str
    reference_fields: tuple[str, ...]


@dataclass(frozen=True)
class Resource:
    """One raw table: its name, its path relative to the package, its columns and keys."""

    name: str
    path: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    referenced_fields: tuple[str, ...] = ()  # columns that other resources' foreign keys point at

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def file_name(self) -> str:
        return Path(self.path).name

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


@dataclass(frozen=True)
class Codebook:
    """All resources of the package, in codebook order."""

    resources: tuple[Resource, ...] = field(default_factory=tuple)

    def __getitem__(self, name: str) -> Resource:
        for resource in self.resources:
            if resource.name == name:
                return resource
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.resources]


def _as_tuple(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _field(spec: dict[str, Any]) -> Field:
    constraints = spec.get("constraints", {})
    bounds = spec.get("x-date", {})
    enum = constraints.get("enum")
    return Field(
        name=spec["name"],
        type=spec.get("type", "string"),
        required=bool(constraints.get("required", False)),
        unique=bool(constraints.get("unique", False)),
        enum=tuple(str(v) for v in enum) if enum is not None else None,
        pattern=constraints.get("pattern"),
        minimum=constraints.get("minimum"),
        maximum=constraints.get("maximum"),
        date_minimum=bounds.get("minimum"),
        date_maximum=bounds.get("maximum"),
    )


def load_codebook(package_path: str | Path) -> Codebook:
    """Parse the Data Package descriptor into resources, fields, primary and foreign keys."""
    package = json.loads(Path(package_path).read_text(encoding="utf-8"))
    resources = []
    for spec in package["resources"]:
        schema = spec.get("schema", {})
        foreign_keys = tuple(
            ForeignKey(
                fields=_as_tuple(fk["fields"]),
                resource=fk["reference"]["resource"],
                reference_fields=_as_tuple(fk["reference"]["fields"]),
            )
            for fk in schema.get("foreignKeys", [])
        )
        resources.append(
            Resource(
                name=spec["name"],
                path=spec["path"],
                fields=tuple(_field(f) for f in schema.get("fields", [])),
                primary_key=_as_tuple(schema.get("primaryKey")),
                foreign_keys=foreign_keys,
            )
        )
    pointed_at = {
        (fk.resource, column) for r in resources for fk in r.foreign_keys for column in fk.reference_fields
    }
    resources = [
        replace(r, referenced_fields=tuple(f.name for f in r.fields if (r.name, f.name) in pointed_at))
        for r in resources
    ]
    return Codebook(resources=tuple(resources))


# ── Partial dates (YYYY, YYYY-MM, YYYY-MM-DD) ────────────────────────────────────────────────


def date_span(text: str) -> tuple[dt.date, dt.date] | None:
    """First and last day a partial date can mean, or None when it is not a valid date."""
    match = _PARTIAL_DATE.match(text or "")
    if not match:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    if year < 1:
        return None
    try:
        if month is None:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if day is None:
            return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
        day_date = dt.date(year, month, day)
    except ValueError:
        return None
    return day_date, day_date


def date_precision(text: str) -> str:
    """`day`, `month` or `year` for a valid partial date; empty otherwise."""
    if date_span(text) is None:
        return ""
    return {4: "year", 7: "month", 10: "day"}[len(text)]


def place_date(text: str, placement: str) -> str:
    """ISO day at which a partial date is placed: its first day, the middle of its span, or its last day.

    '2014' -> 2014-01-01 | 2014-07-02 | 2014-12-31; a full date is itself; empty if invalid.
    """
    check_option("data.coarse_date_placement", placement)
    span = date_span(text)
    if not span:
        return ""
    first, last = span
    day = {
        "first_day": first,
        "last_day": last,
        "midpoint": first + dt.timedelta(days=(last - first).days // 2),
    }[placement]
    return day.isoformat()


def first_day(text: str) -> str:
    """ISO date of the first day a partial date can mean ('2014-07' -> '2014-07-01'); empty if invalid."""
    span = date_span(text)
    return span[0].isoformat() if span else ""


# ── Typing a raw table by its codebook ───────────────────────────────────────────────────────


def typed_table(frame: pd.DataFrame, resource: Resource) -> pd.DataFrame:
    """Cast a raw table read as strings to the codebook types; empty cells become missing.

    integer -> Int64, number -> Float64, boolean -> boolean (true/false), string -> str with
    empty cells kept as empty strings (so text columns never hold NaN).
    """
    typed = frame.copy()
    for spec in resource.fields:
        if spec.name not in typed.columns:
            continue
        column = typed[spec.name].fillna("").astype(str).str.strip()
        if spec.type in ("integer", "number"):
            # int() and float() accept any script's digits; the raw tables allow ASCII only
            foreign = [v for v in column if not v.isascii()]
            if foreign:
                raise ValueError(f"column {spec.name!r}: {foreign[0]!r} is not an ASCII number")
        if spec.type == "integer":
            typed[spec.name] = pd.array([int(v) if v else pd.NA for v in column], dtype="Int64")
        elif spec.type == "number":
            typed[spec.name] = pd.array([float(v) if v else pd.NA for v in column], dtype="Float64")
        elif spec.type == "boolean":
            typed[spec.name] = pd.array(
                [{"true": True, "false": False}.get(v.lower(), pd.NA) for v in column], dtype="boolean"
            )
        else:
            typed[spec.name] = column.astype(object)
    return typed
