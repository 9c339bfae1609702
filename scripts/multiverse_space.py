"""Rule multiverse_space: the decision space (varied keys, constraints, structures and their sizes)."""

from pathlib import Path

import yaml

from analysis.io import logged, write_json
from analysis.scores.multiverse import space_summary

with logged(snakemake.log[0]) as log:
    config = yaml.safe_load(Path(snakemake.input.config).read_text(encoding="utf-8"))
    space = space_summary(config)
    write_json(space, snakemake.output.space)
    log.info("%d structures, %d admissible specifications", len(space["structures"]), space["total"])
