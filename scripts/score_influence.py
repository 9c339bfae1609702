"""Rule score_influence: attributed influence of US pressure per round and by attributor type."""

from analysis.io import logged, read_csv, write_csv
from analysis.scores.influence import score_influence

with logged(snakemake.log[0]) as log:
    params = snakemake.params
    influence, by_type = score_influence(
        read_csv(snakemake.input.attributions),
        params.rounds,
        params.aggregation,
        params.type_weights,
        params.strength_ladder,
        params.mixed_share,
        params.competing_causes,
    )
    write_csv(influence, snakemake.output.influence)
    write_csv(by_type, snakemake.output.by_type)
    log.info(
        "influence (%s): %s",
        params.aggregation,
        dict(zip(influence["round"], influence["influence"], strict=True)),
    )
