"""Named variants: alternative codings built side by side, each under its own results root.

A variant is a YAML file ``variants/<name>.yaml`` holding only the keys that differ from config.yaml.
Its specification is config.yaml with those keys merged in, validated like config.yaml. The default
build lives in ``results/``; variant ``name`` in ``results/variants/<name>/``.

Work is shared: a stage's outputs for a variant are read from the first root (the default first, then
the variants in name order) whose specification agrees with the variant's on every key that the stage
and the stages before it read. A scoring-only variant therefore reuses the default's validated and
cleaned tables, and two variants that differ only in a verdict rule share every score.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from analysis import registry
from analysis.config import ConfigError, flatten, validate_config
from analysis.io import canonical_json

DEFAULT = "default"
RESULTS = "results"
NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
# A results root: the default's, or a variant's.
ROOT_PATTERN = rf"{RESULTS}(/variants/{NAME_PATTERN})?"


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``override``'s keys replacing its own (maps merged key by key, lists replaced)."""
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def config_hash(config: Mapping[str, Any]) -> str:
    """A short content hash of a specification (canonical JSON), shown in the report's identity line."""
    return hashlib.sha256(canonical_json(config).encode("utf-8")).hexdigest()[:12]


def load_variant(path: str | Path, base: Mapping[str, Any]) -> dict[str, Any]:
    """The specification of variant file ``path``: ``base`` with its keys merged in, validated."""
    path = Path(path)
    if not re.fullmatch(NAME_PATTERN, path.stem):
        raise ConfigError(f"{path}: a variant name uses letters, digits, '_', '.' and '-' only")
    try:
        override = registry.load_yaml(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as problem:
        raise ConfigError(f"{path}: not valid YAML ({problem})") from problem
    if not isinstance(override, Mapping):
        raise ConfigError(f"{path}: a variant is a mapping of the config keys it changes")
    spec = deep_merge(base, override)
    try:
        validate_config(spec)
    except ConfigError as problem:
        raise ConfigError(f"{path}: {problem}") from problem
    return spec


def differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """(dotted key, value in a, value in b) for every leaf that differs, in key order."""
    flat_a, flat_b = flatten(a), flatten(b)
    missing = object()
    out = []
    for key in sorted(set(flat_a) | set(flat_b)):
        va, vb = flat_a.get(key, missing), flat_b.get(key, missing)
        if va != vb:
            out.append((key, None if va is missing else va, None if vb is missing else vb))
    return out


class Variants:
    """The default specification and every named variant, with where each stage's outputs live."""

    def __init__(
        self,
        default: Mapping[str, Any],
        named: Mapping[str, Mapping[str, Any]],
        upstream: Mapping[str, Iterable[str]],
    ):
        if DEFAULT in named:
            raise ConfigError(f"'{DEFAULT}' is the name of config.yaml's build; rename that variant")
        self.specs = {DEFAULT: dict(default), **{name: dict(named[name]) for name in sorted(named)}}
        self.upstream = {rule: tuple(rules) for rule, rules in upstream.items()}

    @classmethod
    def from_folder(
        cls, default: Mapping[str, Any], folder: str | Path, upstream: Mapping[str, Iterable[str]]
    ) -> Variants:
        files = sorted(Path(folder).glob("*.yaml")) if Path(folder).is_dir() else []
        return cls(default, {path.stem: load_variant(path, default) for path in files}, upstream)

    @property
    def names(self) -> list[str]:
        return list(self.specs)

    def root(self, name: str) -> str:
        return RESULTS if name == DEFAULT else f"{RESULTS}/variants/{name}"

    def name_of(self, root: str) -> str:
        if root == RESULTS:
            return DEFAULT
        name = root.removeprefix(f"{RESULTS}/variants/")
        if name not in self.specs:
            known = ", ".join(self.specs)
            raise ConfigError(f"no variant '{name}': add variants/{name}.yaml (known: {known})")
        return name

    def spec(self, root: str) -> dict[str, Any]:
        return self.specs[self.name_of(root)]

    def keys_behind(self, rules: str | Iterable[str]) -> list[str]:
        """Every registered key that ``rules`` or a stage before them read."""
        return registry.keys_behind(rules, self.upstream)

    def home(self, rules: str | Iterable[str], root: str) -> str:
        """The root whose outputs of ``rules`` serve the specification at ``root`` (shared where equal)."""
        spec = self.spec(root)
        keys = self.keys_behind(rules)
        wanted = [registry.selected(spec, key) for key in keys]
        for name, other in self.specs.items():
            if [registry.selected(other, key) for key in keys] == wanted:
                return self.root(name)
        return root  # unreachable: the specification agrees with itself


def data_hash(paths: Iterable[str | Path]) -> str:
    """A short content hash of the raw tables (names and bytes, in name order)."""
    digest = hashlib.sha256()
    for path in sorted(map(Path, paths), key=lambda p: p.name):
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def build_identity(
    variant: str,
    config: Mapping[str, Any],
    raw_tables: Iterable[str | Path],
    differs_from_default: Iterable[str],
) -> dict[str, Any]:
    """What the report's identity line shows: which variant, which config and which data built it."""
    return {
        "variant": variant,
        "config_hash": config_hash(config),
        "data_hash": data_hash(raw_tables),
        "differs_from_default": sorted(differs_from_default),
    }
