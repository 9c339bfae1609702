"""Rule multiverse_space: the decision space (varied keys, constraints, structures and their sizes)."""

from analysis.io import logged, write_json
from analysis.registry import from_params
from analysis.scores.multiverse import space_summary

with logged(snakemake.log[0]) as log:
    config = from_params(snakemake.params)  # every key the job depends on, one param each
    space = space_summary(config)
    write_json(space, snakemake.output.space)
    log.info("%d structures, %d admissible specifications", len(space["structures"]), space["total"])
