"""Stage 5: the bibliography, the coding choices in force, and the report in HTML and PDF."""

import vl_convert


rule build_bibliography:
    """The report's BibTeX file, generated from the sources table."""
    input:
        sources=clean("sources"),
        code=["scripts/build_bibliography.py", "analysis/present/bibliography.py"],
    output:
        bib="{root}/report/references.bib",
    log:
        log_of("build_bibliography"),
    run:
        run_script("scripts/build_bibliography.py", input, output, params, wildcards, log, rule)


rule tabulate_choices:
    """The coding choices in force (every key, its value, its meaning) and the build's identity."""
    input:
        registry="analysis/registry.yaml",
        package="data/datapackage.json",
        tables=expand("data/raw/{table}.csv", table=RAW_TABLES),
        code=["scripts/tabulate_choices.py", "analysis/config.py", "analysis/registry.py",
              "analysis/variants.py"],
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
    run:
        run_script("scripts/tabulate_choices.py", input, output, params, wildcards, log, rule)


rule write_report_text:
    """Every computed sentence and display table the report shows (the report only displays them)."""
    input:
        choices=rules.tabulate_choices.output.choices,
        rounds=rules.tabulate_choices.output.rounds,
        package="data/datapackage.json",
        measure_reports="data/raw/measures.csv",
        **{table: clean(table) for table in CLEAN_TABLES},
        stringency=score("score_stringency", "stringency.csv"),
        leave_one_out=score("score_stringency", "stringency_leave_one_out.csv"),
        timing_by_sender=score("score_timing", "timing_by_sender.csv"),
        attainment=score("score_attainment", "attainment.csv"),
        influence=score("score_influence", "influence.csv"),
        by_type=score("score_influence", "influence_by_type.csv"),
        evidence_weights=score("score_process_tracing", "evidence_weights.csv"),
        posteriors=score("score_process_tracing", "posteriors.csv"),
        reactivity=score("score_reactivity", "reactivity.csv"),
        reactivity_peers=score("score_reactivity", "reactivity_peers.csv"),
        verdicts=score("decide_verdicts", "verdicts.csv"),
        replication=score("replicate_thesis", "replication.csv"),
        # the methods text shows each score's formula and description, read from its module
        code=["scripts/write_report_text.py", "analysis/present/narrative.py", "analysis/present/labels.py",
              "analysis/vocabulary.py"]
        + [f"analysis/scores/{module}.py" for module in ["stringency", "timing", "attainment", "influence",
                                                         "process_tracing", "reactivity", "verdicts"]],
    output:
        text=expand("{{root}}/report/text/{name}.md", name=TEXT_FRAGMENTS),
        tables=expand("{{root}}/report/tables/{name}.csv", name=DISPLAY_TABLES),
        # the abstract, merged into the front matter through `metadata-files`
        abstract="{root}/report/abstract.yml",
    log:
        log_of("write_report_text"),
    run:
        run_script("scripts/write_report_text.py", input, output, params, wildcards, log, rule)


rule record_provenance:
    """A provenance card for every figure, table and the headline numbers: rule, code, files with
    their sha256, config keys and package versions (the commit goes to the render as metadata)."""
    input:
        files=lambda wildcards: sorted({f["path"] for spec in provenance_cards(wildcards).values()
                                        for f in spec["files"]}),
        code=["scripts/record_provenance.py", "analysis/present/provenance.py"],
    output:
        provenance="{root}/report/provenance.json",
    params:
        cards=provenance_cards,
        packages=provenance.package_versions(),
    log:
        log_of("record_provenance"),
    run:
        run_script("scripts/record_provenance.py", input, output, params, wildcards, log, rule)


rule bundle_vega:
    """The Vega, Vega-Lite and Vega-Embed libraries (vl-convert's bundle, 0.9 MB) that the HTML report
    embeds so its charts draw offline. Building it takes about 2 s: made beside the build's first
    jobs, once for every build, instead of inside the render."""
    input:
        code=["scripts/bundle_vega.py", "qmdrender/engine.py"],
    output:
        bundle="results/vega/vega-bundle.js",
    params:
        vl_convert=vl_convert.__version__,  # the bundle is that release's libraries
    log:
        "results/vega/logs/bundle_vega.log",
    conda:
        ENV
    script:
        "../../scripts/bundle_vega.py"


# Checked against what the kernel really imports by tests/test_cell_cache.py.
REPORT_KERNEL_MODULES = [f"analysis/{module}.py" for module in [
    "__init__", "config", "io", "registry", "vocabulary",
    "data/__init__", "data/clean", "data/codebook", "data/rawtable", "data/rounds",
    "present/__init__", "present/explorer", "present/provenance", "present/report_data", "present/safe",
    "scores/__init__", "scores/attainment", "scores/headline", "scores/influence", "scores/multiverse",
    "scores/process_tracing", "scores/reactivity", "scores/stages", "scores/stringency", "scores/timing",
    "scores/verdicts"]]


rule render_report:
    """Execute report/report.qmd and render HTML and PDF (Quarto if on PATH, else offline)."""
    input:
        qmd="report/report.qmd",
        project="report/_quarto.yml",
        pdf_header="report/chapter-pages.typ",
        csl="report/chicago-author-date.csl",
        # every project module the report's kernel imports (report_data and what it pulls in): their
        # code is part of what the cells compute, so the render, and its cell cache, must see an edit
        helpers=REPORT_KERNEL_MODULES,
        engine_code=["qmdrender/__init__.py", "qmdrender/engine.py", "qmdrender/filters/quarto.lua",
                     "qmdrender/filters/template.html", "qmdrender/filters/template.typ"],
        bibliography=at("build_bibliography", "report/references.bib"),
        identity=rules.tabulate_choices.output.identity,
        provenance=rules.record_provenance.output.provenance,
        headline=score("decide_verdicts", "headline.json"),
        choices=rules.tabulate_choices.output.choices,
        text=rules.write_report_text.output.text,
        tables=rules.write_report_text.output.tables,
        abstract=rules.write_report_text.output.abstract,
        specs=lambda wildcards: [figure_at(figure, "vl.json")(wildcards) for figure in FIGURES],
        svgs=lambda wildcards: [figure_at(figure, "svg")(wildcards) for figure in FIGURES],
        # the multiverse of config.yaml's decision space (one for every build: it spans all codings)
        multiverse_robustness="results/multiverse/robustness.csv",
        multiverse_flips="results/multiverse/flip_rates.csv",
        multiverse_info="results/multiverse/robustness.json",
        multiverse_specs=[f"results/multiverse/figures/spec_curve_{target}.vl.json" for target in MV_CURVES],
        multiverse_svgs=[f"results/multiverse/figures/spec_curve_{target}.svg" for target in MV_CURVES],
        explorer="results/multiverse/explorer.json",
        vega_bundle=rules.bundle_vega.output.bundle,
    output:
        # update(): Snakemake keeps the last good report while a render runs and restores it if the
        # render fails (the engine writes each file atomically, so an interrupt cannot leave half).
        html=update("{root}/report/report.html"),
        pdf=update("{root}/report/report.pdf"),
    params:
        **choice_params("render_report"),
        # the code's commit, shown in the build line: metadata of the render, read by no cell
        commit=GIT_COMMIT,
        dirty=GIT_DIRTY,
    resources:
        # Its processes peak at 0.88 GB together (its benchmark file's max_rss: two pandocs with
        # their 256 MB allocation areas, see qmdrender.engine.PANDOC_RUNTIME), over Snakemake's
        # default of 1000 MB once a cluster job's own Snakemake is counted. Locally nothing limits it.
        mem_mb=2000,
    log:
        log_of("render_report"),
    benchmark:
        "{root}/benchmarks/render_report.tsv"
    conda:
        ENV
    script:
        "../../scripts/render_report.py"
