"""The cleaning stage, by hand-worked examples: conflict rules, date basis, rounds, conflicts and checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.data.clean import (
    attributions_with_round,
    clean_tables,
    csv_ready,
    data_checks,
    read_raw,
    resolve_measures,
)
from analysis.data.codebook import load_codebook, typed_table
from analysis.data.rounds import assign_round

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = load_codebook(ROOT / "data" / "datapackage.json")
VALID = ROOT / "tests" / "fixtures" / "valid"
PACKAGE = ROOT / "data" / "datapackage.json"
WINDOWS = [
    {"id": "R1", "label": "one", "start": "2014-03-01", "end": "2014-03-31"},
    {"id": "R2", "label": "two", "start": "2014-04-01", "end": "2014-08-31"},
]


def measure(measure_id: str, event_id: str, stage: str, date: str, source: str, **cells: str) -> dict:
    row = {name: "" for name in CODEBOOK["measures"].field_names}
    row.update(
        measure_id=measure_id,
        event_id=event_id,
        sender="JP",
        target="RU",
        instrument="travel_ban",
        stage=stage,
        date=date,
        source=source,
        paragraph="1",
        note="Made-up report for a test.",
    )
    row.update(cells)
    return row


def measures_frame(*rows: dict) -> pd.DataFrame:
    return typed_table(pd.DataFrame(list(rows)), CODEBOOK["measures"])


# Event E: three documents disagree on the announcement day and the number of persons.
#   silbaum2017 (thesis)     2014-04-29, 23 persons, cites nothing, list not public
#   hirose2014stimson        2014-04-28, 20 persons, cites a primary source, list public
#   shagina2018ac            2014-05-02, 25 persons, cites nothing, list public
THREE_REPORTS = measures_frame(
    measure("E-sil", "E", "announced", "2014-04-29", "silbaum2017", individuals="23", list_public="false"),
    measure(
        "E-hir",
        "E",
        "announced",
        "2014-04-28",
        "hirose2014stimson",
        individuals="20",
        list_public="true",
        cites="fixgov20140318",
    ),
    measure("E-sha", "E", "announced", "2014-05-02", "shagina2018ac", individuals="25", list_public="true"),
)


@pytest.mark.parametrize(
    ("rule", "date", "individuals", "list_public"),
    [
        ("prefer_thesis", "2014-04-29", 23, False),  # the thesis row
        ("prefer_primary_citation", "2014-04-28", 20, True),  # the only row with a citation
        ("earliest", "2014-04-28", 20, True),  # earliest day; smallest count; earliest row's list
        ("latest", "2014-05-02", 25, True),  # latest day; largest count; latest row's list
    ],
)
def test_each_conflict_rule(rule, date, individuals, list_public):
    clean, conflicts = resolve_measures(THREE_REPORTS, rule, "announced", WINDOWS)
    (row,) = clean.to_dict("records")
    assert (row["date_announced"], row["individuals"], row["list_public"]) == (date, individuals, list_public)
    assert row["date"] == date and row["round"] == ("R2" if date < "2014-09-01" else "")
    assert row["n_reports"] == 3 and row["has_conflict"]
    assert row["sources"] == "hirose2014stimson;shagina2018ac;silbaum2017"
    # every disagreement is recorded whatever the rule; only the kept value changes
    assert list(conflicts["field"]) == ["date_announced", "individuals", "list_public"]
    assert set(conflicts["rule"]) == {rule}
    by_field = conflicts.set_index("field")
    assert by_field.loc["date_announced", "versions"] == (
        "hirose2014stimson=2014-04-28; shagina2018ac=2014-05-02; silbaum2017=2014-04-29"
    )
    assert by_field.loc["individuals", "versions"] == (
        "hirose2014stimson=20; shagina2018ac=25; silbaum2017=23"
    )
    assert by_field.loc["date_announced", "resolved_value"] == date
    assert by_field.loc["individuals", "resolved_value"] == str(individuals)


def test_prefer_thesis_falls_back_to_earliest_without_a_thesis_report():
    frame = THREE_REPORTS[THREE_REPORTS["source"] != "silbaum2017"]
    clean, _ = resolve_measures(frame, "prefer_thesis", "announced", WINDOWS)
    assert clean.loc[0, "date_announced"] == "2014-04-28"
    assert clean.loc[0, "individuals"] == 20


def test_an_event_is_a_running_total_when_any_report_says_so():
    frame = measures_frame(
        measure(
            "T-a", "T", "announced", "2014-06-10", "silbaum2017", individuals="30", count_basis="listing"
        ),
        measure(
            "T-b",
            "T",
            "announced",
            "2014-06-10",
            "shagina2018ac",
            individuals="30",
            count_basis="running_total",
        ),
        measure("L-a", "L", "announced", "2014-07-01", "silbaum2017", individuals="5", count_basis="listing"),
        measure("U-a", "U", "announced", "2014-07-02", "silbaum2017", individuals="5"),
    )
    clean, _ = resolve_measures(frame, "prefer_thesis", "announced", WINDOWS)
    assert dict(zip(clean["event_id"], clean["count_basis"], strict=True)) == {
        "L": "listing",
        "T": "running_total",
        "U": "listing",  # a blank basis is a listing
    }


def test_prefer_primary_citation_among_several_citing_reports_takes_earliest():
    frame = measures_frame(
        measure("F-a", "F", "announced", "2014-06-10", "silbaum2017", cites="fixgov20140318"),
        measure("F-b", "F", "announced", "2014-06-03", "hirose2014stimson", cites="fixgov20140318"),
        measure("F-c", "F", "announced", "2014-06-01", "shagina2018ac"),
    )
    clean, _ = resolve_measures(frame, "prefer_primary_citation", "announced", WINDOWS)
    assert clean.loc[0, "date_announced"] == "2014-06-03"  # 06-01 is earlier but cites nothing


def test_a_finer_date_refines_a_coarser_one_without_a_conflict():
    frame = measures_frame(
        measure("G-sil", "G", "announced", "2014-07", "silbaum2017"),
        measure("G-hir", "G", "announced", "2014-07-28", "hirose2014stimson"),
    )
    for rule in ("prefer_thesis", "earliest", "latest"):
        clean, conflicts = resolve_measures(frame, rule, "announced", WINDOWS)
        assert clean.loc[0, "date_announced"] == "2014-07-28"
        assert clean.loc[0, "date_precision"] == "day"
        assert conflicts.empty and not clean.loc[0, "has_conflict"]


def test_date_basis_with_fallback_and_month_precision():
    frame = measures_frame(
        measure("H-ann", "H", "announced", "2014-03-28", "silbaum2017"),
        measure("H-inf", "H", "in_force", "2014-04-02", "silbaum2017"),
        measure("K-inf", "K", "in_force", "2014-08", "silbaum2017"),  # no announcement known
    )
    announced, _ = resolve_measures(frame, "earliest", "announced", WINDOWS)
    in_force, _ = resolve_measures(frame, "earliest", "in_force", WINDOWS)
    a, b = announced.set_index("event_id"), in_force.set_index("event_id")
    assert (a.loc["H", "date"], a.loc["H", "round"]) == ("2014-03-28", "R1")
    assert (b.loc["H", "date"], b.loc["H", "round"]) == ("2014-04-02", "R2")
    # K: basis announced falls back to the in-force month, placed on its first day
    assert tuple(a.loc["K", ["date", "date_precision", "round"]]) == ("2014-08-01", "month", "R2")
    assert a.loc["K", "date_announced"] == "" and a.loc["K", "date_in_force"] == "2014-08-01"


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2014-03-01", "R1"),  # first day of a window
        ("2014-03-31", "R1"),  # last day
        ("2014-04-01", "R2"),  # first day of the next
        ("2014-02-28", ""),  # before every window
        ("2014-09-01", ""),  # after every window
        ("2014-03", "R1"),  # a month counts from its first day
        ("2014-08", "R2"),
        ("2014", ""),  # 2014-01-01 is before R1
        ("2014-13", ""),  # not a date
        ("", ""),
    ],
)
def test_assign_round_at_window_edges(date, expected):
    assert assign_round([date], WINDOWS) == [expected]


def test_assign_round_does_not_assume_window_order():
    assert assign_round(["2014-04-15", None], list(reversed(WINDOWS))) == ["R2", ""]


def test_attributions_take_the_round_of_their_measure_or_all():
    clean_measures = pd.DataFrame({"event_id": ["E", "L"], "round": ["R2", ""]})
    attributions = pd.DataFrame({"attribution_id": ["A1", "A2", "A3"], "about_event": ["E", "", "L"]})
    assert list(attributions_with_round(attributions, clean_measures)["round"]) == ["R2", "all", ""]


def test_data_checks_counts_by_hand():
    raw = {"measures": pd.DataFrame({"measure_id": ["a", "b", "c"], "source": ["s1", "s2", "s1"]})}
    clean = {
        # F is known only to have entered into force (a year): dated by fallback, outside the rounds
        "measures": pd.DataFrame(
            {
                "event_id": ["E", "F"],
                "round": ["R2", ""],
                "date_announced": ["2014-05-01", ""],
                "date": ["2014-05-01", "2015-01-01"],
                "date_precision": ["month", "year"],
            }
        ),
        "attributions": pd.DataFrame({"round": ["all", "R1", "R1"]}),
        "pressure": pd.DataFrame({"round": ["R1", ""], "date_precision": ["month", "month"]}),
        "engagements": pd.DataFrame(
            {"round": pd.Series([], dtype=str), "date_precision": pd.Series([], dtype=str)}
        ),
        "evidence": pd.DataFrame({"round": ["R2"], "date_precision": ["day"]}),
    }
    conflicts = pd.DataFrame({"event_id": ["E", "E"], "field": ["date_announced", "individuals"]})
    checks = data_checks(raw, clean, conflicts, "earliest", WINDOWS, date_basis="announced")
    value = {(r["check"], r["table"], r["subject"]): r["value"] for r in checks.to_dict("records")}
    assert value[("rows", "measures", "")] == 3
    assert value[("events", "measures", "")] == 2
    assert value[("rows_per_source", "measures", "s1")] == 2
    assert value[("rows_per_source", "measures", "s2")] == 1
    assert value[("conflicts", "measures", "date_announced")] == 1
    assert value[("conflicts", "measures", "date_in_force")] == 0
    assert value[("outside_rounds", "measures", "")] == 1
    assert value[("outside_rounds", "pressure", "")] == 1
    assert value[("rows_per_round", "attributions", "R1")] == 2
    assert value[("rows_per_round", "attributions", "all")] == 1
    assert value[("rows_per_round", "engagements", "R2")] == 0
    assert value[("date_fallback", "measures", "announced")] == 1
    assert value[("date_precision", "measures", "year")] == 1
    assert value[("date_precision", "measures", "month")] == 1
    assert value[("date_precision", "pressure", "month")] == 2
    assert value[("date_precision", "evidence", "month")] == 0
    assert "earliest" in checks.set_index(["check", "subject"]).loc[("conflicts", "individuals"), "detail"]


def test_fixture_end_to_end():
    raw = {r.name: read_raw(VALID / r.file_name, r) for r in CODEBOOK.resources}
    clean = clean_tables(raw, "prefer_thesis", "announced", WINDOWS)
    measures = clean["measures"].set_index("event_id")
    # sorted by event_id; 13 reports -> 7 events
    assert list(clean["measures"]["event_id"]) == sorted(clean["measures"]["event_id"])
    assert len(measures) == 7 and measures["n_reports"].sum() == 13
    freeze = measures.loc["JP-freeze-2014"]
    assert (freeze["date_announced"], freeze["date_in_force"], freeze["n_reports"]) == (
        "2014-07-28",
        "2014-08-05",
        3,
    )
    assert not freeze["has_conflict"]
    assert measures.loc["JP-ban-2014", "us_requested"]
    assert measures.loc["JP-ease-2016", "round"] == ""  # after the last window
    assert measures.loc["RU-counter-2014", "date_precision"] == "month"
    # conflicts: JP-ban-2014 (day, persons, list) and JP-finance-2014 (day)
    assert list(zip(clean["conflicts"]["event_id"], clean["conflicts"]["field"], strict=True)) == [
        ("JP-ban-2014", "date_announced"),
        ("JP-ban-2014", "individuals"),
        ("JP-ban-2014", "list_public"),
        ("JP-finance-2014", "date_announced"),
    ]
    # pressure US-20140424-visit is dated '2014-04': placed on 2014-04-01, month precision
    pressure = clean["pressure"].set_index("pressure_id")
    assert tuple(pressure.loc["US-20140424-visit", ["date", "date_precision", "round"]]) == (
        "2014-04-01",
        "month",
        "R2",
    )
    assert list(clean["attributions"]["round"]) == ["R2", "all", ""]
    # booleans are written the way the codebook spells them
    text = csv_ready(clean["measures"]).to_csv(index=False)
    assert ",true," in text and ",false," in text and "True" not in text


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="conflict_resolution"):
        resolve_measures(THREE_REPORTS, "loudest", "announced", WINDOWS)


def test_flag_of_reports_keeps_blank_apart_from_false():
    from analysis.data.clean import flag_of_reports

    assert flag_of_reports(pd.Series([None, True, False], dtype=object)) is True
    assert flag_of_reports(pd.Series([False, None], dtype=object)) is False
    assert flag_of_reports(pd.Series([None, pd.NA], dtype=object)) is None
    assert flag_of_reports(pd.Series([float("nan")], dtype=object)) is None


# ── The cleaner reads through the validator's reader: what validation refuses, cleaning refuses ──

MALFORMED = Path(__file__).resolve().parent / "fixtures" / "malformed"
TABLE_LOCAL_CASES = [
    "header_space",
    "ghost_row",
    "id_case",
    "foreign_digits",
    "utf16",
    "non_utf8",
    "bad_date",
    "short_row",
    "missing_column",
    "wrong_delimiter",
]


@pytest.mark.parametrize("case", TABLE_LOCAL_CASES)
def test_cleaning_refuses_what_validation_refuses_in_the_same_words(tmp_path, monkeypatch, case):
    from analysis.data.rawtable import RawTableError
    from analysis.data.validate import validate_package

    raw = tmp_path / "raw"
    shutil.copytree(VALID, raw, ignore=shutil.ignore_patterns("*.md"))
    for broken in (MALFORMED / case).iterdir():
        shutil.copyfile(broken, raw / broken.name)
    monkeypatch.chdir(tmp_path)
    expected = {str(p) for p in validate_package(PACKAGE, "raw", round_ids=["R1", "R2", "R3"])}
    assert expected
    said = set()
    for broken in sorted((MALFORMED / case).iterdir()):
        resource = next(r for r in CODEBOOK.resources if r.file_name == broken.name)
        with pytest.raises(RawTableError) as error:
            read_raw(f"raw/{broken.name}", resource)
        said |= {str(p) for p in error.value.problems}
    # the same words; checks across tables (references, claims) are validation's alone
    assert said and said <= expected, (said, expected)
    if case in ("header_space", "ghost_row", "id_case", "utf16"):
        assert said == expected
