"""Named variants: specifications merged and validated, each under its own root, shared work found."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analysis.config import ConfigError
from analysis.variants import DEFAULT, Variants, config_hash, deep_merge, differences, load_variant

PROJECT = Path(__file__).resolve().parents[1]
UPSTREAM = {
    "clean_data": ["validate_raw"],
    "score_stringency": ["clean_data"],
    "score_influence": ["clean_data"],
    "decide_verdicts": ["score_stringency", "score_influence"],
}


@pytest.fixture()
def base() -> dict:
    return yaml.safe_load((PROJECT / "config.yaml").read_text(encoding="utf-8"))


def write(folder: Path, name: str, override: dict) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(override), encoding="utf-8")
    return path


def test_a_variant_changes_only_its_keys(base, tmp_path):
    spec = load_variant(write(tmp_path, "w", {"attributed_influence": {"aggregation": "weighted"}}), base)
    assert differences(base, spec) == [("attributed_influence.aggregation", "source_balanced", "weighted")]
    assert spec["attributed_influence"]["type_weight_set"] == base["attributed_influence"]["type_weight_set"]


def test_a_bad_variant_is_refused_naming_its_file_and_key(base, tmp_path):
    with pytest.raises(ConfigError, match=r"typo\.yaml: .*hp1\.rulle"):
        load_variant(write(tmp_path, "typo", {"hp1": {"rulle": "all_three"}}), base)
    with pytest.raises(ConfigError, match=r"nan\.yaml: config key 'hp1\.rule'"):
        load_variant(write(tmp_path, "nan", {"hp1": {"rule": "sometimes"}}), base)
    with pytest.raises(ConfigError, match="letters, digits"):
        load_variant(write(tmp_path, "bad name", {}), base)


def test_default_is_a_reserved_name(base):
    with pytest.raises(ConfigError, match="default"):
        Variants(base, {DEFAULT: base}, UPSTREAM)


def test_deep_merge_replaces_lists_and_merges_maps():
    merged = deep_merge({"a": {"x": 1, "y": [1, 2]}, "b": 2}, {"a": {"y": [3]}})
    assert merged == {"a": {"x": 1, "y": [3]}, "b": 2}


def test_config_hash_is_stable_and_content_addressed(base):
    assert config_hash(base) == config_hash(yaml.safe_load(yaml.safe_dump(base)))
    other = deep_merge(base, {"hp1": {"ai_threshold": 0.4}})
    assert config_hash(other) != config_hash(base)


def test_roots_never_collide(base):
    space = Variants(base, {"a": deep_merge(base, {"hp1": {"ai_threshold": 0.4}})}, UPSTREAM)
    assert space.root(DEFAULT) == "results"
    assert space.root("a") == "results/variants/a"
    assert space.name_of("results/variants/a") == "a"
    with pytest.raises(ConfigError, match="no variant 'b'"):
        space.name_of("results/variants/b")


def test_a_scoring_only_variant_shares_every_stage_it_does_not_change(base):
    influence = deep_merge(base, {"attributed_influence": {"aggregation": "weighted"}})
    verdict_rule = deep_merge(base, {"hp1": {"rule": "bayes_only"}})
    space = Variants(base, {"influence": influence, "verdict_rule": verdict_rule}, UPSTREAM)
    own, shared = "results/variants/influence", "results"
    assert space.home("clean_data", own) == shared
    assert space.home("score_stringency", own) == shared
    assert space.home("score_influence", own) == own
    assert space.home("decide_verdicts", own) == own  # it reads the scores of score_influence
    assert space.home("score_influence", "results/variants/verdict_rule") == shared
    assert space.home("decide_verdicts", "results/variants/verdict_rule") == "results/variants/verdict_rule"


def test_a_structural_variant_recleans(base):
    space = Variants(base, {"s": deep_merge(base, {"data": {"date_basis": "in_force"}})}, UPSTREAM)
    assert space.home("clean_data", "results/variants/s") == "results/variants/s"
    assert space.home("score_influence", "results/variants/s") == "results/variants/s"


def test_two_variants_with_one_specification_share_with_the_first_by_name(base):
    same = deep_merge(base, {"hp1": {"ai_threshold": 0.4}})
    space = Variants(base, {"b": same, "a": same}, UPSTREAM)
    assert space.home("decide_verdicts", "results/variants/b") == "results/variants/a"


def test_the_shipped_variants_are_valid(base):
    space = Variants.from_folder(base, PROJECT / "variants", UPSTREAM)
    for name in space.names:
        if name != DEFAULT:
            assert differences(base, space.specs[name]), f"variant {name} changes nothing"
