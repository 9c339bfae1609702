"""Named variants side by side, and the comparison of any two builds."""

from types import SimpleNamespace



rule variants:
    """The report of every variant in variants/ (config.yaml's build is `all`)."""
    input:
        [f"{VARIANTS.root(name)}/report/report.{ext}" for name in VARIANTS.names if name != DEFAULT
         for ext in ("html", "pdf")],


def build_outputs(name):
    """What a comparison reads of one build: its config, verdicts, headline, scores and figures."""
    root = VARIANTS.root(name)
    wc = SimpleNamespace(root=root)
    return {
        "choices": f"{root}/report/coding_choices.csv",
        "verdicts": at("decide_verdicts", "scores/verdicts.csv")(wc),
        "headline": at("decide_verdicts", "scores/headline.json")(wc),
        "scores": [at(rule, f"scores/{name}")(wc) for rule, name in COMPARED_SCORES],
        "svgs": [at("make_figure", f"figures/{figure}.svg")(wc) for figure in FIGURES],
    }


# Score tables a comparison lists cell by cell (the rule that makes each, and its file).
COMPARED_SCORES = [
    ("score_stringency", "stringency.csv"),
    ("score_timing", "timing_rounds.csv"),
    ("score_attainment", "attainment.csv"),
    ("score_influence", "influence.csv"),
    ("score_process_tracing", "posteriors.csv"),
    ("score_reactivity", "reactivity.csv"),
]


def comparison_inputs(wildcards):
    a, b = build_outputs(wildcards.a), build_outputs(wildcards.b)
    return {**{f"a_{k}": v for k, v in a.items()}, **{f"b_{k}": v for k, v in b.items()}}


rule compare_variants:
    """What differs between two builds (`default` or a variant name): config, numbers, verdicts, figures."""
    input:
        unpack(comparison_inputs),
        code="analysis/present/compare.py",
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
    conda:
        ENV
    script:
        "../../scripts/compare_variants.py"
