"""Rule score_attainment: preference attainment of the US and Japan per round, with a Monte Carlo interval."""

from analysis.io import logged, read_csv, write_csv
from analysis.scores.attainment import attainment_table

with logged(snakemake.log[0]) as log:
    params = snakemake.params
    table = attainment_table(
        read_csv(snakemake.input.measures), params.rounds, weights=params.weights,
        intensity=params.intensity, three_level_values=params.three_level_values, leader=params.leader,
        choices=params.choices, uncoded_intensity=params.uncoded_intensity,
        easing_factor=params.easing_factor, missing=params.missing_intensity)
    write_csv(table, snakemake.output.attainment)
    # The outcome is Japan's stock index / 100, which score_stringency also reports: say if they part.
    stringency = read_csv(snakemake.input.stringency)
    japan = stringency[stringency["sender"] == "JP"].set_index("round")["stringency_stock"]
    for row in table[table["actor"] == "JP"].itertuples():
        if row.round in japan.index and abs(100 * row.outcome - float(japan[row.round])) > 1e-9:
            log.warning("round %s: outcome %.4f differs from JP stock stringency %.4f / 100",
                        row.round, row.outcome, float(japan[row.round]))
    log.info("%d rows, measure %s", len(table), params.choices["measure"])
