"""Rule validate_raw: check the raw tables against the codebook; fail listing every problem, else report."""

from pathlib import Path

from analysis.data.validate import validate_package, validation_report
from analysis.io import logged, write_json

with logged(snakemake.log[0]) as log:
    data_dir = Path(snakemake.input.tables[0]).parent
    problems = validate_package(snakemake.input.package, data_dir, round_ids=snakemake.params.round_ids)
    if problems:
        for problem in problems:
            log.error("%s", problem)
        listing = "\n".join(f"  {problem}" for problem in problems)
        raise SystemExit(f"validate_raw: {len(problems)} problem(s) in the raw tables:\n{listing}")
    report = validation_report(snakemake.input.package, data_dir)
    write_json(report, snakemake.output.report)
    log.info("all %d raw tables valid; report in %s", len(report["tables"]), snakemake.output.report)
