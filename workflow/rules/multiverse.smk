"""The multiverse: every admissible specification of the decision space (analysis/registry.yaml), scored.

    config + registry ─ multiverse_space ─┐
    raw tables ─ multiverse_prepare (one job per structural combination) ─┼─ multiverse_chunk × N
                                                                          └─ multiverse_gather ─ multiverse_summary

Each structural combination (the varied keys cleaning reads) is cleaned once by the clean_data script
and shared by every specification on it; the numeric specifications are scored vectorised in N chunk
jobs (multiverse.chunks, fewer for a small space; never changes a result) and gathered into one Parquet table.
"""

from analysis.scores.multiverse import chunk_jobs, encoded_params, structures as mv_structures, spec_config as mv_spec_config, table_keys

MV = "results/multiverse"
MV_STRUCTURES = {row["structure_id"]: row for row in mv_structures(BASE).to_dict("records")}
MV_CHUNKS = chunk_jobs(BASE, len(MV_STRUCTURES))  # multiverse.chunks, fewer for a small space
MV_CODE = ["analysis/scores/multiverse.py", "analysis/scores/stages.py", "analysis/scores/verdicts.py",
           "analysis/registry.py", "analysis/registry.yaml"]


# what the table depends on (analysis/scores/multiverse.table_keys); the summary reads every default
MV_TABLE_PARAMS = encoded_params(BASE, [*table_keys(BASE), "multiverse.only"])
MV_ALL_PARAMS = encoded_params(BASE, [key for key in registry.choices() if not key.startswith("report.")])


rule multiverse:
    """The multiverse table and its robustness summary."""
    input:
        f"{MV}/specifications.parquet",
        f"{MV}/robustness.csv",
        f"{MV}/explorer.json",


rule multiverse_space:
    """The varied keys, the constraints, every structural combination and its number of specifications."""
    input:
        code=["scripts/multiverse_space.py", *MV_CODE],
    output:
        space=f"{MV}/space.json",
    params:
        **MV_TABLE_PARAMS,
    log:
        f"{MV}/logs/multiverse_space.log",
    run:
        run_script("scripts/multiverse_space.py", input, output, params, wildcards, log, rule)


rule multiverse_prepare:
    """One structural combination's cleaned tables (the clean_data script with that combination's keys)."""
    input:
        validated=rules.validate_raw.output.report,
        package="data/datapackage.json",
        tables=expand("data/raw/{table}.csv", table=RAW_TABLES),
        code=["scripts/clean_data.py", "analysis/data/clean.py", "analysis/data/rounds.py",
              "analysis/data/codebook.py"],
    output:
        **{table: f"{MV}/prepared/{{structure}}/{table}.csv" for table in CLEAN_TABLES},
    params:
        **{key.replace(".", "__"): (lambda wildcards, key=key: registry.encode(*registry.selected(
            mv_spec_config(BASE, {k: v for k, v in MV_STRUCTURES[wildcards.structure].items()
                                  if k != "structure_id"}), key)))
           for key in registry.keys_read_by("clean_data")},
    wildcard_constraints:
        structure="[0-9a-f]+",
    log:
        f"{MV}/logs/multiverse_prepare/{{structure}}.log",
    run:
        run_script("scripts/clean_data.py", input, output, params, wildcards, log, rule)


rule multiverse_chunk:
    """Chunk {chunk} of {chunks}: its specifications scored on their structures' prepared tables."""
    input:
        space=rules.multiverse_space.output.space,
        prepared=[f"{MV}/prepared/{structure}/{table}.csv" for structure in MV_STRUCTURES
                  for table in CLEAN_TABLES],
        code=["scripts/multiverse_chunk.py", *MV_CODE]
        + [f"analysis/scores/{module}.py" for module in ["stringency", "timing", "attainment", "influence",
                                                         "process_tracing", "reactivity", "headline"]],
    output:
        chunk=f"{MV}/chunks/{{chunk}}_of_{{chunks}}.parquet",
    params:
        prepared=lambda wildcards, input: str(Path(input.space).parent / "prepared"),
        **MV_TABLE_PARAMS,
    wildcard_constraints:
        chunk="[0-9]+",
        chunks="[0-9]+",
    resources:
        # its share of the space's specifications (a cluster ends a job that outgrows its request)
        mem_mb=mv_mem_mb("multiverse_chunk", "space"),
    log:
        f"{MV}/logs/multiverse_chunk/{{chunk}}_of_{{chunks}}.log",
    conda:
        ENV
    script:
        "../../scripts/multiverse_chunk.py"


rule multiverse_gather:
    """Every specification, one row each: its id, every choice, every score and every verdict."""
    input:
        chunks=expand(f"{MV}/chunks/{{chunk}}_of_{{chunks}}.parquet",
                      chunk=range(MV_CHUNKS), chunks=MV_CHUNKS),
        code=["scripts/multiverse_gather.py", "analysis/scores/multiverse.py"],
    output:
        table=f"{MV}/specifications.parquet",
    params:
        **(MV_TABLE_PARAMS | registry.rule_params("multiverse_gather", BASE)),
    resources:
        mem_mb=mv_mem_mb("multiverse_gather", "chunks"),  # 5.7 GB for config.yaml's space
    log:
        f"{MV}/logs/multiverse_gather.log",
    conda:
        ENV
    script:
        "../../scripts/multiverse_gather.py"


# The verdicts whose specification curve the report draws (config.yaml's segmentation, then HP2, HP3).
MV_CURVES = [f"HP1_{w['id']}" for w in BASE["rounds"]["definitions"][BASE["rounds"]["segmentation"]]]
MV_CURVES += ["HP2", "HP3"]


rule multiverse_summary:
    """Robustness per hypothesis and round, flip rates per choice, the paragraph, specification curves."""
    input:
        table=rules.multiverse_gather.output.table,
        claims="results/clean/thesis_claims.csv",
        code=["scripts/multiverse_summary.py", "analysis/present/robustness.py", "analysis/present/figures.py",
              "analysis/vocabulary.py"],
    output:
        robustness=f"{MV}/robustness.csv",
        flips=f"{MV}/flip_rates.csv",
        info=f"{MV}/robustness.json",
        specs=[f"{MV}/figures/spec_curve_{target}.vl.json" for target in MV_CURVES],
        svgs=update([f"{MV}/figures/spec_curve_{target}.svg" for target in MV_CURVES]),  # as make_figures
    params:
        **MV_ALL_PARAMS,
    resources:
        mem_mb=mv_mem_mb("multiverse_summary", "table"),
    log:
        f"{MV}/logs/multiverse_summary.log",
    conda:
        ENV
    script:
        "../../scripts/multiverse_summary.py"


rule multiverse_explorer:
    """The multiverse packed small for the HTML report's explorer (dropdowns, offline)."""
    input:
        table=rules.multiverse_gather.output.table,
        code=["scripts/multiverse_explorer.py", "analysis/present/explorer.py",
              "analysis/present/explorer.js"],
    output:
        explorer=f"{MV}/explorer.json",
    params:
        **MV_ALL_PARAMS,
    resources:
        mem_mb=mv_mem_mb("multiverse_explorer", "table"),
    log:
        f"{MV}/logs/multiverse_explorer.log",
    conda:
        ENV
    script:
        "../../scripts/multiverse_explorer.py"
