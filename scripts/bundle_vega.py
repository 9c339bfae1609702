"""Rule bundle_vega: the Vega, Vega-Lite and Vega-Embed libraries the HTML report embeds."""

from analysis.io import logged, write_text_atomic
from qmdrender.engine import vega_bundle

with logged(snakemake.log[0]) as log:
    bundle = vega_bundle()
    write_text_atomic(snakemake.output.bundle, bundle)
    log.info(
        "vl-convert %s: %d characters -> %s",
        snakemake.params.vl_convert,
        len(bundle),
        snakemake.output.bundle,
    )
