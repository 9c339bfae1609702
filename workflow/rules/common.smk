"""Config, variants and the helpers every rule file uses (nothing here runs a job)."""

import sys
from pathlib import Path

import yaml

from analysis import registry
from analysis.config import ConfigError, validate_config
from analysis.present.figures import FIGURE_DESCRIPTIONS, FIGURE_INPUTS
from analysis.variants import DEFAULT, NAME_PATTERN, ROOT_PATTERN, Variants, config_hash, differences


configfile: "config.yaml"


# The stages each rule builds on; a variant shares a rule's outputs with an earlier build when
# they agree on every key these stages read (analysis/variants.py).
UPSTREAM = {
    "clean_data": ["validate_raw"],
    "score_stringency": ["clean_data"],
    "score_timing": ["clean_data"],
    "score_attainment": ["clean_data", "score_stringency"],
    "score_influence": ["clean_data"],
    "score_process_tracing": ["clean_data"],
    "score_reactivity": ["clean_data", "score_timing", "score_attainment"],
    "decide_verdicts": ["score_stringency", "score_timing", "score_attainment", "score_influence",
                        "score_process_tracing", "score_reactivity"],
    "replicate_thesis": ["decide_verdicts"],
    "make_figure": ["score_stringency", "score_timing", "score_attainment", "score_influence",
                    "score_process_tracing"],
    "build_bibliography": ["clean_data"],
}

# ── Config is checked before anything runs ──────────────────────────────────────────────────
try:
    BASE = yaml.safe_load(Path(workflow.basedir, "config.yaml").read_text(encoding="utf-8"))
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
ENV = "../../envs/pipeline.yaml"  # relative to the rule files
RAW_TABLES = ["sources", "measures", "pressure", "attributions", "engagements", "evidence",
              "thesis_claims"]
CLEAN_TABLES = RAW_TABLES + ["conflicts", "data_checks"]
FIGURES = list(FIGURE_DESCRIPTIONS)


wildcard_constraints:
    root=ROOT_PATTERN,
    figure="|".join(FIGURES),


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
