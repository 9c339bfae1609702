"""Rule score_stringency: stringency index per sender and round, and the leave-one-instrument-out table."""

from analysis.io import logged, read_csv, write_csv
from analysis.scores.stringency import stringency_table

with logged(snakemake.log[0]) as log:
    params = snakemake.params
    table, leave_one_out = stringency_table(
        read_csv(snakemake.input.measures), params.rounds, weights=params.weights, basis=params.basis,
        intensity=params.intensity, three_level_values=params.three_level_values, leader=params.leader,
        uncoded_intensity=params.uncoded_intensity, easing_factor=params.easing_factor,
        missing=params.missing_intensity)
    write_csv(table, snakemake.output.stringency)
    write_csv(leave_one_out, snakemake.output.leave_one_out)
    log.info("%d sender-round rows; %d instruments with missing intensity", len(table),
             int(table["n_missing"].sum()))
