"""Rule clean_data: one record per measure, dates and rounds, plus the conflicts and data-checks tables."""

from pathlib import Path

from analysis.data.clean import clean_tables, csv_ready, read_raw, without_windows
from analysis.data.codebook import load_codebook
from analysis.io import logged, write_csv
from analysis.registry import from_params
from analysis.scores.stages import round_windows

with logged(snakemake.log[0]) as log:
    choices = from_params(snakemake.params)
    codebook = load_codebook(snakemake.input.package)
    by_file = {Path(path).name: path for path in snakemake.input.tables}
    raw = {resource.name: read_raw(by_file[resource.file_name], resource) for resource in codebook.resources}
    data = choices["data"]
    # rounds the build leaves out (rounds.out_of_sample: exclude) take their rows with them
    rounds = choices["rounds"]
    left_out = [w for w in rounds["definitions"][rounds["segmentation"]] if w not in round_windows(choices)]
    raw = without_windows(raw, left_out, data["coarse_date_placement"])
    clean = clean_tables(
        raw,
        data["conflict_resolution"],
        data["date_basis"],
        round_windows(choices),
        coarse_date_placement=data["coarse_date_placement"],
    )
    for table, frame in clean.items():
        write_csv(csv_ready(frame), snakemake.output[table])
        log.info("%s: %d rows -> %s", table, len(frame), snakemake.output[table])
