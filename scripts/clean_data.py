"""Rule clean_data: one record per measure, dates and rounds, plus the conflicts and data-checks tables."""

from pathlib import Path

from analysis.clean import clean_tables, csv_ready, read_raw
from analysis.codebook import load_codebook
from analysis.io import logged, write_csv

with logged(snakemake.log[0]) as log:
    codebook = load_codebook(snakemake.input.package)
    by_file = {Path(path).name: path for path in snakemake.input.tables}
    raw = {resource.name: read_raw(by_file[resource.file_name], resource) for resource in codebook.resources}
    clean = clean_tables(
        raw,
        snakemake.params.conflict_resolution,
        snakemake.params.date_basis,
        snakemake.params.rounds,
        coarse_date_placement=snakemake.params.coarse_date_placement,
    )
    for table, frame in clean.items():
        write_csv(csv_ready(frame), snakemake.output[table])
        log.info("%s: %d rows -> %s", table, len(frame), snakemake.output[table])
