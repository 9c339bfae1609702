"""Rule write_report_text: every computed sentence and display table the report shows."""

import json
from pathlib import Path

from analysis.io import logged, read_csv, write_csv, write_text_atomic, write_yaml_atomic
from analysis.present.narrative import abstract, report_fragments
from analysis.scores import attainment, influence, process_tracing, reactivity, stringency, timing, verdicts

# The score modules whose formulas the methods chapter shows, with a heading for each.
FORMULA_MODULES = [
    ("Stringency of a sender's sanctions", stringency),
    ("Japan's timing behind the leader", timing),
    ("Preference attainment", attainment),
    ("Attributed influence", influence),
    ("Bayesian process tracing", process_tracing),
    ("Reactivity (Calder's criteria)", reactivity),
    ("Verdicts", verdicts),
]
TABLES = [
    "sources",
    "measures",
    "pressure",
    "attributions",
    "engagements",
    "evidence",
    "thesis_claims",
    "conflicts",
    "data_checks",
    "stringency",
    "leave_one_out",
    "timing_by_sender",
    "attainment",
    "influence",
    "by_type",
    "evidence_weights",
    "posteriors",
    "reactivity",
    "reactivity_peers",
    "verdicts",
    "replication",
]

with logged(snakemake.log[0]) as log:
    tables = {name: read_csv(snakemake.input[name]) for name in TABLES}
    # the raw measures: one row per report, with the primary sources each report cites
    tables["measure_reports"] = read_csv(snakemake.input.measure_reports)
    windows = json.loads(Path(snakemake.input.rounds).read_text(encoding="utf-8"))
    package = json.loads(Path(snakemake.input.package).read_text(encoding="utf-8"))
    blocks = [(title, module.FORMULAS, module.DESCRIPTIONS) for title, module in FORMULA_MODULES]
    texts, frames = report_fragments(tables, read_csv(snakemake.input.choices), windows, package, blocks)
    write_yaml_atomic({"abstract": abstract(texts["findings"])}, snakemake.output.abstract)
    for path in snakemake.output.text:
        write_text_atomic(path, texts[Path(path).stem] + "\n")
    for path in snakemake.output.tables:
        write_csv(frames[Path(path).stem], path)
    log.info("%d text fragments, %d tables", len(texts), len(frames))
