"""Rule multiverse_gather: the chunks, in order, as one table of every specification."""

import pandas as pd

from analysis.io import logged
from analysis.registry import from_params
from analysis.scores.multiverse import normalise, read_parquet, write_parquet

with logged(snakemake.log[0]) as log:
    config = from_params(snakemake.params)  # every key the job depends on, one param each
    frames = [read_parquet(path) for path in snakemake.input.chunks]
    table = normalise(pd.concat([f for f in frames if len(f.columns)], ignore_index=True), config)
    write_parquet(table, snakemake.output.table)
    log.info("%d specifications -> %s", len(table), snakemake.output.table)
