"""Japan's 2014–2016 sanctions against Russia: one DAG from hand-coded tables to the report.

    raw tables ─ validate_raw ─ clean_data ─┬─ score_stringency ─ score_attainment ─┐
                                            ├─ score_timing ───────────────────────┤
                                            ├─ score_influence ────────────────────┤
                                            ├─ score_process_tracing ──────────────┼─ decide_verdicts ─ replicate_thesis
                                            └─ (engagements, pressure) ─ score_reactivity
    scores + figures + bibliography + coding choices ─ render_report ─ results/report/report.{html,pdf}

Rules are thin: each script reads its inputs, calls one `analysis` function and writes its
outputs. Every config value a rule uses reaches it through `params:`, so editing a key reruns
exactly the rules that use it; each rule declares the `analysis` modules it runs as inputs, so
editing a stage's code reruns that stage and what depends on it.
"""

import sys

from analysis.config import ConfigError, flatten, round_windows, validate_config

configfile: "config.yaml"


# ── Config is checked before anything runs ──────────────────────────────────────────────────
try:
    validate_config(config, workflow.source_path("schemas/config.schema.yaml"))
except ConfigError as problem:
    sys.exit(f"Invalid configuration. {problem}")

# Every output lives under one results root, so a variant name can later prefix it.
RESULTS = "results"
LOGS = f"{RESULTS}/logs"
BENCH = f"{RESULTS}/benchmarks"
ENV = "envs/pipeline.yaml"
RAW_TABLES = ["sources", "measures", "pressure", "attributions", "engagements", "evidence",
              "thesis_claims"]
CLEAN_TABLES = RAW_TABLES + ["conflicts", "data_checks"]
FIGURES = ["timeline", "stringency", "lag", "attainment", "influence", "evidence_weights",
           "posteriors"]
ROUNDS = round_windows(config)
# How the stringency index is built; attainment places positions on the same index, so both
# score_stringency and score_attainment receive these (and rerun when one changes).
STRINGENCY_INDEX = {
    "weights": config["stringency"]["weight_sets"][config["stringency"]["weights"]],
    **{key: config["stringency"][key] for key in ["intensity", "three_level_values", "uncoded_intensity",
                                                  "easing_factor", "missing_intensity"]},
}


rule all:
    """The whole report: HTML and PDF."""
    input:
        html=f"{RESULTS}/report/report.html",
        pdf=f"{RESULTS}/report/report.pdf",
    default_target: True


# ── Stage 1: validate the raw tables against the codebook ───────────────────────────────────
rule validate_raw:
    """Check every raw table against data/datapackage.json; report all problems at once."""
    input:
        package="data/datapackage.json",
        tables=expand("data/raw/{table}.csv", table=RAW_TABLES),
        code=["analysis/validate.py", "analysis/rawtable.py", "analysis/codebook.py"],
    output:
        report=f"{RESULTS}/validated/validation.json",
    params:
        # Verdict claims ('HP1:R2') may name a round of any segmentation, not only the one in force.
        round_ids=sorted({w["id"] for windows in config["rounds"]["definitions"].values() for w in windows}),
    log:
        f"{LOGS}/validate_raw.log",
    conda:
        ENV
    script:
        "scripts/validate_raw.py"


# ── Stage 2: cleaned, typed datasets ─────────────────────────────────────────────────────────
rule clean_data:
    """One record per measure (conflicts resolved by rule), dates parsed, rounds assigned."""
    input:
        validated=rules.validate_raw.output.report,
        package="data/datapackage.json",
        tables=expand("data/raw/{table}.csv", table=RAW_TABLES),
        code=["analysis/clean.py", "analysis/rawtable.py", "analysis/rounds.py", "analysis/codebook.py"],
    output:
        **{table: f"{RESULTS}/clean/{table}.csv" for table in CLEAN_TABLES},
    params:
        rounds=ROUNDS,
        conflict_resolution=config["data"]["conflict_resolution"],
        date_basis=config["data"]["date_basis"],
        coarse_date_placement=config["data"]["coarse_date_placement"],
    log:
        f"{LOGS}/clean_data.log",
    conda:
        ENV
    script:
        "scripts/clean_data.py"


# ── Stage 3: scores ──────────────────────────────────────────────────────────────────────────
rule score_stringency:
    """Stringency index per sender and round (stock and flow), coverage and breadth."""
    input:
        measures=rules.clean_data.output.measures,
        code="analysis/stringency.py",
    output:
        stringency=f"{RESULTS}/scores/stringency.csv",
        leave_one_out=f"{RESULTS}/scores/stringency_leave_one_out.csv",
    params:
        rounds=ROUNDS,
        basis=config["stringency"]["basis"],
        **STRINGENCY_INDEX,
        leader=config["comparison"]["leader"],
    log:
        f"{LOGS}/score_stringency.log",
    conda:
        ENV
    script:
        "scripts/score_stringency.py"


rule score_timing:
    """Japan's lag behind the leader and the peers; first-mover share per round."""
    input:
        measures=rules.clean_data.output.measures,
        code=["analysis/timing.py", "analysis/stringency.py"],
    output:
        measures=f"{RESULTS}/scores/timing_measures.csv",
        rounds=f"{RESULTS}/scores/timing_rounds.csv",
    params:
        rounds=ROUNDS,
        leader=config["comparison"]["leader"],
        peers=config["comparison"]["peers"],
        first_mover_window_days=config["timing"]["first_mover_window_days"],
        matching=config["timing"]["matching"],
        coarsest_date_precision=config["timing"]["coarsest_date_precision"],
    log:
        f"{LOGS}/score_timing.log",
    conda:
        ENV
    script:
        "scripts/score_timing.py"


rule score_attainment:
    """Preference attainment of the US and Japan per round, with a seeded Monte Carlo interval."""
    input:
        measures=rules.clean_data.output.measures,
        stringency=rules.score_stringency.output.stringency,
        code=["analysis/attainment.py", "analysis/stringency.py"],
    output:
        attainment=f"{RESULTS}/scores/attainment.csv",
    params:
        rounds=ROUNDS,
        **STRINGENCY_INDEX,
        leader=config["comparison"]["leader"],
        choices=config["preference_attainment"],
    log:
        f"{LOGS}/score_attainment.log",
    benchmark:
        f"{BENCH}/score_attainment.tsv"
    conda:
        ENV
    script:
        "scripts/score_attainment.py"


rule score_influence:
    """Attributed influence per round and by attributor type."""
    input:
        attributions=rules.clean_data.output.attributions,
        code="analysis/influence.py",
    output:
        influence=f"{RESULTS}/scores/influence.csv",
        by_type=f"{RESULTS}/scores/influence_by_type.csv",
    params:
        rounds=ROUNDS,
        aggregation=config["attributed_influence"]["aggregation"],
        type_weights=config["attributed_influence"]["type_weight_sets"][
            config["attributed_influence"]["type_weight_set"]
        ],
        strength_ladder=config["attributed_influence"]["strength_ladder"],
        mixed_share=config["attributed_influence"]["mixed_us_share"],
        competing_causes=config["attributed_influence"]["competing_causes"],
    log:
        f"{LOGS}/score_influence.log",
    conda:
        ENV
    script:
        "scripts/score_influence.py"


rule score_process_tracing:
    """Bayesian updating (or Collier's test logic) per hypothesis and round; weight of each item."""
    input:
        evidence=rules.clean_data.output.evidence,
        code="analysis/process_tracing.py",
    output:
        weights=f"{RESULTS}/scores/evidence_weights.csv",
        posteriors=f"{RESULTS}/scores/posteriors.csv",
    params:
        rounds=ROUNDS,
        choices=config["process_tracing"],
    log:
        f"{LOGS}/score_process_tracing.log",
    conda:
        ENV
    script:
        "scripts/score_process_tracing.py"


rule score_reactivity:
    """Calder's two criteria per round."""
    input:
        measures=rules.clean_data.output.measures,
        pressure=rules.clean_data.output.pressure,
        engagements=rules.clean_data.output.engagements,
        timing=rules.score_timing.output.rounds,
        attainment=rules.score_attainment.output.attainment,
        code="analysis/reactivity.py",
    output:
        reactivity=f"{RESULTS}/scores/reactivity.csv",
    params:
        rounds=ROUNDS,
        window_days=config["reactivity"]["window_days"],
        components=config["reactivity"]["components"],
        threshold=config["reactivity"]["threshold"],
        incompleteness_reading=config["reactivity"]["incompleteness_reading"],
    log:
        f"{LOGS}/score_reactivity.log",
    conda:
        ENV
    script:
        "scripts/score_reactivity.py"


rule decide_verdicts:
    """HP1 per round, HP2 and HP3, each with its rule; the headline numbers the report quotes."""
    input:
        stringency=rules.score_stringency.output.stringency,
        timing=rules.score_timing.output.rounds,
        attainment=rules.score_attainment.output.attainment,
        influence=rules.score_influence.output.influence,
        posteriors=rules.score_process_tracing.output.posteriors,
        reactivity=rules.score_reactivity.output.reactivity,
        claims=rules.clean_data.output.thesis_claims,
        clean_checks=rules.clean_data.output.data_checks,
        measures=rules.clean_data.output.measures,
        pressure=rules.clean_data.output.pressure,
        attributions=rules.clean_data.output.attributions,
        evidence=rules.clean_data.output.evidence,
        code=["analysis/verdicts.py", "analysis/headline.py", "analysis/influence.py",
              "analysis/reactivity.py"],
    output:
        verdicts=f"{RESULTS}/scores/verdicts.csv",
        headline=f"{RESULTS}/scores/headline.json",
    params:
        rounds=ROUNDS,
        hp1=config["hp1"],
        supported_threshold=config["process_tracing"]["thresholds"]["supported"],
        combine=config["attributed_influence"]["combine"],
        hp2_rule=config["reactivity"]["hp2_rule"],
        reactive_state=config["reactive_state"]["aggregation"],
        leader=config["comparison"]["leader"],
    log:
        f"{LOGS}/decide_verdicts.log",
    conda:
        ENV
    script:
        "scripts/decide_verdicts.py"


rule replicate_thesis:
    """Every claim of the thesis beside the pipeline's value: agrees / differs, with the reason."""
    input:
        claims=rules.clean_data.output.thesis_claims,
        measures=rules.clean_data.output.measures,
        pressure=rules.clean_data.output.pressure,
        engagements=rules.clean_data.output.engagements,
        conflicts=rules.clean_data.output.conflicts,
        verdicts=rules.decide_verdicts.output.verdicts,
        code="analysis/replication.py",
    output:
        replication=f"{RESULTS}/scores/replication.csv",
    log:
        f"{LOGS}/replicate_thesis.log",
    conda:
        ENV
    script:
        "scripts/replicate_thesis.py"


# ── Stage 4: figures ─────────────────────────────────────────────────────────────────────────
rule make_figures:
    """Every Altair figure as a Vega-Lite spec (interactive HTML) and an SVG (vector PDF)."""
    input:
        measures=rules.clean_data.output.measures,
        pressure=rules.clean_data.output.pressure,
        engagements=rules.clean_data.output.engagements,
        stringency=rules.score_stringency.output.stringency,
        timing=rules.score_timing.output.measures,
        attainment=rules.score_attainment.output.attainment,
        by_type=rules.score_influence.output.by_type,
        weights=rules.score_process_tracing.output.weights,
        posteriors=rules.score_process_tracing.output.posteriors,
        code="analysis/figures.py",
    output:
        specs=expand(f"{RESULTS}/figures/{{figure}}.vl.json", figure=FIGURES),
        svgs=expand(f"{RESULTS}/figures/{{figure}}.svg", figure=FIGURES),
    params:
        rounds=ROUNDS,
        leader=config["comparison"]["leader"],
        peers=config["comparison"]["peers"],
        thresholds=config["process_tracing"]["thresholds"],
    log:
        f"{LOGS}/make_figures.log",
    benchmark:
        f"{BENCH}/make_figures.tsv"
    conda:
        ENV
    script:
        "scripts/make_figures.py"


# ── Stage 5: the report ──────────────────────────────────────────────────────────────────────
rule build_bibliography:
    """The report's BibTeX file, generated from the sources table."""
    input:
        sources=rules.clean_data.output.sources,
        code="analysis/bibliography.py",
    output:
        bib=f"{RESULTS}/report/references.bib",
    log:
        f"{LOGS}/build_bibliography.log",
    conda:
        ENV
    script:
        "scripts/build_bibliography.py"


rule tabulate_choices:
    """The coding choices in force, as the report shows them (every key, its value, its meaning)."""
    input:
        schema="schemas/config.schema.yaml",
        code="analysis/config.py",
    output:
        choices=f"{RESULTS}/report/coding_choices.csv",
        rounds=f"{RESULTS}/report/rounds.json",
    params:
        # one param per config key, so a dry run names exactly the key that changed
        **{f"choice__{key.replace('.', '__')}": value for key, value in flatten(config).items()},
        rounds=ROUNDS,
    log:
        f"{LOGS}/tabulate_choices.log",
    conda:
        ENV
    script:
        "scripts/tabulate_choices.py"


rule render_report:
    """Execute report/report.qmd and render HTML and PDF (Quarto if on PATH, else offline)."""
    input:
        qmd="report/report.qmd",
        project="report/_quarto.yml",
        csl="report/chicago-author-date.csl",
        helpers=["analysis/report_data.py", "analysis/narrative.py"],
        engine_code=["analysis/render.py", "analysis/render_filters/crossref.lua",
                     "analysis/render_filters/template.html", "analysis/render_filters/template.typ"],
        # the report shows each score's formula as math, read from the module that computes it
        formula_code=[f"analysis/{module}.py" for module in ["stringency", "timing", "attainment",
                                                             "influence", "process_tracing",
                                                             "reactivity", "verdicts"]],
        rounds=rules.tabulate_choices.output.rounds,
        bibliography=rules.build_bibliography.output.bib,
        choices=rules.tabulate_choices.output.choices,
        headline=rules.decide_verdicts.output.headline,
        verdicts=rules.decide_verdicts.output.verdicts,
        replication=rules.replicate_thesis.output.replication,
        **{f"clean_{table}": f"{RESULTS}/clean/{table}.csv" for table in CLEAN_TABLES},
        stringency=rules.score_stringency.output.stringency,
        leave_one_out=rules.score_stringency.output.leave_one_out,
        timing_measures=rules.score_timing.output.measures,
        timing_rounds=rules.score_timing.output.rounds,
        attainment=rules.score_attainment.output.attainment,
        influence=rules.score_influence.output.influence,
        by_type=rules.score_influence.output.by_type,
        evidence_weights=rules.score_process_tracing.output.weights,
        posteriors=rules.score_process_tracing.output.posteriors,
        reactivity=rules.score_reactivity.output.reactivity,
        specs=rules.make_figures.output.specs,
        svgs=rules.make_figures.output.svgs,
        package="data/datapackage.json",
    output:
        html=f"{RESULTS}/report/report.html",
        pdf=f"{RESULTS}/report/report.pdf",
    params:
        engine=config["report"]["engine"],
    log:
        f"{LOGS}/render_report.log",
    benchmark:
        f"{BENCH}/render_report.tsv"
    conda:
        ENV
    script:
        "scripts/render_report.py"
