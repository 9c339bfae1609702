"""The config schema: the shipped config passes; a typo or a wrong type stops the run in one line."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis.config import ConfigError, coding_choices_table, flatten, round_windows, validate_config

PROJECT = Path(__file__).resolve().parents[1]
SCHEMA = PROJECT / "analysis" / "registry.yaml"


@pytest.fixture()
def config() -> dict:
    return yaml.safe_load((PROJECT / "config.yaml").read_text(encoding="utf-8"))


def test_shipped_config_is_valid(config):
    validate_config(config)


def test_every_schema_key_is_written_out_in_config(config):
    """No defaults hide in the schema: every declared property has a value in config.yaml."""
    schema = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))

    def walk(node: dict, value: dict, path: str) -> None:
        for key, sub in node.get("properties", {}).items():
            assert key in value, f"config.yaml does not write out '{path}{key}'"
            if isinstance(sub, dict) and sub.get("type") == "object" and "properties" in sub:
                walk(sub, value[key], f"{path}{key}.")

    walk(schema, config, "")


def test_every_schema_property_is_described():
    schema = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    undescribed = []

    def walk(node: dict, path: str) -> None:
        for key, sub in node.get("properties", {}).items():
            if not isinstance(sub, dict):
                continue
            if "description" not in sub and "$ref" not in sub:
                undescribed.append(f"{path}{key}")
            walk(sub, f"{path}{key}.")

    walk(schema, "")
    assert undescribed == []


def test_mistyped_key_is_named(config):
    bad = copy.deepcopy(config)
    bad["stringency"]["wieghts"] = bad["stringency"].pop("weights")
    with pytest.raises(ConfigError) as error:
        validate_config(bad)
    message = str(error.value)
    assert "stringency.wieghts" in message
    assert "\n" not in message


def test_mistyped_top_level_key_is_named(config):
    bad = copy.deepcopy(config)
    bad["reactivty"] = bad.pop("reactivity")
    with pytest.raises(ConfigError, match="'reactivty'"):
        validate_config(bad)


def test_wrong_type_names_key_and_expectation(config):
    bad = copy.deepcopy(config)
    bad["reactivity"]["window_days"] = "ninety"
    with pytest.raises(ConfigError) as error:
        validate_config(bad)
    assert "reactivity.window_days" in str(error.value)
    assert "integer" in str(error.value)


def test_value_outside_enum_lists_the_options(config):
    bad = copy.deepcopy(config)
    bad["preference_attainment"]["measure"] = "proportion"
    with pytest.raises(ConfigError) as error:
        validate_config(bad)
    assert "preference_attainment.measure" in str(error.value)
    assert "proportional" in str(error.value)


def test_overlapping_rounds_are_refused(config):
    bad = copy.deepcopy(config)
    bad["rounds"]["definitions"]["thesis"][1]["start"] = "2014-03-15"
    with pytest.raises(ConfigError, match="overlap"):
        validate_config(bad)


def test_unknown_segmentation_is_refused(config):
    bad = copy.deepcopy(config)
    bad["rounds"]["segmentation"] = "weekly"
    with pytest.raises(ConfigError, match="rounds.segmentation"):
        validate_config(bad)


def test_round_windows_follow_the_segmentation(config):
    finer = copy.deepcopy(config)
    finer["rounds"]["segmentation"] = "finer"
    assert [w["id"] for w in round_windows(config)] == ["R1", "R2", "R3", "R4"]
    assert len(round_windows(finer)) == len(config["rounds"]["definitions"]["finer"])


def test_only_the_2022_window_is_out_of_sample(config):
    for windows in config["rounds"]["definitions"].values():
        assert [w["id"] for w in windows if w.get("out_of_sample")] == ["R4"]
    bad = copy.deepcopy(config)
    bad["rounds"]["definitions"]["thesis"][-1]["out_of_sample"] = "yes"
    with pytest.raises(ConfigError, match="out_of_sample"):
        validate_config(bad)


def test_coding_choices_table_has_a_row_and_description_per_key(config):
    table = coding_choices_table(config)
    assert list(table["key"]) == list(flatten(config))
    assert (table["description"].str.len() > 0).all()
    assert table.loc[table["key"] == "preference_attainment.measure", "value"].item() == "proportional"


def test_snakemake_stops_on_a_typo_with_one_line(tmp_path):
    """A user's mistyped key fails before any job, with a message naming the key."""
    config = yaml.safe_load((PROJECT / "config.yaml").read_text(encoding="utf-8"))
    config["hp1"]["rulle"] = config["hp1"].pop("rule")
    variant = tmp_path / "typo.yaml"
    variant.write_text(yaml.safe_dump(config), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--configfile", str(variant)],
        cwd=PROJECT, capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "hp1.rulle" in result.stdout + result.stderr
