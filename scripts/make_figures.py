"""Rule make_figures: every Altair figure as a Vega-Lite spec (HTML) and an SVG (PDF)."""

from pathlib import Path

from analysis.config import round_windows
from analysis.io import logged, read_csv
from analysis.present.figure_list import FIGURE_INPUTS
from analysis.present.figures import make_figure, write_figure
from analysis.registry import from_params

with logged(snakemake.log[0]) as log:
    choices = from_params(snakemake.params)
    tables = {name: read_csv(path) for name, path in snakemake.input.items() if name != "code"}
    rounds = round_windows(choices)
    for spec_path, svg_path in zip(snakemake.output.specs, snakemake.output.svgs, strict=True):
        figure = Path(svg_path).name.removesuffix(".svg")
        chart = make_figure(
            figure,
            {name: tables[name] for name in FIGURE_INPUTS[figure]},
            rounds,
            choices["comparison"]["leader"],
            choices["comparison"]["peers"],
            choices["process_tracing"]["thresholds"],
        )
        svg, kept = write_figure(chart, spec_path, svg_path)
        log.info("figure %s: %d bytes of SVG%s", figure, len(svg), " (kept)" if kept else "")
