"""Rule compare_variants: what two builds differ in (config, numbers, verdicts, figures), as HTML and CSV."""

import json
from pathlib import Path

import pandas as pd

from analysis.io import logged, write_csv, write_text_atomic
from analysis.present.compare import compare_builds, comparison_page, figure_name


def read_csv(path: str) -> pd.DataFrame:
    """A table as the text the build wrote (so a difference is exactly a difference in the file)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def build(side: str) -> dict:
    inputs = snakemake.input
    return {
        "choices": read_csv(inputs[f"{side}_choices"]),
        "verdicts": read_csv(inputs[f"{side}_verdicts"]),
        "headline": json.loads(Path(inputs[f"{side}_headline"]).read_text(encoding="utf-8")),
        "scores": {Path(p).stem: read_csv(p) for p in inputs[f"{side}_scores"]},
        "svgs": {figure_name(p): Path(p).read_text(encoding="utf-8") for p in inputs[f"{side}_svgs"]},
    }


with logged(snakemake.log[0]) as log:
    a, b = build("a"), build("b")
    config, changes, figures = compare_builds(a, b)
    write_csv(config, snakemake.output.config)
    write_csv(changes, snakemake.output.changes)
    page = comparison_page(
        snakemake.params.a, snakemake.params.b, config, changes, figures, a["svgs"], b["svgs"]
    )
    write_text_atomic(snakemake.output.page, page)
    log.info("%d config keys, %d cells and %d figures differ", len(config), len(changes), len(figures))
