"""Rule render_report: execute report.qmd and render one self-contained HTML file and a PDF."""

import time
from pathlib import Path

from analysis.io import logged
from analysis.registry import from_params
from qmdrender import render

with logged(snakemake.log[0]) as log:
    # every named input (a path or a list of paths) is what the report may read, by name
    inputs = {
        name: (list(value) if isinstance(value, list) else str(value))
        for name, value in snakemake.input.items()
        if name != "vega_bundle"  # the engine's, not the cells'
    }
    targets = {"html": Path(snakemake.output.html), "pdf": Path(snakemake.output.pdf)}
    # executed cells are reused while their code and every declared input are unchanged (a prose edit)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    engine = render(
        Path(snakemake.input.qmd),
        targets,
        inputs,
        engine=from_params(snakemake.params)["report"]["engine"],
        cache_dir=Path(".snakemake", "qmdrender-cells", snakemake.wildcards.root),
        vega_bundle_file=Path(snakemake.input.vega_bundle),
        timings=timings,
    )
    log.info("rendered %s and %s with %s", snakemake.output.html, snakemake.output.pdf, engine)
    # where the render's time went (HTML and PDF run side by side): the profile behind a slow edit
    total = time.perf_counter() - start
    if timings:
        cells = "" if "cells" in timings else "cells reused, "
        phases = ", ".join(f"{phase} {seconds:.2f} s" for phase, seconds in sorted(timings.items()))
        log.info("render %.2f s: %s%s", total, cells, phases)
    else:
        log.info("render %.2f s (%s: no phase timed)", total, engine)
