"""Stage 4: figures, every figure of a build in one job."""

rule make_figures:
    """Each Altair figure as a Vega-Lite spec (interactive HTML) and an SVG (vector PDF). One job draws
    them all: altair and the JavaScript engine load once, not once per figure (about 1 s each)."""
    input:
        unpack(figure_tables),
        code=["scripts/make_figures.py", "analysis/present/figures.py", "analysis/present/figure_list.py",
              "analysis/present/labels.py", "analysis/present/narrative.py", "analysis/vocabulary.py"],
    output:
        specs=[f"{{root}}/figures/{figure}.vl.json" for figure in FIGURES],
        # update(): kept while the job runs, so a figure whose spec is unchanged keeps its SVG
        # (figures.svg_of: each SVG names the spec and vl-convert it was drawn with) instead of a redraw
        svgs=update([f"{{root}}/figures/{figure}.svg" for figure in FIGURES]),
    params:
        **choice_params("make_figures"),
    log:
        "{root}/logs/make_figures.log",
    conda:
        ENV
    script:
        "../../scripts/make_figures.py"
