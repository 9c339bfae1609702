"""Rule score_timing: Japan's lag behind the leader and the peers, per measure and per round."""

from analysis.io import logged, read_csv, write_csv
from analysis.scores.timing import timing_tables

with logged(snakemake.log[0]) as log:
    params = snakemake.params
    by_measure, by_round = timing_tables(
        read_csv(snakemake.input.measures), params.rounds, leader=params.leader, peers=params.peers,
        first_mover_window_days=params.first_mover_window_days, matching=params.matching,
        coarsest_precision=params.coarsest_date_precision)
    write_csv(by_measure, snakemake.output.measures)
    write_csv(by_round, snakemake.output.rounds)
    log.info("%d Japanese measures, %d matched to a %s measure", len(by_measure),
             int(by_measure["lag_days"].notna().sum()), params.leader)
