"""Rule render_report: execute report.qmd and render one self-contained HTML file and a PDF."""

import os
import time
from pathlib import Path

from analysis.io import logged
from analysis.present.provenance import commit_text
from analysis.registry import from_params
from qmdrender import render

with logged(snakemake.log[0]) as log:
    # The kernel imports the project being built (Snakemake runs in its folder), not the checkout the
    # environment's editable install names: a second checkout or worktree would otherwise render with
    # the first one's report code. The modules' content is a render input (and so in the cell cache's
    # key); their folder is not, so a copy of the project still reuses the original's cells.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [os.getcwd(), os.environ.get("PYTHONPATH")]))
    # every named input (a path or a list of paths) is what the report may read, by name
    inputs = {
        name: (list(value) if isinstance(value, list) else str(value))
        for name, value in snakemake.input.items()
        if name != "vega_bundle"  # the engine's, not the cells'
    }
    targets = {"html": Path(snakemake.output.html), "pdf": Path(snakemake.output.pdf)}
    # executed cells are reused while their code and every declared input are unchanged (a prose edit)
    timings: dict[str, float] = {}
    # the commit of the code, for the prose's build line: metadata, which no cell reads, so a commit or
    # a prose edit that makes a clean checkout dirty re-runs pandoc and typst, not the cells
    code = commit_text(snakemake.params.commit, snakemake.params.dirty)
    start = time.perf_counter()
    engine = render(
        Path(snakemake.input.qmd),
        targets,
        inputs,
        engine=from_params(snakemake.params)["report"]["engine"],
        cache_dir=Path(".snakemake", "qmdrender-cells", snakemake.wildcards.root),
        vega_bundle_file=Path(snakemake.input.vega_bundle),
        timings=timings,
        metadata={"build-code": code},
    )
    log.info("rendered %s and %s with %s (%s)", snakemake.output.html, snakemake.output.pdf, engine, code)
    # where the render's time went (HTML and PDF run side by side): the profile behind a slow edit
    total = time.perf_counter() - start
    if timings:
        cells = "" if "cells" in timings else "cells reused, "
        phases = ", ".join(f"{phase} {seconds:.2f} s" for phase, seconds in sorted(timings.items()))
        log.info("render %.2f s: %s%s", total, cells, phases)
    else:
        log.info("render %.2f s (%s: no phase timed)", total, engine)
