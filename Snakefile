"""Japan's sanctions against Russia: one DAG from hand-coded tables to the report.

    raw tables ─ validate_raw ─ clean_data ─┬─ score_stringency ─ score_attainment ─┐
                                            ├─ score_timing ───────────────────────┤
                                            ├─ score_influence ────────────────────┤
                                            ├─ score_process_tracing ──────────────┼─ decide_verdicts ─ replicate_thesis
                                            └─ (engagements, pressure) ─ score_reactivity
    scores + figures + bibliography + coding choices + multiverse ─ render_report ─ {root}/report/report.{html,pdf}
    every admissible coding ─ multiverse_prepare × structures ─ multiverse_chunk × N ─ multiverse_gather ─ summary

Every output lives under a results root: `results/` for config.yaml's build, `results/variants/<name>/`
for a named variant (variants/<name>.yaml). Each stage reads exactly the registered config keys it
needs (analysis/registry.yaml) as one param per key, and a variant reuses every stage whose keys, and
those of the stages before it, agree with an earlier build's.
"""


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/scores.smk"
include: "workflow/rules/multiverse.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/variants.smk"


rule all:
    """The report of the build in force (config.yaml's, or the --configfile/--config variant's) and
    every intermediate file behind it."""
    input:
        every_output(TARGET_ROOT),
    default_target: True


onsuccess:
    cancel_rescheduling_timers()


onerror:
    cancel_rescheduling_timers()
    # The render keeps the last good report (see render_report); say that it no longer matches.
    for path in (f"{TARGET_ROOT}/report/report.html", f"{TARGET_ROOT}/report/report.pdf"):
        if Path(path).exists():
            print(f"The build failed: {path} is the last good report and is now stale "
                  "(its identity line names the config and data it was built from).", file=sys.stderr)
