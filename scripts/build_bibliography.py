"""Rule build_bibliography: the sources table becomes the report's .bib file."""

from analysis.io import logged, read_csv, write_text_atomic
from analysis.present.bibliography import bibliography

with logged(snakemake.log[0]) as log:
    sources = read_csv(snakemake.input.sources)
    write_text_atomic(snakemake.output.bib, bibliography(sources))
    log.info("wrote %d entries to %s", len(sources), snakemake.output.bib)
