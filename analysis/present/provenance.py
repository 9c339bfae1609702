"""Provenance cards: what made each figure, table and the headline numbers of the report.

A card names the rule and the code that made an item (its modules), every file it was built from or
shows with its sha256, the config keys behind it with their values, and the versions of the packages
that built it. Rule ``record_provenance`` writes every card to ``{root}/report/provenance.json``
(:func:`record`); the report shows them (:func:`card_html` beside each figure and table in the HTML,
:func:`appendix_entry` in the PDF's appendix). The commit of the code and whether the code differed
from it (:func:`git_state`, :func:`commit_text`) are the same for every card: the report names them
once, in its build line, as document metadata the render passes to the prose (never through the
cells, whose outputs a commit would otherwise invalidate: a prose edit in a clean checkout makes it
dirty, and each commit names a new one).

Byte-identical rebuilds hold: nothing here reads a clock, an absolute path or the locale; paths are
relative to the project, and a copy that is not a git checkout says so in the same words every time.
"""

from __future__ import annotations

import hashlib
import html
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from analysis.present.safe import md_code, md_text

NOT_GIT = "not a git checkout"
# The tracked files that are code: a difference from HEAD in any of them makes the build "dirty".
CODE_PATHS = ("analysis", "scripts", "workflow", "Snakefile", "report", "qmdrender")
# The packages whose versions shape the outputs (as pinned in requirements.lock).
PACKAGES = ("snakemake", "pandas", "altair", "vl-convert-python", "nbclient", "pypandoc-binary", "typst")
# How many hex digits of a sha256 the report shows (provenance.json keeps all 64): 64 bits tell any
# two versions of a file apart and keep a card's lines short enough for the PDF's text column.
SHOWN_DIGITS = 16

# Which of rule write_report_text's named inputs each display table (report/tables/<name>.csv) and
# each text fragment holding numbered tables (report/text/<name>.md) is built from, read off
# narrative.report_fragments. Every table builder may also read the round windows and the settings
# in force ("rounds", "choices"), and measures carry the citations of their raw reports.
_SETTINGS = ["rounds", "choices"]
_LABELS = ["measures", "measure_reports", "pressure", "engagements"]  # narrative.thing_labels
REPORT_TEXT_SOURCES: dict[str, list[str]] = {
    "codebook": ["package", "data_checks"],
    "coverage": ["data_checks", "sources"],
    "choices": ["choices"],
    "verdicts": ["verdicts"],
    "replication": ["replication", *_LABELS],
    "allies": ["stringency", *_SETTINGS],
    "reactivity_peers": ["reactivity_peers", *_SETTINGS],
    "conflicts": ["conflicts", *_LABELS],
    "leave_one_out": ["leave_one_out", *_SETTINGS],
    "evidence": ["evidence", "evidence_weights"],
    "out_of_sample_lead": [
        "verdicts",
        "stringency",
        "timing_by_sender",
        "attributions",
        "attainment",
        "influence",
        "posteriors",
        "reactivity",
        "measures",
        "measure_reports",
        *_SETTINGS,
    ],
    "out_of_sample": [
        "timing_by_sender",
        "stringency",
        "measures",
        "measure_reports",
        "pressure",
        "attributions",
        *_SETTINGS,
    ],
}


def sha256(path: str | Path) -> str:
    """The sha256 of a file's bytes, as 64 hex digits."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _git(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=False)


def git_state(project: str | Path) -> tuple[str, bool]:
    """(commit, dirty) of the checkout at ``project``: dirty when a tracked code file (CODE_PATHS)
    differs from HEAD. A folder that is not the top of a git checkout (a copy, an unpacked archive, or
    a folder inside some other repository) gives (NOT_GIT, False), so such a build is still
    reproducible byte for byte."""
    project = Path(project).resolve()
    try:
        top = _git(project, "rev-parse", "--show-toplevel")
        if top.returncode != 0 or Path(top.stdout.strip()).resolve() != project:
            return NOT_GIT, False
        head = _git(project, "rev-parse", "--verify", "HEAD")
        if head.returncode != 0:  # a repository without a commit yet
            return NOT_GIT, False
        present = [p for p in CODE_PATHS if (project / p).exists()]
        diff = _git(project, "diff", "--quiet", "HEAD", "--", *present)
    except OSError:  # no git on PATH
        return NOT_GIT, False
    return head.stdout.strip(), diff.returncode != 0


def package_versions(names: Iterable[str] = PACKAGES) -> dict[str, str]:
    """The installed version of each package, or "not installed"."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def as_paths(value: str | Sequence[str]) -> list[str]:
    """A named input as a list of plain paths (one path or several)."""
    # plain str: Snakemake's path objects (str subclasses) carry their rule and cannot be pickled
    return [str(value)] if isinstance(value, str) else [str(v) for v in value]


def card(
    kind: str,
    name: str,
    rule: str,
    shown: str | Sequence[str],
    inputs: str | Sequence[str],
    code: str | Sequence[str],
    keys: Sequence[str],
) -> dict[str, Any]:
    """One card's specification: what it shows (``shown``: the files the report displays), the rule
    that made them, the files it read (``inputs``), its code, and its keys as ``key=value`` strings
    (registry.encode). Files named twice are listed once, under their first role."""
    files: list[dict[str, str]] = []
    seen: set[str] = set()
    for role, group in (("shown", shown), ("input", inputs), ("code", code)):
        for path in as_paths(group):
            if path not in seen:
                seen.add(path)
                files.append({"role": role, "path": path})
    return {
        "kind": str(kind),
        "name": str(name),
        "rule": str(rule),
        "files": files,
        "keys": [str(key) for key in dict.fromkeys(keys)],
    }


def record(
    cards: Mapping[str, Mapping[str, Any]],
    packages: Mapping[str, str],
    project: str | Path = ".",
) -> dict[str, Any]:
    """provenance.json: every card with the sha256 of each of its files (read under ``project``)."""
    project = Path(project)
    out = {}
    for label, spec in cards.items():
        files = [{**f, "sha256": sha256(project / f["path"])} for f in spec["files"]]
        out[label] = {**spec, "files": files}
    return {"packages": dict(packages), "cards": out}


def commit_text(commit: str, dirty: bool) -> str:
    """How the report names the code: "commit 1a2b3c4d5e6f (clean)", "commit 1a2b3c4d5e6f (dirty: code
    differs from it)" or "no commit (not a git checkout)"."""
    if commit == NOT_GIT:
        return f"no commit ({NOT_GIT})"
    return f"commit {commit[:12]} " + ("(dirty: code differs from it)" if dirty else "(clean)")


def _key_value(encoded: str) -> tuple[str, str]:
    key, _, value = encoded.partition("=")
    return key, value


def card_html(label: str, entry: Mapping[str, Any], provenance: Mapping[str, Any]) -> str:
    """The HTML card beside a figure or table: a closed <details>, every value escaped as text."""
    e = html.escape
    rows = "".join(
        f'<li><span class="role">{e(f["role"])}</span> <code class="path">{e(f["path"])}</code> '
        f'<code class="sha256">{e(f["sha256"][:SHOWN_DIGITS])}</code></li>'
        for f in entry["files"]
    )
    keys = "".join(
        f"<li><code>{e(key)}</code> = <code>{e(value)}</code></li>"
        for key, value in map(_key_value, entry["keys"])
    )
    packages = ", ".join(f"{e(name)} {e(version)}" for name, version in provenance["packages"].items())
    return (
        f'<details class="provenance" data-label="{e(label)}" style="font-size: 0.85em">'
        f"<summary>Provenance: rule <code>{e(entry['rule'])}</code></summary>"
        f"<p>Made by rule <code>{e(entry['rule'])}</code>, with the code the report's build line names "
        f"(at its top and in the colophon). Files (sha256, first {SHOWN_DIGITS} hex digits), paths "
        f"relative to the project:</p>"
        f"<ul>{rows}</ul>"
        f"<p>Config keys behind it:</p><ul>{keys or '<li>none</li>'}</ul>"
        f"<p>Packages: {packages}.</p></details>"
    )


def appendix_entry(reference: str, entry: Mapping[str, Any]) -> str:
    """One entry of the PDF's provenance appendix as Markdown: a line naming the item and its rule, one
    list item per file, then the config keys. ``reference`` is code-built Markdown (a cross-reference
    such as ``@fig-lag``, which the render numbers); everything else is escaped."""
    files = "\n".join(
        f"- {md_text(f['role'])}: {md_code(f['path'])} {md_code(f['sha256'][:SHOWN_DIGITS])}"
        for f in entry["files"]
    )
    # key names only: their values stand once in Appendix A (repeated here they filled pages)
    keys = ", ".join(md_code(key) for key, _ in map(_key_value, entry["keys"]))
    return (
        f"**{reference}**, made by rule {md_code(entry['rule'])} from these files (role, path, sha256):"
        f"\n\n{files}\n\nConfig keys behind it (their values: Appendix A): {keys or 'none'}."
    )


def appendix_preamble(provenance: Mapping[str, Any]) -> str:
    """What every card shares, said once at the top of the appendix."""
    packages = ", ".join(
        f"{md_text(name)} {md_text(version)}" for name, version in provenance["packages"].items()
    )
    return (
        f"Each figure, table and the headline numbers, with the rule that made it, every file it shows "
        f"or was built from with the first {SHOWN_DIGITS} hex digits of its sha256 (paths relative to "
        f"the project), and the config keys behind it. All were made with {packages}."
    )
