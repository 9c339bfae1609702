"""Rule multiverse_explorer: the multiverse packed for the report's in-page explorer."""

from analysis.io import logged, write_json
from analysis.present.explorer import explorer_data
from analysis.registry import from_params
from analysis.scores.multiverse import read_parquet

with logged(snakemake.log[0]) as log:
    config = from_params(snakemake.params)  # every key the job depends on, one param each
    data = explorer_data(read_parquet(snakemake.input.table), config)
    write_json(data, snakemake.output.explorer)
    log.info(
        "explorer: %d specifications, %d verdict and %d score tuples",
        data["n_specifications"],
        len(data["verdict_table"]),
        len(data["score_table"]),
    )
