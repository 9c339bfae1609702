"""The validation stage: the synthetic fixture passes, every malformed case is located; the rule fails safely.

NOTE: `test_real_raw_tables_validate` skips while data/raw/ is still being written; once all seven
raw tables exist it MUST pass (the real data validate with zero problems).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.data.validate import Problem, validate_package

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "data" / "datapackage.json"
VALID = ROOT / "tests" / "fixtures" / "valid"
MALFORMED = ROOT / "tests" / "fixtures" / "malformed"
TABLES = ["sources", "measures", "pressure", "attributions", "engagements", "evidence", "thesis_claims"]
ROUND_IDS = ["R1", "R2", "R3"]


def overlay(tmp_path: Path, *cases: str) -> Path:
    """The valid fixture under tmp_path/raw with each case's broken files copied over it."""
    raw = tmp_path / "raw"
    shutil.copytree(VALID, raw, ignore=shutil.ignore_patterns("*.md"))
    for case in cases:
        for broken in (MALFORMED / case).iterdir():
            shutil.copyfile(broken, raw / broken.name)
    return raw


def problems_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *cases: str) -> list[Problem]:
    overlay(tmp_path, *cases)
    monkeypatch.chdir(tmp_path)  # so problems name files as "raw/<table>.csv"
    return validate_package(PACKAGE, "raw", round_ids=ROUND_IDS)


def test_valid_fixture_has_no_problems():
    assert validate_package(PACKAGE, VALID, round_ids=ROUND_IDS) == []


# case, file, line, column, words the message must contain
CASES = [
    ("bad_date", "raw/measures.csv", 4, "date", "is not a valid date"),
    ("unknown_category", "raw/pressure.csv", 3, "channel", "'sideways' is not an allowed value"),
    ("duplicate_id", "raw/engagements.csv", 3, "engagement_id", "first used on line 2"),
    ("dangling_source", "raw/attributions.csv", 3, "source", "'nosuchseed2014' is not a value of column key"),
    ("negative_count", "raw/measures.csv", 6, "entities", "below the minimum 0"),
    ("missing_column", "raw/evidence.csv", 1, "cluster", "missing column"),
    ("wrong_delimiter", "raw/thesis_claims.csv", 1, None, "expected comma-separated"),
    ("tab_delimiter", "raw/engagements.csv", 1, None, "separated by tabs; expected comma-separated"),
    ("non_utf8", "raw/sources.csv", 4, "note", "not valid UTF-8: byte 0xe9"),
    ("empty_file", "raw/pressure.csv", 1, None, "file is empty"),
    ("header_space", "raw/measures.csv", 1, "note ", "has spaces around the name"),
    ("ghost_row", "raw/measures.csv", 5, None, "row has 1 field but the header has"),
    ("id_case", "raw/measures.csv", 3, "event_id", "differs only in letter case from 'JP-visa-2014'"),
    ("foreign_digits", "raw/measures.csv", 2, "paragraph", "not ASCII 0-9: '२' (DEVANAGARI DIGIT TWO)"),
    ("utf16", "raw/sources.csv", 1, None, "file is UTF-16"),
    ("organisation_author", "raw/sources.csv", 3, "author", "does not match the pattern"),
]


@pytest.mark.parametrize(("case", "file", "line", "column", "words"), CASES, ids=[c[0] for c in CASES])
def test_malformed_case_is_rejected_with_its_location(tmp_path, monkeypatch, case, file, line, column, words):
    problems = problems_in(tmp_path, monkeypatch, case)
    assert problems, f"{case} was not rejected"
    hits = [
        p for p in problems if p.file == file and p.line == line and p.column == column and words in p.message
    ]
    assert hits, "\n".join(str(p) for p in problems)
    text = str(hits[0])
    assert text.startswith(f"{file}:{line}:")
    if column:
        assert f"column '{column}'" in text


# The cases where validation and cleaning once read the same bytes differently: each is ONE problem
# per real fault (no knock-on messages), and the cleaner refuses it in the same words.
ONE_PROBLEM_CASES = ["header_space", "ghost_row", "id_case", "utf16"]


@pytest.mark.parametrize("case", ONE_PROBLEM_CASES)
def test_one_real_fault_gives_one_message(tmp_path, monkeypatch, case):
    problems = problems_in(tmp_path, monkeypatch, case)
    assert len(problems) == 1, "\n".join(str(p) for p in problems)


def test_digits_of_other_scripts_are_refused_where_numbers_and_dates_are_expected(tmp_path, monkeypatch):
    problems = problems_in(tmp_path, monkeypatch, "foreign_digits")
    located = {(p.file, p.line, p.column) for p in problems if "not ASCII 0-9" in p.message}
    assert located == {
        ("raw/measures.csv", 2, "paragraph"),  # Devanagari
        ("raw/measures.csv", 3, "date"),  # fullwidth year
        ("raw/measures.csv", 4, "individuals"),  # fullwidth count
        ("raw/thesis_claims.csv", 3, "value"),
    }, "\n".join(str(p) for p in problems)
    assert len(problems) == 4


def test_cell_constraints_from_the_codebook(tmp_path, monkeypatch):
    problems = problems_in(tmp_path, monkeypatch, "cell_constraints")
    located = [(p.line, p.column, p.message) for p in problems if p.file == "raw/measures.csv"]
    expected = [
        (2, "date", "before the earliest allowed date 1945-01-01"),  # x-date minimum
        (3, "measure_id", "does not match the pattern"),
        (4, "list_public", "is not a boolean"),
        (5, "note", "a value is required"),
        (6, "individuals", "is not an integer"),
    ]
    for line, column, words in expected:
        assert any(p[:2] == (line, column) and words in p[2] for p in located), (line, column, located)


def test_problem_text_names_file_line_column_and_value(tmp_path, monkeypatch):
    (problem,) = problems_in(tmp_path, monkeypatch, "bad_date")
    assert str(problem) == (
        "raw/measures.csv:4: column 'date': '2014-13-01' is not a valid date "
        "(expected YYYY, YYYY-MM or YYYY-MM-DD)"
    )


def test_non_utf8_names_the_byte_offset(tmp_path, monkeypatch):
    raw = overlay(tmp_path, "non_utf8")
    data = (raw / "sources.csv").read_bytes()
    offset = data.index(b"\xe9")
    monkeypatch.chdir(tmp_path)
    (problem,) = validate_package(PACKAGE, "raw", round_ids=ROUND_IDS)
    assert f"byte offset {offset} of the file" in problem.message
    assert problem.line == data[:offset].count(b"\n") + 1 == 4


def test_every_problem_is_reported_at_once(tmp_path, monkeypatch):
    cases = [
        "bad_date",
        "unknown_category",
        "duplicate_id",
        "dangling_source",
        "missing_column",
        "wrong_delimiter",
        "non_utf8",
    ]
    problems = problems_in(tmp_path, monkeypatch, *cases)
    located = {(p.file, p.line) for p in problems}
    for case, file, line, _column, _words in CASES:
        if case in cases:
            assert (file, line) in located, case


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.one_of(
        st.binary(max_size=400), st.text(alphabet=',"\n\r;\t -aJP0129', max_size=400).map(str.encode)
    )
)
def test_arbitrary_bytes_after_the_header_never_crash(tmp_path_factory, body):
    raw = overlay(tmp_path_factory.mktemp("fuzz"))
    header = (VALID / "measures.csv").read_bytes().split(b"\n", 1)[0]
    (raw / "measures.csv").write_bytes(header + b"\n" + body)
    problems = validate_package(PACKAGE, raw, round_ids=ROUND_IDS)
    assert all(isinstance(p, Problem) and p.file.endswith(".csv") for p in problems)


def test_missing_file_is_named(tmp_path, monkeypatch):
    raw = overlay(tmp_path)
    (raw / "engagements.csv").unlink()
    monkeypatch.chdir(tmp_path)
    problems = validate_package(PACKAGE, "raw", round_ids=ROUND_IDS)
    assert any(p.file == "raw/engagements.csv" and "missing" in p.message for p in problems)


def test_short_row_and_quoted_newline_do_not_crash_and_keep_line_numbers(tmp_path, monkeypatch):
    problems = problems_in(tmp_path, monkeypatch, "short_row")
    engagement = [p for p in problems if p.file == "raw/engagements.csv"]
    # line 2 has 3 fields; lines 3-4 are one record (a quoted newline); line 5 has an unknown kind
    assert [(p.line, p.column) for p in engagement] == [(2, None), (5, "kind")]
    assert "3 fields but the header has 15" in engagement[0].message


def test_cross_table_references(tmp_path, monkeypatch):
    problems = problems_in(tmp_path, monkeypatch, "cross_refs")
    found = {(p.file, p.line, p.column) for p in problems}
    expected = {
        ("raw/measures.csv", 4, "cites"),  # cites an unknown key
        ("raw/measures.csv", 7, "date"),  # in force before announced
        ("raw/measures.csv", 8, "sender"),  # reports of one event disagree on the sender
        ("raw/measures.csv", 14, "paragraph"),  # a primary source (public record) with a seed locator
        ("raw/attributions.csv", 2, "about_event"),
        ("raw/evidence.csv", 3, "rests_on"),
        ("raw/thesis_claims.csv", 3, "target_id"),  # no such event
        ("raw/thesis_claims.csv", 5, "target_id"),  # HP4 is not a hypothesis
    }
    assert expected <= found, "\n".join(str(p) for p in problems)
    in_force = [p for p in problems if p.line == 7 and p.column == "date"]
    assert any("line 6" in p.message for p in in_force)


def test_round_ids_restrict_verdict_targets(tmp_path):
    # HP1:R1 is a verdict target when R1 is a round id, not when only finer ids exist
    assert validate_package(PACKAGE, VALID, round_ids=["R1", "R2", "R3"]) == []
    problems = validate_package(PACKAGE, VALID, round_ids=["R2a", "R2b"])
    assert [(p.line, p.column) for p in problems if "thesis_claims" in p.file] == [(5, "target_id")]


def test_real_raw_tables_validate(monkeypatch):
    raw = ROOT / "data" / "raw"
    missing = [t for t in TABLES if not (raw / f"{t}.csv").is_file()]
    if missing:
        pytest.skip(f"data/raw is incomplete (missing: {', '.join(missing)}); must pass once it exists")
    import yaml

    from analysis.config import validate_config

    config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    validate_config(config)
    round_ids = sorted({w["id"] for windows in config["rounds"]["definitions"].values() for w in windows})
    monkeypatch.chdir(ROOT)  # so problems name files as "data/raw/<table>.csv"
    problems = validate_package("data/datapackage.json", "data/raw", round_ids=round_ids)
    assert problems == [], "\n".join(str(p) for p in problems)


# ── Workflow level: snakemake fails on a broken table and leaves no half-written output ──────

PROJECT_PARTS = [
    "Snakefile",
    "workflow",
    "config.yaml",
    "data",
    "analysis",
    "scripts",
    "profiles",
    "envs",
    "pyproject.toml",
]


def _snakemake(workdir: Path, *targets: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "1", *targets],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_workflow_fails_on_a_broken_table_and_keeps_earlier_outputs(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    for part in PROJECT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, project / part, ignore=shutil.ignore_patterns("raw", "__pycache__"))
        else:
            shutil.copyfile(source, project / part)
    shutil.copytree(VALID, project / "data" / "raw", ignore=shutil.ignore_patterns("*.md"))
    report = project / "results" / "validated" / "validation.json"
    cleaned = project / "results" / "clean" / "measures.csv"

    first = _snakemake(project, "results/clean/measures.csv")
    assert first.returncode == 0, first.stderr[-3000:]
    assert report.is_file() and '"problems": 0' in report.read_text(encoding="utf-8")
    report_before = report.read_bytes()
    clean_before = {
        path.name: (path.stat().st_mtime_ns, path.read_bytes()) for path in cleaned.parent.iterdir()
    }

    # the same broken cell as the unknown_category case: pressure line 3
    shutil.copyfile(
        MALFORMED / "unknown_category" / "pressure.csv", project / "data" / "raw" / "pressure.csv"
    )
    second = _snakemake(project, "results/clean/measures.csv")
    assert second.returncode != 0
    assert "data/raw/pressure.csv:3: column 'channel': 'sideways'" in second.stdout + second.stderr
    # Snakemake removes the outputs of a failed job: no report (old or half-written) is left behind ...
    assert not report.exists()
    leftovers = sorted(report.parent.iterdir()) if report.parent.exists() else []
    assert leftovers == []
    # ... and the cleaned tables of the earlier, valid run are untouched (the rule never ran).
    clean_after = {
        path.name: (path.stat().st_mtime_ns, path.read_bytes()) for path in cleaned.parent.iterdir()
    }
    assert clean_after == clean_before

    # Mending the table brings back the very same report and cleaned tables (byte for byte).
    shutil.copyfile(VALID / "pressure.csv", project / "data" / "raw" / "pressure.csv")
    third = _snakemake(project, "results/clean/measures.csv")
    assert third.returncode == 0, third.stderr[-3000:]
    assert report.read_bytes() == report_before
    assert {path.name: path.read_bytes() for path in cleaned.parent.iterdir()} == {
        name: content for name, (_mtime, content) in clean_before.items()
    }


# ── Rows coded from public sources (the 2022 round): a URL instead of a seed locator ─────────

PUBLIC_SOURCE = (
    "wire20220408,wire,online,Fixture Agency,Synthetic wire report,Fixture site,Fixture Agency,"
    "2022-04-08,{url},,,Synthetic row for tests only.\n"
)
PUBLIC_MEASURE = (
    "JP-20220408-coal-wire,JP-coal-2022,JP,RU,energy_import_ban,,announced,2022-04-08,,,,,"
    ",wire20220408,{section},{paragraph},,,,Fixture note: a wire reports a coal ban.,"
    "stated,,,\n"
)


def _with_public_rows(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    url: str = "https://example.org/wire",
    section: str = "",
    paragraph: str = "",
) -> list[Problem]:
    raw = overlay(tmp_path)
    with (raw / "sources.csv").open("a", encoding="utf-8") as handle:
        handle.write(PUBLIC_SOURCE.format(url=url))
    with (raw / "measures.csv").open("a", encoding="utf-8") as handle:
        handle.write(PUBLIC_MEASURE.format(section=section, paragraph=paragraph))
    monkeypatch.chdir(tmp_path)
    return validate_package(PACKAGE, "raw", round_ids=ROUND_IDS)


def test_public_source_row_needs_no_locator(tmp_path, monkeypatch):
    assert _with_public_rows(tmp_path, monkeypatch) == []


def test_public_source_needs_its_url(tmp_path, monkeypatch):
    problems = _with_public_rows(tmp_path, monkeypatch, url="")
    assert [(p.file, p.column) for p in problems] == [("raw/sources.csv", "url")]
    assert "needs the URL" in problems[0].message


def test_public_source_row_carries_no_seed_locator(tmp_path, monkeypatch):
    problems = _with_public_rows(tmp_path, monkeypatch, section="Some heading", paragraph="3")
    assert {(p.file, p.column) for p in problems} == {
        ("raw/measures.csv", "section"),
        ("raw/measures.csv", "paragraph"),
    }
    assert all("public source" in p.message for p in problems)


def test_seed_row_still_needs_its_paragraph(tmp_path, monkeypatch):
    raw = overlay(tmp_path)
    lines = (raw / "measures.csv").read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace(",Fixture heading 1,2,", ",Fixture heading 1,,")
    (raw / "measures.csv").write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    problems = validate_package(PACKAGE, "raw", round_ids=ROUND_IDS)
    assert [(p.file, p.line, p.column) for p in problems] == [("raw/measures.csv", 2, "paragraph")]


def test_thesis_claims_cannot_come_from_a_public_source(tmp_path, monkeypatch):
    raw = overlay(tmp_path)
    with (raw / "sources.csv").open("a", encoding="utf-8") as handle:
        handle.write(PUBLIC_SOURCE.format(url="https://example.org/wire"))
    lines = (raw / "thesis_claims.csv").read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace(",silbaum2017,Fixture heading 2,1,", ",wire20220408,,,")
    (raw / "thesis_claims.csv").write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    problems = validate_package(PACKAGE, "raw", round_ids=ROUND_IDS)
    assert [(p.file, p.line, p.column) for p in problems] == [("raw/thesis_claims.csv", 2, "source")]
    assert "kind seed" in problems[0].message


def test_a_disagreement_about_an_unknown_row_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    raw = overlay(tmp_path)
    (raw / "disagreements.csv").write_text(
        "disagreement_id,kind,about,versions,source,section,paragraph,note\n"
        "DG-001,citation_error,NO-SUCH-ROW,a: x | b: y,silbaum2017,,1,n\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    problems = validate_package(PACKAGE, "raw", round_ids=ROUND_IDS)
    assert [(p.file, p.line, p.column, p.value) for p in problems] == [
        ("raw/disagreements.csv", 2, "about", "NO-SUCH-ROW")
    ]


def test_public_record_rows_have_no_seed_locator_and_seed_rows_need_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    raw = overlay(tmp_path)
    measures = (raw / "measures.csv").read_text(encoding="utf-8").splitlines()
    header = measures[0].split(",")
    sources = (raw / "sources.csv").read_text(encoding="utf-8").splitlines()
    primary = next(line.split(",")[0] for line in sources[1:] if line.split(",")[1] == "primary")
    row = dict(zip(header, next(csv.reader([measures[1]])), strict=True))
    public = row | {"measure_id": "X-pr", "source": primary, "section": "", "paragraph": "", "note": "gist"}
    located = public | {"measure_id": "X-pr2", "paragraph": "3"}
    seed_without = row | {"measure_id": "X-seed", "paragraph": ""}
    with (raw / "measures.csv").open("a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writerows([public, located, seed_without])
    monkeypatch.chdir(tmp_path)
    problems = [
        (p.column, p.message)
        for p in validate_package(PACKAGE, "raw", round_ids=ROUND_IDS)
        if p.file == "raw/measures.csv"
    ]
    assert problems == [
        (
            "paragraph",
            f"a locator points into a seed; {primary!r} is a public source (its URL locates the "
            "row): leave it empty",
        ),
        ("paragraph", "a row coded from the seed 'silbaum2017' needs its paragraph locator"),
    ]
