"""The decision registry: every config key is registered once, and everything derives from it."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from analysis import registry
from analysis.config import flatten

PROJECT = Path(__file__).resolve().parents[1]
RULE_FILES = sorted((PROJECT / "workflow" / "rules").glob("*.smk"))


@pytest.fixture()
def config() -> dict:
    return yaml.safe_load((PROJECT / "config.yaml").read_text(encoding="utf-8"))


def test_every_config_value_belongs_to_a_registered_key(config):
    registered = set(registry.choices())
    for key in flatten(config):
        parts = key.split(".")
        assert any(".".join(parts[:n]) in registered for n in range(1, len(parts) + 1)), key


def test_every_registered_key_has_a_kind_a_reader_and_a_description():
    rules = {name for path in RULE_FILES for name in re.findall(r"^rule (\w+):", path.read_text(), re.M)}
    for choice in registry.choices().values():
        assert choice.kind in registry.KINDS
        assert choice.read_by, f"{choice.key}: no rule reads it"
        assert set(choice.read_by) <= rules, f"{choice.key}: x-read-by names unknown rules"
        assert choice.description, choice.key


def test_structural_keys_are_the_ones_that_change_rows_or_rounds():
    structural = {c.key for c in registry.choices().values() if c.kind == "structural"}
    assert {
        "data.conflict_resolution",
        "data.date_basis",
        "data.coarse_date_placement",
        "rounds.segmentation",
    } <= structural
    assert "hp1.ai_threshold" not in structural


def test_selected_sets_pass_only_the_set_in_force(config):
    key, value = registry.selected(config, "stringency.weight_sets")
    assert key == f"stringency.weight_sets.{config['stringency']['weights']}"
    edited = copy.deepcopy(config)
    unused = next(n for n in config["stringency"]["weight_sets"] if n != config["stringency"]["weights"])
    edited["stringency"]["weight_sets"][unused]["travel_ban"] = 99
    assert registry.rule_params("score_stringency", edited) == registry.rule_params(
        "score_stringency", config
    )


def test_likelihood_profiles_reach_process_tracing_whole(config):
    """The posterior's range reads every profile, so the rule receives them all, not the one in force."""
    decoded = registry.from_params(registry.rule_params("score_process_tracing", config))
    assert decoded["process_tracing"]["profiles"] == config["process_tracing"]["profiles"]


def test_params_name_their_key_so_equal_values_cannot_mask_a_change(config):
    """Snakemake compares a rule's params as a set of values: two keys holding the same value must still
    be two params, and editing one of them to the other's value must change the set."""
    params = registry.rule_params("score_stringency", config)
    assert all(value.startswith(name.replace("__", ".")) for name, value in params.items())
    edited = copy.deepcopy(config)
    # the audit's case: easing_factor moved to a value another key (a three-level value) already holds
    edited["stringency"]["easing_factor"] = edited["stringency"]["three_level_values"]["full"]
    assert edited["stringency"]["easing_factor"] != config["stringency"]["easing_factor"]
    assert set(registry.rule_params("score_stringency", edited).values()) != set(params.values())


def test_params_decode_back_to_the_choices(config):
    decoded = registry.from_params(registry.rule_params("score_influence", config))
    ai = config["attributed_influence"]
    assert decoded["attributed_influence"]["aggregation"] == ai["aggregation"]
    assert decoded["attributed_influence"]["type_weight_sets"] == {
        ai["type_weight_set"]: ai["type_weight_sets"][ai["type_weight_set"]]
    }
    assert "hp1" not in decoded  # score_influence does not read it


def test_a_rule_receives_exactly_the_keys_that_name_it():
    assert registry.keys_read_by("decide_verdicts") == [
        c.key for c in registry.choices().values() if "decide_verdicts" in c.read_by
    ]
    assert "attributed_influence.aggregation" not in registry.keys_read_by("decide_verdicts")


def test_option_checks_name_the_key_and_its_options():
    with pytest.raises(
        ValueError,
        match=r"attributed_influence\.aggregation: 'median' is not one of "
        r"source_balanced \| weighted \| share \| ear",
    ):
        registry.check_option("attributed_influence.aggregation", "median")
    assert registry.check_option("hp1.rule", "all_three") == "all_three"


def test_score_modules_check_options_against_the_registry():
    from analysis.scores.influence import aggregate_influence

    with pytest.raises(ValueError, match="attributed_influence.aggregation"):
        aggregate_influence(None, "median", {})  # the option is checked before any data is read
