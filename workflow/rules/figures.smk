"""Stage 4: figures, one job per figure."""

# Where each table a figure may read comes from (figures.FIGURE_INPUTS says which it reads).
FIGURE_TABLES = {
    "measures": clean("measures"),
    "pressure": clean("pressure"),
    "engagements": clean("engagements"),
    "stringency": at("score_stringency", "scores/stringency.csv"),
    "timing": at("score_timing", "scores/timing_measures.csv"),
    "attainment": at("score_attainment", "scores/attainment.csv"),
    "by_type": at("score_influence", "scores/influence_by_type.csv"),
    "weights": at("score_process_tracing", "scores/evidence_weights.csv"),
    "posteriors": at("score_process_tracing", "scores/posteriors.csv"),
}


def figure_tables(wildcards):
    return {name: FIGURE_TABLES[name](wildcards) for name in FIGURE_INPUTS[wildcards.figure]}


rule make_figure:
    """One Altair figure as a Vega-Lite spec (interactive HTML) and an SVG (vector PDF)."""
    input:
        unpack(figure_tables),
        code="analysis/present/figures.py",
    output:
        spec="{root}/figures/{figure}.vl.json",
        svg="{root}/figures/{figure}.svg",
    params:
        **choice_params("make_figure"),
    log:
        "{root}/logs/make_figure/{figure}.log",
    conda:
        ENV
    script:
        "../../scripts/make_figure.py"
