"""Named variants side by side, and the comparison of any two builds."""




rule variants:
    """The report of every variant in variants/ (config.yaml's build is `all`)."""
    input:
        [f"{VARIANTS.root(name)}/report/report.{ext}" for name in VARIANTS.names if name != DEFAULT
         for ext in ("html", "pdf")],


rule compare_variants:
    """What differs between two builds (`default` or a variant name): config, numbers, verdicts, figures."""
    input:
        unpack(comparison_inputs),
        code=["scripts/compare_variants.py", "analysis/present/compare.py"],
    output:
        page="results/compare/{a}--{b}/index.html",
        config="results/compare/{a}--{b}/config.csv",
        changes="results/compare/{a}--{b}/changes.csv",
    params:
        a=lambda wildcards: wildcards.a,
        b=lambda wildcards: wildcards.b,
    wildcard_constraints:
        a=NAME_PATTERN,
        b=NAME_PATTERN,
    log:
        "results/logs/compare_variants/{a}--{b}.log",
    run:
        run_script("scripts/compare_variants.py", input, output, params, wildcards, log, rule)
