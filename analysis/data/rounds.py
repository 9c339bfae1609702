"""Place dates in the configured round windows (inclusive; a month or year counts from its first day)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from analysis.data.codebook import place_date


def assign_round(
    dates: Iterable[str | None], windows: Sequence[Mapping[str, str]], placement: str = "first_day"
) -> list[str]:
    """Round id holding each date, or '' when the date is missing, invalid or outside every window.

    A month- or year-precision date ('2014-07', '2014') is placed by `placement` (see
    codebook.place_date): with first_day, '2014-04' falls in a window starting 2014-04-01 even if
    the month straddles two windows.
    """
    ordered = sorted(windows, key=lambda w: w["start"])
    rounds = []
    for date in dates:
        day = place_date(date, placement) if isinstance(date, str) else ""
        rounds.append(next((w["id"] for w in ordered if day and w["start"] <= day <= w["end"]), ""))
    return rounds


def round_ids(windows: Sequence[Mapping[str, str]]) -> list[str]:
    """Round ids in date order."""
    return [w["id"] for w in sorted(windows, key=lambda w: w["start"])]
