"""Rule tabulate_choices: every config key in force, its value and its documented meaning."""

from analysis.config import coding_choices_table, unflatten
from analysis.io import logged, write_csv, write_json

PREFIX = "choice__"

with logged(snakemake.log[0]) as log:
    config = unflatten({name.removeprefix(PREFIX).replace("__", "."): value
                        for name, value in snakemake.params.items() if name.startswith(PREFIX)})
    table = coding_choices_table(config, snakemake.input.schema)
    write_csv(table, snakemake.output.choices)
    write_json(list(snakemake.params.rounds), snakemake.output.rounds)
    log.info("wrote %d coding choices", len(table))
