"""Rule multiverse_summary: robustness per hypothesis and round, flip rates, the generated paragraph and
the specification curves, from the multiverse table."""

from pathlib import Path

from analysis.io import logged, read_csv, write_csv, write_json
from analysis.present.figures import write_figure
from analysis.present.robustness import specification_curve, summary
from analysis.registry import from_params
from analysis.scores.multiverse import read_parquet
from analysis.scores.verdicts import thesis_verdicts

with logged(snakemake.log[0]) as log:
    config = from_params(snakemake.params)  # every key the job depends on, one param each
    settings = config["multiverse"]
    table = read_parquet(snakemake.input.table)
    thesis = thesis_verdicts(read_csv(snakemake.input.claims))
    robust, flips, info = summary(table, config, thesis, settings)
    write_csv(robust, snakemake.output.robustness)
    write_csv(flips, snakemake.output.flips)
    write_json(info, snakemake.output.info)
    for spec_path, svg_path in zip(snakemake.output.specs, snakemake.output.svgs, strict=True):
        target = Path(spec_path).name.removesuffix(".vl.json").removeprefix("spec_curve_")
        hypothesis, _, round_id = target.partition("_")
        chart = specification_curve(table, config, hypothesis, round_id or "all", settings["curve_points"])
        svg, kept = write_figure(chart, spec_path, svg_path)
        log.info("figure %s: %d bytes of SVG%s", target, len(svg), " (kept)" if kept else "")
    log.info("%d specifications summarised", len(table))
