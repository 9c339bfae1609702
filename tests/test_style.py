"""One dialect: `ruff check` and `ruff format` (settings in pyproject.toml) hold for the whole tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


def ruff(*args: str) -> subprocess.CompletedProcess:
    # the ruff of this environment (it is in requirements.lock), run on the checkout
    binary = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if binary is None:
        pytest.skip("ruff is not installed (pip install -r requirements.lock)")
    return subprocess.run([binary, *args], cwd=PROJECT, capture_output=True, text=True, check=False)


def test_ruff_check_is_clean():
    result = ruff("check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_leaves_every_file_as_it_is():
    result = ruff("format", "--check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr
