"""Rule make_figure: one Altair figure as a Vega-Lite spec (HTML) and an SVG (PDF)."""

from analysis.config import round_windows
from analysis.io import logged, read_csv, write_json, write_text_atomic
from analysis.present.figures import make_figure, spec_and_svg
from analysis.registry import from_params

with logged(snakemake.log[0]) as log:
    choices = from_params(snakemake.params)
    tables = {name: read_csv(path) for name, path in snakemake.input.items() if name != "code"}
    chart = make_figure(
        snakemake.wildcards.figure,
        tables,
        round_windows(choices),
        choices["comparison"]["leader"],
        choices["comparison"]["peers"],
        choices["process_tracing"]["thresholds"],
    )
    spec, svg = spec_and_svg(chart)
    write_json(spec, snakemake.output.spec)
    write_text_atomic(snakemake.output.svg, svg)
    log.info("figure %s: %d bytes of SVG", snakemake.wildcards.figure, len(svg))
