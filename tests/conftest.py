"""Shared test fixtures: project paths and the optional ../shared material."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The five source documents; tests that need them skip cleanly on a user's machine."""
    seeds = SHARED / "seeds"
    if not (seeds / "README.md").exists():
        pytest.skip("../shared/seeds is not beside the checkout (only on developer and CI machines)")
    return seeds


def small_multiverse(project: Path) -> None:
    """Let a test copy's builds vary one coding choice in the multiverse (multiverse.only), so a full
    build takes seconds, not minutes; the multiverse's own tests cover the full space."""
    config = project / "config.yaml"
    text = config.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.strip().startswith("only:"))
    config.write_text(text.replace(line, "  only: [hp1.ai_threshold]", 1), encoding="utf-8")
