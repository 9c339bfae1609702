"""Config, variants and the helpers every rule file uses (nothing here runs a job)."""

import sys
from types import SimpleNamespace
from pathlib import Path


from analysis import registry
from analysis.config import ConfigError, validate_config
from analysis.io import run_script, skip_final_collection
from analysis.locks import clear_stale_locks
from analysis.present import provenance
from analysis.present.figure_list import FIGURE_DESCRIPTIONS, FIGURE_INPUTS
from analysis.present.narrative import TABLES as DISPLAY_TABLES
from analysis.present.narrative import TEXT_FRAGMENTS
from analysis.resources import job_memory_mb, specifications_in
from analysis.scores.stages import UPSTREAM
from analysis.variants import DEFAULT, NAME_PATTERN, ROOT_PATTERN, Variants, config_hash, differences


configfile: "config.yaml"

# Snakemake ends without the interpreter's last garbage collection: 0.4 s off every run, no-op included.
skip_final_collection()


# ── Config is checked before anything runs ──────────────────────────────────────────────────
try:
    BASE = registry.load_yaml(Path(workflow.basedir, "config.yaml").read_text(encoding="utf-8"))
    validate_config(BASE)
    validate_config(config)
    named = {}
    if config != BASE:
        # --configfile or --config: an unnamed variant, never written over config.yaml's build
        extra = [Path(f).stem for f in workflow.configfiles if Path(f).name != "config.yaml"]
        name = f"{extra[-1] if extra else 'config'}-{config_hash(config)[:8]}"
        named[name] = config
        print(f"Config differs from config.yaml in {len(differences(BASE, config))} key(s): building "
              f"variant '{name}' under results/variants/{name}/ (config.yaml's build is untouched).",
              file=sys.stderr)
    VARIANTS = Variants.from_folder(BASE, "variants", UPSTREAM)
    for name, spec in named.items():
        VARIANTS.specs.setdefault(name, spec)
except ConfigError as problem:
    sys.exit(f"Invalid configuration. {problem}")

TARGET_ROOT = VARIANTS.root(next(iter(named), DEFAULT))

# A run killed outright leaves its locks; with no other Snakemake running here they are stale.
if clear_stale_locks(Path(workflow.basedir)):
    print("Removed the locks of an earlier run that was killed (no other Snakemake runs here).",
          file=sys.stderr)


def cancel_rescheduling_timers():
    """Snakemake's job-rate limiter arms a 1-s threading.Timer after every scheduling round, and the
    interpreter waits for the last one before it exits: 1 s or more at the end of every run that
    ran a job (a prose edit included). The run is over when this is called, so nothing is lost."""
    import threading

    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.cancel()


ENV = "../../envs/pipeline.yaml"  # relative to the rule files
RAW_TABLES = ["sources", "measures", "pressure", "attributions", "engagements", "evidence",
              "thesis_claims", "disagreements"]
CLEAN_TABLES = RAW_TABLES + ["conflicts", "data_checks"]
FIGURES = list(FIGURE_DESCRIPTIONS)


wildcard_constraints:
    root=ROOT_PATTERN,


def choice_params(rule):
    """One param per registered key ``rule`` reads, taken from the specification of ``{root}``."""
    return {key.replace(".", "__"): (lambda wildcards, key=key:
                                     registry.encode(*registry.selected(VARIANTS.spec(wildcards.root), key)))
            for key in registry.keys_read_by(rule)}


def at(rule, path):
    """Input function: ``path`` under the root that holds ``rule``'s outputs for this ``{root}``."""
    return lambda wildcards: f"{VARIANTS.home(rule, wildcards.root)}/{path}"


def log_of(rule):
    return f"{{root}}/logs/{rule}.log"


STAGE_CODE = ["scripts/score_stage.py", "analysis/scores/stages.py", "analysis/registry.py"]


def clean(table):
    return at("clean_data", f"clean/{table}.csv")

# The rule and file behind each table a figure may read (figures.FIGURE_INPUTS says which it reads).
FIGURE_TABLES = {
    "measures": ("clean_data", "clean/measures.csv"),
    "pressure": ("clean_data", "clean/pressure.csv"),
    "engagements": ("clean_data", "clean/engagements.csv"),
    "stringency": ("score_stringency", "scores/stringency.csv"),
    "timing": ("score_timing", "scores/timing_measures.csv"),
    "by_sender": ("score_timing", "scores/timing_by_sender.csv"),
    "attainment": ("score_attainment", "scores/attainment.csv"),
    "by_type": ("score_influence", "scores/influence_by_type.csv"),
    "weights": ("score_process_tracing", "scores/evidence_weights.csv"),
    "evidence": ("clean_data", "clean/evidence.csv"),
    "posteriors": ("score_process_tracing", "scores/posteriors.csv"),
}


# Every table some figure reads, once (make_figures draws them all in one job).
FIGURE_READS = list(dict.fromkeys(name for names in FIGURE_INPUTS.values() for name in names))
# The rules whose keys the figures depend on: make_figures and those behind the tables it reads.
FIGURES_BEHIND = ["make_figures", *dict.fromkeys(FIGURE_TABLES[name][0] for name in FIGURE_READS)]


def figure_tables(wildcards):
    return {name: at(*FIGURE_TABLES[name])(wildcards) for name in FIGURE_READS}


def figure_at(figure, suffix):
    """Input function: a figure's file under the root that holds the figures for this ``{root}``:
    shared with an earlier build that agrees on every key behind make_figures and its tables."""
    return lambda wildcards: f"{VARIANTS.home(FIGURES_BEHIND, wildcards.root)}/figures/{figure}.{suffix}"

def score(rule, name):
    return at(rule, f"scores/{name}")

def build_outputs(name):
    """What a comparison reads of one build: its config, verdicts, headline, scores and figures."""
    root = VARIANTS.root(name)
    wc = SimpleNamespace(root=root)
    return {
        "choices": f"{root}/report/coding_choices.csv",
        "verdicts": at("decide_verdicts", "scores/verdicts.csv")(wc),
        "headline": at("decide_verdicts", "scores/headline.json")(wc),
        "scores": [at(rule, f"scores/{name}")(wc) for rule, name in COMPARED_SCORES],
        "svgs": [figure_at(figure, "svg")(wc) for figure in FIGURES],
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


# Rules whose outputs make up one build, in DAG order (validate_raw's output is shared by all).
BUILD_RULES = ["validate_raw", "clean_data", "score_stringency", "score_timing", "score_attainment",
               "score_influence", "score_process_tracing", "score_reactivity", "decide_verdicts",
               "replicate_thesis", "build_bibliography", "tabulate_choices", "write_report_text",
               "record_provenance", "bundle_vega", "render_report"]


def every_output(root):
    """Every file the build at ``root`` consists of, intermediates included: a target that names them
    all makes a bare `snakemake` restore any of them that went missing (Snakemake does not rebuild a
    missing intermediate file whose consumers are up to date)."""
    files = []
    for name in BUILD_RULES:
        home = VARIANTS.home(name, root) if name in UPSTREAM else root
        files += [str(pattern).format(root=home) for pattern in getattr(rules, name).output]
    for figure in FIGURES:
        files += [figure_at(figure, suffix)(SimpleNamespace(root=root)) for suffix in ("vl.json", "svg")]
    return files


# ── Provenance: what made each figure, table and the headline numbers ─────────────────────────
# Read once per run: the commit and dirty flag reach record_provenance as params, so a new commit
# reruns only that rule and the render, and a copy that is not a checkout says so deterministically.
GIT_COMMIT, GIT_DIRTY = provenance.git_state(workflow.basedir)
# The rules behind the multiverse's outputs (it spans every coding; these read its own settings).
MV_RULES = ["multiverse_space", "multiverse_prepare", "multiverse_chunk", "multiverse_gather",
            "multiverse_summary"]


def rule_inputs(rule, wildcards):
    """The named inputs of ``rule`` resolved for this ``{root}``: name -> path or list of paths.
    Derived from the rule itself, so a card lists what the rule really read."""
    def resolve(value):
        if callable(value):
            value = value(wildcards)
        if isinstance(value, str):
            return value.replace("{root}", wildcards.root)
        return [path for item in value for path in provenance.as_paths(resolve(item))]
    return {name: resolve(value) for name, value in getattr(rules, rule).input.items()}


def producers(root):
    """Which rule made each file of the build at ``root`` (as every_output finds them)."""
    made = {}
    for name in BUILD_RULES:
        home = VARIANTS.home(name, root) if name in UPSTREAM else root
        for pattern in getattr(rules, name).output:
            made[str(pattern).format(root=home)] = name
    return made


def encoded_keys(keys, root):
    return [registry.encode(*registry.selected(VARIANTS.spec(root), key)) for key in keys]


def provenance_cards(wildcards):
    """Every card's specification (provenance.card), by kind and name: figure/<figure>,
    table/<display table>, text/<fragment with numbered tables>, multiverse/<output>, headline."""
    root, cards = wildcards.root, {}
    figure_code = rule_inputs("make_figures", wildcards)["code"]
    for figure in FIGURES:
        # a figure's card names the tables and keys that figure itself reads
        tables = {name: at(*FIGURE_TABLES[name])(wildcards) for name in FIGURE_INPUTS[figure]}
        behind = ["make_figures", *dict.fromkeys(FIGURE_TABLES[name][0] for name in FIGURE_INPUTS[figure])]
        cards[f"figure/{figure}"] = provenance.card(
            "figure", figure, "make_figures",
            [figure_at(figure, suffix)(wildcards) for suffix in ("svg", "vl.json")],
            list(tables.values()), figure_code, encoded_keys(registry.keys_behind(behind, UPSTREAM), root))
    # display tables and fragments written by write_report_text, each from the named inputs it reads
    text_inputs = rule_inputs("write_report_text", wildcards)
    made_by = producers(root)
    for name, sources in provenance.REPORT_TEXT_SOURCES.items():
        files = [path for source in sources for path in provenance.as_paths(text_inputs[source])]
        # the keys behind the score and clean tables it reads; coding_choices.csv (tabulate_choices
        # reads every key only to list them) adds none but its own table's, which lists them all
        behind = sorted({made_by[path] for path in files if path in made_by} - {"tabulate_choices"})
        keys = registry.keys_behind(behind, UPSTREAM) + registry.keys_read_by("write_report_text")
        if name == "choices":
            keys = list(registry.choices())
        table = name in DISPLAY_TABLES
        cards[f"table/{name}" if table else f"text/{name}"] = provenance.card(
            "table", name, "write_report_text",
            f"{root}/report/tables/{name}.csv" if table else f"{root}/report/text/{name}.md",
            files, text_inputs["code"][:2], encoded_keys(keys, root))  # its script and narrative.py
    mv_keys = encoded_keys(registry.keys_behind(MV_RULES, {}), root)
    summary = rule_inputs("multiverse_summary", wildcards)
    outputs = rules.multiverse_summary.output
    for name, shown in (("robustness", outputs.robustness), ("flip_rates", outputs.flips),
                        ("spec_curve", list(outputs.svgs) + list(outputs.specs))):
        cards[f"multiverse/{name}"] = provenance.card(
            "figure" if name == "spec_curve" else "table", name, "multiverse_summary", shown,
            [summary["table"], summary["claims"]], summary["code"], mv_keys)
    verdict_inputs = rule_inputs("decide_verdicts", wildcards)
    cards["headline"] = provenance.card(
        "numbers", "headline", "decide_verdicts", score("decide_verdicts", "headline.json")(wildcards),
        [p for name, value in verdict_inputs.items() if name != "code" for p in provenance.as_paths(value)],
        verdict_inputs.get("code", []), encoded_keys(registry.keys_behind("decide_verdicts", UPSTREAM), root))
    return cards


def mv_mem_mb(rule_name, counted):
    """mem_mb of a job that holds many specifications (job_memory_mb), counted in its input
    `counted` (a chunk holds its share of them); Snakemake works it out once that input exists."""
    return lambda wildcards, input: job_memory_mb(
        rule_name, -(-specifications_in(input[counted]) // int(wildcards.get("chunks", 1)))
    )
