"""Rule make_figures: every Altair figure as a Vega-Lite spec (HTML) and an SVG (PDF)."""

from pathlib import Path

from analysis.figures import all_figures, spec_and_svg
from analysis.io import logged, read_csv, write_json, write_text_atomic

TABLES = [
    "measures",
    "pressure",
    "engagements",
    "evidence",
    "stringency",
    "timing",
    "attainment",
    "by_type",
    "weights",
    "posteriors",
]

with logged(snakemake.log[0]) as log:
    tables = {name: read_csv(snakemake.input[name]) for name in TABLES}
    charts = all_figures(
        tables,
        snakemake.params.rounds,
        snakemake.params.leader,
        snakemake.params.peers,
        snakemake.params.thresholds,
    )
    specs = {Path(path).name.removesuffix(".vl.json"): path for path in snakemake.output.specs}
    svgs = {Path(path).name.removesuffix(".svg"): path for path in snakemake.output.svgs}
    for name, chart in charts.items():
        spec, svg = spec_and_svg(chart)
        write_json(spec, specs[name])
        write_text_atomic(svgs[name], svg)
        log.info("figure %s: %d bytes of SVG", name, len(svg))
