"""The workflow as a user runs it: lint, dry run, one real end-to-end build, a no-op rerun, and
a config edit that reruns only the rules that read the edited key."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import yaml
from browser import open_offline
from workspace import PROJECT, built_copy, fresh_copy, git, run


def planned_rules(dry_run_output: str) -> set[str]:
    """Rule names of the jobs a dry run would execute (from its job-stats table)."""
    table = dry_run_output.split("Job stats:", 1)[-1]
    rules = set()
    for line in table.splitlines():
        match = re.match(r"^(\w+)\s+\d+$", line.strip())
        if match and match.group(1) not in {"total", "job", "count"}:
            rules.add(match.group(1))
    return rules


def test_lint_is_clean():
    result = run(["--lint"], PROJECT, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dry_run_plans_every_stage(tmp_path):
    project = fresh_copy(tmp_path / "project")
    result = run(["-n"], project)
    rules = planned_rules(result.stdout + result.stderr)
    for stage in [
        "validate_raw",
        "clean_data",
        "score_stringency",
        "score_attainment",
        "score_influence",
        "score_process_tracing",
        "score_reactivity",
        "decide_verdicts",
        "make_figures",
        "render_report",
        "all",
    ]:
        assert stage in rules


@pytest.mark.slow
def test_build_writes_html_and_pdf_report(built_project):
    html = (built_project / "results/report/report.html").read_text(encoding="utf-8")
    pdf = built_project / "results/report/report.pdf"
    assert pdf.stat().st_size > 10_000
    for heading in ["Round 1", "Round 2", "Round 3", "Replication", "References"]:
        assert heading in html, heading
    # Every figure is drawn from its spec in the page, and nothing is fetched from outside it.
    config = yaml.safe_load((built_project / "config.yaml").read_text(encoding="utf-8"))
    assert config["report"]["engine"] in {"auto", "offline", "quarto"}
    assert html.count("vegaEmbed(") >= 7
    assert not re.search(r"<script[^>]+src=\"https?://", html)
    assert not re.search(r"<link[^>]+href=\"https?://[^\"]+\.css", html)
    assert "?@" not in html  # no unresolved cross-reference


@pytest.mark.slow
def test_pdf_holds_the_sections_figures_and_references(built_pdf):
    # captions and references keep their number with a no-break space, as typeset text should
    text = "\n".join(built_pdf.texts).replace("\xa0", " ")
    for needle in ["Round 1", "Round 2", "Round 3", "Figure 1", "Table 1", "References"]:
        assert needle in text, needle
    assert "?@" not in text
    for number in range(1, 8):  # the seven figures of the report, each with its caption
        assert f"Figure {number}:" in text
    # every chart is vector: typst draws the SVGs as paths and text, so the file holds no raster image
    assert built_pdf.images == 0


@pytest.mark.slow
def test_html_and_pdf_number_every_figure_table_equation_and_section_alike(built_project, built_pdf):
    from rendered_text import numbers, visible_html

    page = visible_html((built_project / "results/report/report.html").read_text(encoding="utf-8"))
    assert numbers(page) == numbers(built_pdf.text())


@pytest.mark.slow
def test_pdf_text_stays_inside_the_page(built_pdf):
    """No table or paragraph runs off its page: every text run pypdf can place lies on the page
    (rendered_text.read_pdf says which runs it cannot place)."""
    for number, outside in enumerate(built_pdf.off_page, 1):
        assert outside == [], f"page {number}: text off the page: {outside[:5]}"


@pytest.mark.slow
def test_second_run_has_nothing_to_do(built_project):
    result = run(["-n"], built_project)
    assert "Nothing to be done" in result.stdout + result.stderr


@pytest.mark.slow
def test_a_commit_or_a_prose_edit_in_a_git_checkout_reruns_no_cell(built_project, tmp_path):
    """In a git checkout the report names its commit and whether the code differs from it. A commit,
    or a first prose edit that turns a clean checkout dirty, re-renders the report with its cells
    reused (the commit reaches the prose as render metadata, never the cells), and the build line says
    what changed."""
    project = built_copy(built_project, tmp_path / "project")
    git(project, "init", "-q")
    git(project, "add", "-A")  # .gitignore keeps results/ and .snakemake/ out
    git(project, "commit", "-q", "-m", "checkout")
    commit = git(project, "rev-parse", "HEAD")
    qmd = project / "report/report.qmd"
    for edit, state in ((None, "(clean)"), ("This report re-builds", "(dirty: code differs from it)")):
        if edit:
            qmd.write_text(
                qmd.read_text(encoding="utf-8").replace("This report rebuilds", edit), encoding="utf-8"
            )
        result = run([], project)
        assert "record_provenance" not in planned_rules(result.stdout + result.stderr)
        log = (project / "results/logs/render_report.log").read_text(encoding="utf-8")
        assert "cells reused" in log.splitlines()[-1], log
        page = " ".join((project / "results/report/report.html").read_text(encoding="utf-8").split())
        assert f"Code: commit {commit[:12]} {state}." in page


@pytest.mark.slow
def test_the_report_kernel_runs_the_code_of_the_project_it_builds(built_project, tmp_path):
    """A copy (a second checkout, a worktree) renders with its own report code, not that of the
    checkout the environment's editable install names (which the kernel imported before)."""
    project = built_copy(built_project, tmp_path / "project")
    module = project / "analysis/present/report_data.py"
    text = module.read_text(encoding="utf-8")
    assert text.count('f"Built from {name}') == 1
    module.write_text(text.replace('f"Built from {name}', 'f"Made from {name}'), encoding="utf-8")
    run([], project)
    page = " ".join((project / "results/report/report.html").read_text(encoding="utf-8").split())
    assert "Made from the default coding" in page and "Built from the default coding" not in page


@pytest.mark.slow
def test_editing_one_key_reruns_only_the_rules_that_read_it(built_project, tmp_path):
    project = built_copy(built_project, tmp_path / "project")
    config_path = project / "config.yaml"
    original = config_path.read_text(encoding="utf-8")
    config_path.write_text(
        original.replace("aggregation: source_balanced", "aggregation: weighted"), encoding="utf-8"
    )
    result = run(["-n"], project)
    rules = planned_rules(result.stdout + result.stderr)
    assert "score_influence" in rules
    # Upstream stages and sibling scores do not read the key: they must not rerun.
    assert not rules & {
        "validate_raw",
        "clean_data",
        "score_stringency",
        "score_timing",
        "score_attainment",
        "score_process_tracing",
        "build_bibliography",
    }


def output_digests(project: Path) -> dict[str, str]:
    """sha256 of every cleaned table and score the build wrote."""
    files = sorted((project / "results").glob("clean/*.csv")) + sorted((project / "results").glob("scores/*"))
    return {str(f.relative_to(project)): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


# key edit -> (outputs that must change, outputs that must stay byte-identical)
SCORING_KEY_EDITS = {
    "stringency.weights": (
        ("  weights: ordinal_cost", "  weights: equal"),
        {"results/scores/stringency.csv", "results/scores/attainment.csv"},
        {
            "results/scores/influence.csv",
            "results/scores/posteriors.csv",
            "results/scores/evidence_weights.csv",
            "results/scores/timing_measures.csv",
            "results/clean/measures.csv",
        },
    ),
    "attributed_influence.aggregation": (
        ("aggregation: source_balanced", "aggregation: weighted"),
        {"results/scores/influence.csv"},
        {
            "results/scores/stringency.csv",
            "results/scores/attainment.csv",
            "results/scores/posteriors.csv",
            "results/scores/evidence_weights.csv",
            "results/clean/attributions.csv",
        },
    ),
    "process_tracing.lr_profile": (
        ("lr_profile: moderate", "lr_profile: strong"),
        {"results/scores/posteriors.csv", "results/scores/evidence_weights.csv"},
        {
            "results/scores/stringency.csv",
            "results/scores/attainment.csv",
            "results/scores/influence.csv",
            "results/scores/timing_rounds.csv",
            "results/clean/evidence.csv",
        },
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("key", sorted(SCORING_KEY_EDITS))
def test_a_scoring_key_changes_what_depends_on_it_and_nothing_else(built_project, tmp_path, key):
    (old, new), must_change, must_stay = SCORING_KEY_EDITS[key]
    # A copy of the shared build, so the edit touches no other test; only the tables compared
    # here are rebuilt (figures and the report do not bear on the property and cost a render).
    project = built_copy(built_project, tmp_path / "project")
    config_path = project / "config.yaml"
    original = config_path.read_text(encoding="utf-8")
    assert original.count(old) == 1, f"{key}: the edit must hit exactly one line"
    before = output_digests(project)
    config_path.write_text(original.replace(old, new), encoding="utf-8")
    run(sorted(before), project)
    after = output_digests(project)
    changed = {name for name in before if before[name] != after.get(name)}
    assert must_change <= changed, f"{key}: expected {sorted(must_change)} to change, got {sorted(changed)}"
    assert not (must_stay & changed), f"{key}: {sorted(must_stay & changed)} changed but do not read it"
    config_path.write_text(original, encoding="utf-8")
    run(sorted(before), project)
    assert output_digests(project) == before  # switching back restores every output byte for byte


@pytest.mark.slow
def test_html_draws_every_figure_with_the_network_off(built_project, chromium):
    """In a real headless Chromium, with every non-file request refused, each chart draws its marks.

    Needs Playwright (in the lock) and Debian's `chromium` (installed by .ci/run); skipped, saying
    why, where the browser is missing, except in CI where that fails.
    """
    # Each chart's container holds an svg with marks once vegaEmbed has drawn it.
    drawn_js = (
        "[...document.querySelectorAll('.vega-figure')].filter(f => f.querySelector('svg .mark-group'))"
    )
    with open_offline(chromium, built_project / "results/report/report.html") as visit:
        charts = visit.page.evaluate("document.querySelectorAll('.vega-figure').length")
        visit.page.wait_for_function(f"{drawn_js}.length === {charts}")
        drawn = visit.page.evaluate(f"{drawn_js}.length")
    assert charts >= 7  # the seven figures of the report
    assert drawn == charts
    assert visit.outside == []
    assert visit.errors == []
    assert visit.warnings == []  # e.g. Vega's "conflicting scale property" of a layered chart
    assert visit.dialogs == []


INFLUENCE_VARIANT = "attributed_influence:\n  aggregation: weighted\n"


def digests(project: Path, pattern: str) -> dict[str, str]:
    return {
        str(f.relative_to(project)): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(project.glob(pattern))
        if f.is_file()
    }


@pytest.mark.slow
def test_variants_keep_their_reports_side_by_side_and_share_unchanged_work(built_project, tmp_path):
    """Two variants built one after the other both keep their reports byte for byte, config.yaml's report
    is untouched, and a scoring-only variant reuses the validated and cleaned tables."""
    built_project = built_copy(built_project, tmp_path / "project")  # the shared build stays as built
    folder = built_project / "variants"
    folder.mkdir(exist_ok=True)
    (folder / "t_influence.yaml").write_text(INFLUENCE_VARIANT, encoding="utf-8")
    (folder / "t_threshold.yaml").write_text("hp1:\n  ai_threshold: 0.3\n", encoding="utf-8")
    default_report = digests(built_project, "results/report/report.*")
    targets = {
        name: [f"results/variants/{name}/report/report.{ext}" for ext in ("html", "pdf")]
        for name in ("t_influence", "t_threshold")
    }
    planned = planned_rules(run(["-n", *targets["t_influence"]], built_project).stdout)
    assert "score_influence" in planned and "render_report" in planned
    assert not planned & {"validate_raw", "clean_data", "score_stringency", "score_process_tracing"}
    run(targets["t_influence"], built_project)
    first = digests(built_project, "results/variants/t_influence/**/*.*")
    run(targets["t_threshold"], built_project)
    assert digests(built_project, "results/variants/t_influence/**/*.*") == first
    assert digests(built_project, "results/report/report.*") == default_report
    assert (built_project / "results/variants/t_threshold/report/report.pdf").stat().st_size > 10_000
    html = (built_project / "results/variants/t_threshold/report/report.html").read_text(encoding="utf-8")
    assert "variant t_threshold" in html and "hp1.ai_threshold" in html


@pytest.mark.slow
def test_a_comparison_lists_exactly_what_differs(built_project, tmp_path):
    import pandas as pd

    built_project = built_copy(built_project, tmp_path / "project")  # the shared build stays as built

    folder = built_project / "variants"
    folder.mkdir(exist_ok=True)
    (folder / "t_influence.yaml").write_text(INFLUENCE_VARIANT, encoding="utf-8")
    run(
        [
            "results/compare/default--t_influence/index.html",
            "results/compare/t_influence--t_influence/index.html",
        ],
        built_project,
    )
    same = built_project / "results/compare/t_influence--t_influence"
    assert pd.read_csv(same / "config.csv").empty and pd.read_csv(same / "changes.csv").empty
    pair = built_project / "results/compare/default--t_influence"
    config = pd.read_csv(pair / "config.csv", dtype=str)
    assert config.to_dict("records") == [
        {"key": "attributed_influence.aggregation", "value_a": "source_balanced", "value_b": "weighted"}
    ]
    changes = pd.read_csv(pair / "changes.csv", dtype=str, keep_default_na=False)
    # every listed cell is a real difference between the two files, and every differing file is listed
    a_root, b_root = built_project / "results", built_project / "results/variants/t_influence"
    for table in ["influence", "verdicts", "stringency", "posteriors", "attainment", "reactivity"]:
        a_file, b_file = a_root / "scores" / f"{table}.csv", b_root / "scores" / f"{table}.csv"
        b_file = b_file if b_file.exists() else a_file  # shared with the default: identical by construction
        listed = changes[changes["table"] == table]
        if a_file.read_bytes() == b_file.read_bytes():
            assert listed.empty, table
            continue
        assert not listed.empty, table
        a = pd.read_csv(a_file, dtype=str, keep_default_na=False)
        b = pd.read_csv(b_file, dtype=str, keep_default_na=False)
        for cell in listed.itertuples():
            assert cell.value_a in set(a[cell.column]) and cell.value_b in set(b[cell.column])
    assert set(changes["table"]) <= {"influence", "verdicts", "headline"}


@pytest.mark.slow
def test_configfile_builds_an_unnamed_variant_and_leaves_the_default_alone(built_project, tmp_path):
    override = tmp_path / "mine.yaml"
    override.write_text("hp1:\n  ai_threshold: 0.4\n", encoding="utf-8")
    result = run(["-n", "--configfile", str(override)], built_project)
    output = result.stdout + result.stderr
    assert "results/variants/mine-" in output
    assert not re.search(r"output: results/report/report\.html", output)


SCORE_FILES = [
    "stringency.csv",
    "stringency_leave_one_out.csv",
    "timing_measures.csv",
    "timing_rounds.csv",
    "attainment.csv",
    "influence.csv",
    "influence_by_type.csv",
    "evidence_weights.csv",
    "posteriors.csv",
    "reactivity.csv",
    "verdicts.csv",
    "headline.json",
    "replication.csv",
]
PUBLIC_SOURCE_KINDS = {"official", "wire", "press", "tracker", "state_media"}


def strip_public_source_rows(project: Path) -> None:
    """The project as it was before the out-of-sample round: no row coded from a public source, no
    source of that kind, no out-of-sample round window."""
    import csv

    raw = project / "data" / "raw"
    with (raw / "sources.csv").open(encoding="utf-8", newline="") as handle:
        public = {row["key"] for row in csv.DictReader(handle) if row["kind"] in PUBLIC_SOURCE_KINDS}
    assert public, "no public-source rows to strip"
    for table in raw.glob("*.csv"):
        with table.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            fields, rows = reader.fieldnames, list(reader)
        column = "key" if table.name == "sources.csv" else "source"
        kept = [row for row in rows if row.get(column) not in public]
        with table.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(kept)
    config = yaml.safe_load((project / "config.yaml").read_text(encoding="utf-8"))
    for name, windows in config["rounds"]["definitions"].items():
        config["rounds"]["definitions"][name] = [w for w in windows if not w.get("out_of_sample")]
    (project / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


@pytest.mark.slow
def test_excluding_the_out_of_sample_round_equals_never_having_coded_it(tmp_path):
    """rounds.out_of_sample: exclude gives byte for byte the scores of the project without its
    public-source (2022) rows and windows."""
    full, before = tmp_path / "full", tmp_path / "before"
    for project in (full, before):
        fresh_copy(project)
    strip_public_source_rows(before)
    (full / "variants" / "t_exclude.yaml").write_text("rounds:\n  out_of_sample: exclude\n", encoding="utf-8")
    targets = [f"results/scores/{name}" for name in SCORE_FILES]
    run(["--cores", "2", *targets], before)
    run(["--cores", "2", *[t.replace("results/", "results/variants/t_exclude/") for t in targets]], full)
    for name in SCORE_FILES:
        variant = full / "results/variants/t_exclude/scores" / name
        shared = variant if variant.exists() else full / "results/scores" / name
        assert shared.read_bytes() == (before / "results/scores" / name).read_bytes(), name


@pytest.mark.slow
def test_html_timeline_draws_the_same_in_every_reader_time_zone(built_project, chromium):
    """The reader's browser zone must not move a date: the drawn timeline is identical under UTC+14,
    UTC and UTC-8 (Vega formats and scales in local time unless told UTC)."""
    html = built_project / "results/report/report.html"
    drawn = {}
    for zone in ("Pacific/Kiritimati", "UTC", "America/Los_Angeles"):
        with open_offline(chromium, html, timezone_id=zone) as visit:
            visit.page.wait_for_function("document.querySelector('#vis-timeline-1 svg') !== null")
            drawn[zone] = visit.page.inner_html("#vis-timeline-1")
        assert visit.outside == [], zone
    assert "2014" in drawn["UTC"]
    assert drawn["Pacific/Kiritimati"] == drawn["UTC"] == drawn["America/Los_Angeles"]
