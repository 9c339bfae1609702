"""Rule clean_data: one record per measure, dates and rounds, plus the conflicts and data-checks tables."""

from analysis.data.clean import clean_files
from analysis.io import logged, write_csv
from analysis.registry import from_params

with logged(snakemake.log[0]) as log:
    clean = clean_files(snakemake.input.package, snakemake.input.tables, from_params(snakemake.params))
    for table, frame in clean.items():
        write_csv(frame, snakemake.output[table])
        log.info("%s: %d rows -> %s", table, len(frame), snakemake.output[table])
