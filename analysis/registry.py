"""The decision-space registry: every coding choice declared once, in analysis/registry.yaml.

registry.yaml is a JSON Schema of the config with a few annotations of our own on each key:

- ``x-kind``: ``structural`` (changes which rows exist or which round a row falls in), ``numeric``
  (weights, thresholds, profiles, aggregation rules) or ``setting`` (not a coding choice: named sets a
  choice selects from, Monte Carlo settings, the render engine);
- ``x-read-by``: the rules that read the key, so each rule receives exactly the keys it reads;
- ``x-selected-by``: on a map of named sets, the key whose value picks the set in force (a rule receives
  only the selected set, so editing another set reruns nothing);
- ``x-grid``: the values a continuous key takes in the multiverse (enum keys take all their options);
- ``x-grid-from``: the key's multiverse values are the names of that map in config
  (``rounds.segmentation`` takes every segmentation of ``rounds.definitions``);
- ``x-held``: the key keeps config.yaml's value in the multiverse, for the reason given.

A coding choice (structural or numeric) varies in the multiverse when it has options or a grid and is
not held; the top-level ``x-constraints`` list excludes combinations that make no sense, each with its
reason (analysis/scores/multiverse.py applies them).

Everything else derives from this file: the JSON Schema used to validate config (the file itself,
annotations being ignored by validators), the rules' ``params:`` (one per key), the option checks and
error messages of the score modules, the report's coding-choices table and the multiverse grid.
The values in force (and so the defaults) are written out once, in config.yaml.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

REGISTRY_PATH = Path(__file__).with_name("registry.yaml")
KINDS = ("structural", "numeric", "setting")


@dataclass(frozen=True)
class Choice:
    """One registered key: a dotted path into config with its annotations."""

    key: str
    kind: str
    read_by: tuple[str, ...]
    options: tuple[Any, ...] | None
    grid: tuple[Any, ...] | None
    grid_from: str | None
    held: str | None
    selected_by: str | None
    description: str


# libyaml's parser when PyYAML has it (ten times faster on the registry, read at every Snakemake
# start); the same safe constructors and resolvers either way, so the values are the same.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """yaml.safe_load, with libyaml's parser where available."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader


@cache
def schema() -> dict[str, Any]:
    """The registry as a JSON Schema (annotations included: validators ignore unknown keywords).

    A definition marked ``x-properties-from: instruments`` gets one non-negative number per instrument
    of analysis/vocabulary.py, and a key marked ``x-options-from: instruments`` the options none and
    every instrument, so the instrument list is written in one place.
    """
    from analysis.vocabulary import INSTRUMENTS

    loaded = load_yaml(REGISTRY_PATH.read_text(encoding="utf-8"))
    for section in loaded.get("properties", {}).values():
        for node in section.get("properties", {}).values():
            if node.get("x-options-from") == "instruments":
                node["enum"] = ["none", *(i.code for i in INSTRUMENTS)]
    for definition in loaded.get("$defs", {}).values():
        if definition.get("x-properties-from") == "instruments":
            definition["properties"] = {
                i.code: {"type": "number", "minimum": 0, "description": i.description} for i in INSTRUMENTS
            }
            definition["required"] = [i.code for i in INSTRUMENTS]
    return loaded


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        target = schema()["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        return {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _walk(node: dict[str, Any], prefix: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, sub in node.get("properties", {}).items():
        sub = _resolve(sub)
        path = f"{prefix}{name}"
        if "x-kind" in sub:
            yield path, sub
        elif sub.get("type") == "object":
            yield from _walk(sub, f"{path}.")


@cache
def choices() -> dict[str, Choice]:
    """Every registered key, in registry order."""
    out = {}
    for key, node in _walk(schema(), ""):
        kind = node["x-kind"]
        if kind not in KINDS:
            raise ValueError(f"registry key '{key}': x-kind {kind!r} is not one of {', '.join(KINDS)}")
        options = node.get("enum") or (node.get("items") or {}).get("enum")
        out[key] = Choice(
            key=key,
            kind=kind,
            read_by=tuple(node.get("x-read-by", ())),
            options=tuple(options) if options else None,
            grid=tuple(node["x-grid"]) if "x-grid" in node else None,
            grid_from=node.get("x-grid-from"),
            held=" ".join(str(node["x-held"]).split()) if "x-held" in node else None,
            selected_by=node.get("x-selected-by"),
            description=" ".join(str(node.get("description", "")).split()),
        )
    return out


def constraints() -> list[dict[str, Any]]:
    """The registry's ``x-constraints``: combinations the multiverse excludes, each with its reason."""
    return list(schema().get("x-constraints", []))


def options(key: str) -> tuple[Any, ...]:
    """The options of an enum key (the one list every module checks against)."""
    found = choices()[key].options
    if not found:
        raise KeyError(f"registry key '{key}' has no options")
    return found


def check_option(key: str, value: Any) -> Any:
    """Return ``value`` if it is an option of ``key``; else raise naming the key and the options."""
    allowed = options(key)
    if value not in allowed:
        raise ValueError(f"{key}: {value!r} is not one of {' | '.join(map(str, allowed))}")
    return value


def lookup(config: Mapping[str, Any], key: str) -> Any:
    node: Any = config
    for part in key.split("."):
        node = node[part]
    return node


def keys_read_by(rule: str) -> list[str]:
    return [c.key for c in choices().values() if rule in c.read_by]


def keys_behind(rules: str | Iterable[str], upstream: Mapping[str, Iterable[str]]) -> list[str]:
    """Every registered key that ``rules`` or a rule before them (``upstream``: rule -> the rules it
    builds on) read, in the order met."""
    seen, todo, keys = set(), [rules] if isinstance(rules, str) else list(rules), []
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        keys += [key for key in keys_read_by(current) if key not in keys]
        todo += list(upstream.get(current, ()))
    return keys


def selected(config: Mapping[str, Any], key: str) -> tuple[str, Any]:
    """(dotted key, value) of a registered key as a rule receives it: of a map of named sets, only the
    set in force, under its own name (``stringency.weight_sets.ordinal_cost``)."""
    choice = choices()[key]
    value = lookup(config, key)
    if choice.selected_by:
        name = str(lookup(config, choice.selected_by))
        return f"{key}.{name}", value[name]
    return key, value


def encode(key: str, value: Any) -> str:
    """One param value that names its key, so a dry run says which key changed and how."""
    return f"{key}={json.dumps(value, sort_keys=True, ensure_ascii=False)}"


def rule_params(rule: str, config: Mapping[str, Any]) -> dict[str, str]:
    """The ``params:`` of a rule: one named param per key it reads (Snakemake compares them as a set,
    so each value carries its key: two keys with equal values can never mask a change)."""
    return {key.replace(".", "__"): encode(*selected(config, key)) for key in keys_read_by(rule)}


def from_params(params: Mapping[str, Any] | Any) -> dict[str, Any]:
    """The nested choices a rule received, decoded from its encoded params (other params ignored)."""
    nested: dict[str, Any] = {}
    for _, encoded in params.items():
        if not isinstance(encoded, str) or "=" not in encoded:
            continue
        key, _, raw = encoded.partition("=")
        node = nested
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = json.loads(raw)
    return nested


def describe(config: Mapping[str, Any]) -> str:
    """Every registered key as a Markdown table: its kind, the rules that read it, its options (or grid)
    and its value in ``config``."""
    rows = ["| key | kind | options | value | read by |", "|---|---|---|---|---|"]
    for choice in choices().values():
        allowed = choice.options or choice.grid or ()
        value = json.dumps(lookup(config, choice.key), ensure_ascii=False)
        value = value if len(value) <= 40 else value[:37] + "..."
        rows.append(
            f"| {choice.key} | {choice.kind} | {' / '.join(map(str, allowed))} | {value} | "
            f"{', '.join(choice.read_by)} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":  # python -m analysis.registry [config.yaml]
    import sys

    path = Path(sys.argv[1] if len(sys.argv) > 1 else "config.yaml")
    print(describe(load_yaml(path.read_text(encoding="utf-8"))))
