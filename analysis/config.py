"""Check a config against the registry's JSON Schema and say what is wrong in one line."""

from __future__ import annotations

from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from analysis import registry


class ConfigError(ValueError):
    """A config value that the schema does not allow."""


def _key_path(error: ValidationError) -> str:
    return ".".join(str(part) for part in error.absolute_path) or "(top level)"


def _expected(error: ValidationError) -> str:
    """Say what the schema expected, in words a user can act on."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed))
        where = _key_path(error)
        prefix = "" if where == "(top level)" else f"{where}."
        names = ", ".join(f"'{prefix}{name}'" for name in unknown)
        return f"unknown key {names}; expected one of: {', '.join(allowed)}"
    if error.validator == "enum":
        options = " | ".join(str(v) for v in error.validator_value)
        return f"{error.instance!r} is not allowed; expected one of: {options}"
    if error.validator == "type":
        return f"{error.instance!r} has the wrong type; expected {error.validator_value}"
    if error.validator == "required":
        return error.message.replace("is a required property", "is missing")
    return error.message


def validate_config(config: dict[str, Any]) -> None:
    """Raise ConfigError naming the first offending key (deepest errors first) and what was expected."""
    schema = registry.schema()
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(config), key=lambda e: (-len(e.absolute_path), str(e.path)))
    if errors:
        first = errors[0]
        where = _key_path(first)
        detail = _expected(first)
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        if first.validator == "additionalProperties":
            raise ConfigError(f"config: {detail}{more}")
        raise ConfigError(f"config key '{where}': {detail}{more}")
    _check_cross_key_rules(config)


def _check_cross_key_rules(config: dict[str, Any]) -> None:
    """Rules a JSON Schema cannot state: references between keys."""
    segmentation = config["rounds"]["segmentation"]
    definitions = config["rounds"]["definitions"]
    if segmentation not in definitions:
        raise ConfigError(
            f"config key 'rounds.segmentation': {segmentation!r} is not defined; "
            f"expected one of: {', '.join(definitions)}"
        )
    for name, windows in definitions.items():
        ordered = sorted(windows, key=lambda w: w["start"])
        for window in ordered:
            if window["end"] < window["start"]:
                raise ConfigError(
                    f"config key 'rounds.definitions.{name}': round {window['id']} ends before it starts"
                )
        for earlier, later in zip(ordered, ordered[1:], strict=False):
            if later["start"] <= earlier["end"]:
                raise ConfigError(
                    f"config key 'rounds.definitions.{name}': rounds {earlier['id']} and "
                    f"{later['id']} overlap"
                )
        ids = [w["id"] for w in windows]
        if len(set(ids)) != len(ids):
            raise ConfigError(f"config key 'rounds.definitions.{name}': round ids repeat")
    thresholds = config["process_tracing"]["thresholds"]
    if thresholds["rejected"] >= thresholds["supported"]:
        raise ConfigError(
            "config key 'process_tracing.thresholds': 'rejected' must be below 'supported'"
        )
    if config["comparison"]["leader"] in config["comparison"]["peers"]:
        raise ConfigError("config key 'comparison.peers': must not contain the leader")


def round_windows(config: dict[str, Any]) -> list[dict[str, str]]:
    """The round windows of the segmentation in force, in date order (out-of-sample ones only when
    ``rounds.out_of_sample`` includes them)."""
    rounds = config["rounds"]
    windows = rounds["definitions"][rounds["segmentation"]]
    if rounds.get("out_of_sample", "include") == "exclude":
        windows = [w for w in windows if not w.get("out_of_sample")]
    return sorted(windows, key=lambda w: w["start"])


def flatten(config: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested keys to dotted paths (lists kept whole), for the coding-choices table."""
    flat: dict[str, Any] = {}
    for key, value in config.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    """Inverse of `flatten`: dotted paths back to nested mappings."""
    nested: dict[str, Any] = {}
    for path, value in flat.items():
        *parents, leaf = path.split(".")
        node = nested
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return nested


def _describe(schema: dict[str, Any], path: list[str]) -> str:
    """The schema description of a dotted key (the nearest described ancestor for map entries)."""
    node, described = schema, schema.get("description", "")
    defs = schema.get("$defs", {})
    for part in path:
        if "$ref" in node:
            node = defs[node["$ref"].rsplit("/", 1)[-1]]
        properties = node.get("properties", {})
        if part in properties:
            node = properties[part]
        elif isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        else:
            break
        if "$ref" in node and "description" not in node:
            node = defs[node["$ref"].rsplit("/", 1)[-1]] | node
        described = node.get("description", described)
    return " ".join(str(described).split())


def coding_choices_table(config: dict[str, Any]):
    """Tidy table of the choices in force: key, value, description (weight sets folded per set)."""
    import pandas as pd

    schema = registry.schema()
    rows = []
    for key, value in flatten(config).items():
        parts = key.split(".")
        rows.append({
            "key": key,
            "value": value if isinstance(value, str | int | float | bool) else yaml.safe_dump(
                value, default_flow_style=True, width=10_000).strip(),
            "description": _describe(schema, parts),
        })
    return pd.DataFrame(rows, columns=["key", "value", "description"])
