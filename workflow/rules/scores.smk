"""Stage 3: scores and verdicts. Each rule runs one stage of analysis/scores/stages.py."""

rule score_stringency:
    """Stringency index per sender and round (stock and flow), coverage and breadth."""
    input:
        measures=clean("measures"),
        code=["analysis/scores/stringency.py", *STAGE_CODE],
    output:
        stringency="{root}/scores/stringency.csv",
        leave_one_out="{root}/scores/stringency_leave_one_out.csv",
    params:
        **choice_params("score_stringency"),
    log:
        log_of("score_stringency"),
    run:
        run_script("scripts/score_stage.py", input, output, params, wildcards, log, rule)


rule score_timing:
    """Japan's lag behind the leader and the peers; first-mover share per round; lag behind the US and EU."""
    input:
        measures=clean("measures"),
        code=["analysis/scores/timing.py", "analysis/scores/stringency.py", *STAGE_CODE],
    output:
        timing_measures="{root}/scores/timing_measures.csv",
        timing_rounds="{root}/scores/timing_rounds.csv",
        timing_by_sender="{root}/scores/timing_by_sender.csv",
        timing_first_movers="{root}/scores/timing_first_movers.csv",
    params:
        **choice_params("score_timing"),
    log:
        log_of("score_timing"),
    run:
        run_script("scripts/score_stage.py", input, output, params, wildcards, log, rule)


rule score_attainment:
    """Preference attainment of the US and Japan per round, with a seeded Monte Carlo interval."""
    input:
        measures=clean("measures"),
        code=["analysis/scores/attainment.py", "analysis/scores/stringency.py", *STAGE_CODE],
    output:
        attainment="{root}/scores/attainment.csv",
    params:
        **choice_params("score_attainment"),
    log:
        log_of("score_attainment"),
    run:
        run_script("scripts/score_stage.py", input, output, params, wildcards, log, rule)


rule score_influence:
    """Attributed influence per round and by attributor type."""
    input:
        attributions=clean("attributions"),
        code=["analysis/scores/influence.py", *STAGE_CODE],
    output:
        influence="{root}/scores/influence.csv",
        by_type="{root}/scores/influence_by_type.csv",
    params:
        **choice_params("score_influence"),
    log:
        log_of("score_influence"),
    run:
        run_script("scripts/score_stage.py", input, output, params, wildcards, log, rule)


rule score_process_tracing:
    """Bayesian updating (or Collier's test logic) per hypothesis and round; weight of each item."""
    input:
        evidence=clean("evidence"),
        code=["analysis/scores/process_tracing.py", *STAGE_CODE],
    output:
        evidence_weights="{root}/scores/evidence_weights.csv",
        posteriors="{root}/scores/posteriors.csv",
    params:
        **choice_params("score_process_tracing"),
    log:
        log_of("score_process_tracing"),
    run:
        run_script("scripts/score_stage.py", input, output, params, wildcards, log, rule)


rule score_reactivity:
    """Calder's two criteria per round; the same reactivity index for Japan and each ally (the yardstick)."""
    input:
        measures=clean("measures"),
        pressure=clean("pressure"),
        engagements=clean("engagements"),
        timing_rounds=at("score_timing", "scores/timing_rounds.csv"),
        timing_first_movers=at("score_timing", "scores/timing_first_movers.csv"),
        attainment=at("score_attainment", "scores/attainment.csv"),
        code=["analysis/scores/reactivity.py", "analysis/data/clean.py", *STAGE_CODE],
    output:
        reactivity="{root}/scores/reactivity.csv",
        reactivity_peers="{root}/scores/reactivity_peers.csv",
    params:
        **choice_params("score_reactivity"),
    log:
        log_of("score_reactivity"),
    run:
        run_script("scripts/score_stage.py", input, output, params, wildcards, log, rule)


rule decide_verdicts:
    """HP1 per round, HP2 and HP3, each with its rule; the headline numbers the report quotes."""
    input:
        stringency=at("score_stringency", "scores/stringency.csv"),
        timing_rounds=at("score_timing", "scores/timing_rounds.csv"),
        attainment=at("score_attainment", "scores/attainment.csv"),
        influence=at("score_influence", "scores/influence.csv"),
        posteriors=at("score_process_tracing", "scores/posteriors.csv"),
        reactivity=at("score_reactivity", "scores/reactivity.csv"),
        thesis_claims=clean("thesis_claims"),
        data_checks=clean("data_checks"),
        measures=clean("measures"),
        pressure=clean("pressure"),
        attributions=clean("attributions"),
        evidence=clean("evidence"),
        code=["analysis/scores/verdicts.py", "analysis/scores/headline.py", "analysis/scores/influence.py",
              "analysis/scores/reactivity.py", "analysis/data/clean.py", *STAGE_CODE],
    output:
        verdicts="{root}/scores/verdicts.csv",
        headline="{root}/scores/headline.json",
    params:
        **choice_params("decide_verdicts"),
    log:
        log_of("decide_verdicts"),
    run:
        run_script("scripts/score_stage.py", input, output, params, wildcards, log, rule)


rule replicate_thesis:
    """Every claim of the thesis beside the pipeline's value: agrees / differs, with the reason."""
    input:
        claims=clean("thesis_claims"),
        measures=clean("measures"),
        pressure=clean("pressure"),
        engagements=clean("engagements"),
        verdicts=at("decide_verdicts", "scores/verdicts.csv"),
        stringency=at("score_stringency", "scores/stringency.csv"),
        # Other documents' reports of the same event, one row per report: the independent evidence.
        raw=expand("data/raw/{table}.csv", table=["measures", "pressure", "engagements"]),
        code=["scripts/replicate_thesis.py", "analysis/scores/replication.py"],
    output:
        replication="{root}/scores/replication.csv",
    params:
        **choice_params("replicate_thesis"),
    log:
        log_of("replicate_thesis"),
    run:
        run_script("scripts/replicate_thesis.py", input, output, params, wildcards, log, rule)
