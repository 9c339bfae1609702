"""Rule replicate_thesis: each claim of the thesis beside the pipeline's value."""

from analysis.io import logged, read_csv, write_csv
from analysis.scores.replication import replication_table

with logged(snakemake.log[0]) as log:
    tables = {
        name: read_csv(snakemake.input[name])
        for name in ("measures", "pressure", "engagements", "conflicts", "verdicts")
    }
    table = replication_table(read_csv(snakemake.input.claims), tables)
    write_csv(table, snakemake.output.replication)
    log.info("%s", table["status"].value_counts().to_dict())
