"""Rule decide_verdicts: HP1 per round, HP2 and HP3 with their rules; the report's headline numbers."""

from analysis.io import logged, read_csv, write_csv, write_json
from analysis.scores.headline import headline_numbers
from analysis.scores.verdicts import decide_verdicts

with logged(snakemake.log[0]) as log:
    params = snakemake.params
    names = [
        "stringency",
        "timing",
        "attainment",
        "influence",
        "posteriors",
        "reactivity",
        "claims",
        "measures",
        "pressure",
        "attributions",
        "evidence",
    ]
    tables = {name: read_csv(snakemake.input[name]) for name in names}
    tables["data_checks"] = read_csv(snakemake.input.clean_checks)
    verdicts = decide_verdicts(
        params.rounds,
        tables["attainment"],
        tables["influence"],
        tables["posteriors"],
        tables["reactivity"],
        tables["claims"],
        params.hp1,
        params.supported_threshold,
        params.combine,
        params.hp2_rule,
        params.reactive_state,
    )
    tables["verdicts"] = verdicts
    write_csv(verdicts, snakemake.output.verdicts)
    write_json(headline_numbers(params.rounds, params.leader, tables), snakemake.output.headline)
    log.info(
        "verdicts: %s",
        dict(
            zip(
                verdicts["hypothesis"] + ":" + verdicts["round"].astype(str), verdicts["verdict"], strict=True
            )
        ),
    )
