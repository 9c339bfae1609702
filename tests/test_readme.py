"""The README tells the truth: its rule graph is the Snakefile's, its test command is what CI runs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
README = (PROJECT / "README.md").read_text(encoding="utf-8")


def test_readme_rule_graph_matches_the_snakefile():
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--rulegraph", "mermaid-js"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    )
    names = dict(re.findall(r"^\s*(id\d+)\[(\w+)\]", result.stdout, re.M))
    actual = {(names[a], names[b]) for a, b in re.findall(r"^\s*(id\d+) --> (id\d+)", result.stdout, re.M)}
    block = re.search(r"```mermaid\n(.*?)```", README, re.S).group(1)
    documented = set(re.findall(r"^\s*(\w+) --> (\w+)\s*$", block, re.M))
    assert documented == actual


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"^(python3 -m venv .*)$", README, re.M)
    test_command = next(c for c in commands if c.rstrip().endswith("pytest"))
    ci = (PROJECT / ".ci" / "run").read_text(encoding="utf-8")
    install = test_command.rsplit("&&", 1)[0].strip()
    assert install.replace("pip install", "pip install -q") in ci or install in ci
    assert "pytest" in ci


def test_readme_quick_start_has_the_two_commands():
    commands = re.findall(r"^(python3 -m venv .*)$", README, re.M)
    assert [c.rsplit("&&", 1)[-1].strip() for c in commands] == ["snakemake", "pytest"]
