"""Config, variants and the helpers every rule file uses (nothing here runs a job)."""

import sys
from pathlib import Path

import yaml

from analysis import registry
from analysis.config import ConfigError, validate_config
from analysis.present.figures import FIGURE_DESCRIPTIONS, FIGURE_INPUTS
from analysis.scores.stages import UPSTREAM
from analysis.variants import DEFAULT, NAME_PATTERN, ROOT_PATTERN, Variants, config_hash, differences


configfile: "config.yaml"


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
