"""Rule score_process_tracing: weight of each evidence item and the posterior per hypothesis and round."""

from analysis.io import logged, read_csv, write_csv
from analysis.scores.process_tracing import score_process_tracing

with logged(snakemake.log[0]) as log:
    weights, posteriors = score_process_tracing(
        read_csv(snakemake.input.evidence), snakemake.params.rounds, snakemake.params.choices
    )
    write_csv(weights, snakemake.output.weights)
    write_csv(posteriors, snakemake.output.posteriors)
    log.info("%d items; verdicts %s", len(weights), posteriors["verdict"].value_counts().to_dict())
