"""Rule replicate_thesis: each claim of the thesis beside independent evidence and the pipeline's value."""

from pathlib import Path

import pandas as pd

from analysis.config import round_windows
from analysis.io import logged, read_csv, write_csv
from analysis.registry import from_params
from analysis.scores.replication import replication_table

with logged(snakemake.log[0]) as log:
    tables = {
        name: read_csv(snakemake.input[name])
        for name in ("measures", "pressure", "engagements", "verdicts", "stringency")
    }
    # Raw reports as written (a year stays '2014', never a number).
    raw = {
        Path(path).stem: pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        for path in snakemake.input.raw
    }
    rounds = round_windows(from_params(snakemake.params))
    table = replication_table(read_csv(snakemake.input.claims), tables, raw, rounds)
    write_csv(table, snakemake.output.replication)
    log.info("%s", table["status"].value_counts().to_dict())
