"""Rule tabulate_choices: every config key in force, its value and meaning; the build's identity."""

from analysis.config import coding_choices_table, round_windows, unflatten
from analysis.io import logged, write_csv, write_json
from analysis.registry import choices, from_params, lookup
from analysis.variants import build_identity

with logged(snakemake.log[0]) as log:
    received = from_params(snakemake.params)
    config = unflatten({key: lookup(received, key) for key in choices()})  # in registry order
    table = coding_choices_table(config)
    write_csv(table, snakemake.output.choices)
    write_json(round_windows(config), snakemake.output.rounds)
    identity = build_identity(
        snakemake.params.variant, config, snakemake.input.tables, snakemake.params.differs_from_default
    )
    write_json(identity, snakemake.output.identity)
    log.info("wrote %d coding choices; identity %s", len(table), identity)
