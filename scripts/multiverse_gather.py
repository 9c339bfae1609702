"""Rule multiverse_gather: the chunks, in order, as one table of every specification."""

from pathlib import Path

import pandas as pd
import yaml

from analysis.io import logged
from analysis.scores.multiverse import normalise, read_parquet, write_parquet

with logged(snakemake.log[0]) as log:
    config = yaml.safe_load(Path(snakemake.input.config).read_text(encoding="utf-8"))
    frames = [read_parquet(path) for path in snakemake.input.chunks]
    table = normalise(pd.concat([f for f in frames if len(f.columns)], ignore_index=True), config)
    write_parquet(table, snakemake.output.table)
    log.info("%d specifications -> %s", len(table), snakemake.output.table)
