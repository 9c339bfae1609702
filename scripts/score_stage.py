"""Rules score_* and decide_verdicts: run the stage named by the rule on its inputs and choices."""

from analysis.io import logged, read_csv, write_csv, write_json
from analysis.registry import from_params
from analysis.scores.stages import STAGES

with logged(snakemake.log[0]) as log:
    tables = {name: read_csv(path) for name, path in snakemake.input.items() if name != "code"}
    outputs = STAGES[snakemake.rule](tables, from_params(snakemake.params))
    for name, path in snakemake.output.items():
        if path.endswith(".json"):
            write_json(outputs[name], path)
        else:
            write_csv(outputs[name], path)
        log.info("%s: %s", name, path)
