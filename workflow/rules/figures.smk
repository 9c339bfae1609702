"""Stage 4: figures, one job per figure."""

rule make_figure:
    """One Altair figure as a Vega-Lite spec (interactive HTML) and an SVG (vector PDF)."""
    input:
        unpack(figure_tables),
        code=["analysis/present/figures.py", "analysis/present/figure_list.py", "analysis/present/labels.py",
              "analysis/present/narrative.py", "analysis/vocabulary.py"],
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
