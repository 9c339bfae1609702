"""Rule score_reactivity: reactivity per round and Calder's two criteria."""

from analysis.io import logged, read_csv, write_csv
from analysis.scores.reactivity import score_reactivity

with logged(snakemake.log[0]) as log:
    params = snakemake.params
    table = score_reactivity(
        read_csv(snakemake.input.measures),
        read_csv(snakemake.input.pressure),
        read_csv(snakemake.input.engagements),
        read_csv(snakemake.input.timing),
        read_csv(snakemake.input.attainment),
        params.rounds,
        params.window_days,
        params.components,
        params.threshold,
        params.incompleteness_reading,
    )
    write_csv(table, snakemake.output.reactivity)
    log.info("reactive per round: %s", dict(zip(table["round"], table["reactive"], strict=True)))
