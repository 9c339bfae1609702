"""Stage 5: the bibliography, the coding choices in force, and the report in HTML and PDF."""


rule build_bibliography:
    """The report's BibTeX file, generated from the sources table."""
    input:
        sources=clean("sources"),
        code="analysis/present/bibliography.py",
    output:
        bib="{root}/report/references.bib",
    log:
        log_of("build_bibliography"),
    conda:
        ENV
    script:
        "../../scripts/build_bibliography.py"


rule tabulate_choices:
    """The coding choices in force (every key, its value, its meaning) and the build's identity."""
    input:
        registry="analysis/registry.yaml",
        package="data/datapackage.json",
        tables=expand("data/raw/{table}.csv", table=RAW_TABLES),
        code=["analysis/config.py", "analysis/registry.py", "analysis/variants.py"],
    output:
        choices="{root}/report/coding_choices.csv",
        rounds="{root}/report/rounds.json",
        identity="{root}/report/identity.json",
    params:
        # every registered key, each its own param, so a dry run names the key that changed
        **{key.replace(".", "__"): (lambda wildcards, key=key:
                                    registry.encode(key, registry.lookup(VARIANTS.spec(wildcards.root), key)))
           for key in registry.choices()},
        variant=lambda wildcards: VARIANTS.name_of(wildcards.root),
        differs_from_default=lambda wildcards: [key for key, _, _ in differences(
            BASE, VARIANTS.spec(wildcards.root))],
    log:
        log_of("tabulate_choices"),
    conda:
        ENV
    script:
        "../../scripts/tabulate_choices.py"


def score(rule, name):
    return at(rule, f"scores/{name}")


rule render_report:
    """Execute report/report.qmd and render HTML and PDF (Quarto if on PATH, else offline)."""
    input:
        qmd="report/report.qmd",
        project="report/_quarto.yml",
        csl="report/chicago-author-date.csl",
        helpers=["analysis/present/report_data.py", "analysis/present/narrative.py"],
        engine_code=["analysis/render.py", "analysis/render_filters/crossref.lua",
                     "analysis/render_filters/template.html", "analysis/render_filters/template.typ"],
        # the report shows each score's formula as math, read from the module that computes it
        formula_code=[f"analysis/scores/{module}.py" for module in ["stringency", "timing", "attainment",
                                                                    "influence", "process_tracing",
                                                                    "reactivity", "verdicts"]],
        rounds=rules.tabulate_choices.output.rounds,
        identity=rules.tabulate_choices.output.identity,
        bibliography=rules.build_bibliography.output.bib,
        choices=rules.tabulate_choices.output.choices,
        headline=score("decide_verdicts", "headline.json"),
        verdicts=score("decide_verdicts", "verdicts.csv"),
        replication=score("replicate_thesis", "replication.csv"),
        **{f"clean_{table}": clean(table) for table in CLEAN_TABLES},
        stringency=score("score_stringency", "stringency.csv"),
        leave_one_out=score("score_stringency", "stringency_leave_one_out.csv"),
        timing_measures=score("score_timing", "timing_measures.csv"),
        timing_rounds=score("score_timing", "timing_rounds.csv"),
        attainment=score("score_attainment", "attainment.csv"),
        influence=score("score_influence", "influence.csv"),
        by_type=score("score_influence", "influence_by_type.csv"),
        evidence_weights=score("score_process_tracing", "evidence_weights.csv"),
        posteriors=score("score_process_tracing", "posteriors.csv"),
        reactivity=score("score_reactivity", "reactivity.csv"),
        specs=lambda wildcards: [at("make_figure", f"figures/{figure}.vl.json")(wildcards) for figure in FIGURES],
        svgs=lambda wildcards: [at("make_figure", f"figures/{figure}.svg")(wildcards) for figure in FIGURES],
        package="data/datapackage.json",
        # the multiverse of config.yaml's decision space (one for every build: it spans all codings)
        multiverse_robustness="results/multiverse/robustness.csv",
        multiverse_flips="results/multiverse/flip_rates.csv",
        multiverse_info="results/multiverse/robustness.json",
        multiverse_specs=[f"results/multiverse/figures/spec_curve_{target}.vl.json" for target in MV_CURVES],
        multiverse_svgs=[f"results/multiverse/figures/spec_curve_{target}.svg" for target in MV_CURVES],
        explorer="results/multiverse/explorer.json",
    output:
        html="{root}/report/report.html",
        pdf="{root}/report/report.pdf",
    params:
        **choice_params("render_report"),
    log:
        log_of("render_report"),
    benchmark:
        "{root}/benchmarks/render_report.tsv"
    conda:
        ENV
    script:
        "../../scripts/render_report.py"
