"""Rule record_provenance: every provenance card with the sha256 of each file it names."""

from analysis.io import logged, write_json
from analysis.present.provenance import record

with logged(snakemake.log[0]) as log:
    # paths are relative to the project (Snakemake's working directory), so no absolute path is kept
    provenance = record(dict(snakemake.params.cards), dict(snakemake.params.packages))
    write_json(provenance, snakemake.output.provenance)
    log.info("%d cards", len(provenance["cards"]))
