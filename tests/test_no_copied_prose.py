"""No tracked text file repeats 10 consecutive words of a seed document: facts carry over, prose does not."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
RUN = 10
SUFFIXES = {".py", ".md", ".qmd", ".yaml", ".yml", ".toml", ".csv", ".json", ".bib", ".lua", ".txt"}
# Titles of cited works and their URLs may repeat the documents' bibliographies verbatim; `container`
# is the title of the book or journal a cited work appears in, so it is a title too. Notes are checked.
BIBLIOGRAPHY = "data/raw/sources.csv"
BIBLIOGRAPHY_EXEMPT_COLUMNS = {"title", "container", "url"}
_URL = re.compile(r"(?:https?://|www\.)\S+")
_TOKEN = re.compile(r"[a-z0-9']+")


def words(text: str) -> list[str]:
    """Lower-cased word tokens with URLs removed (curly apostrophes read as straight ones)."""
    text = _URL.sub(" ", text.lower().replace("\u2019", "'").replace("\u2018", "'"))
    return _TOKEN.findall(text)


def runs(tokens: list[str]) -> set[str]:
    return {" ".join(tokens[i : i + RUN]) for i in range(len(tokens) - RUN + 1)}


def _tracked_files() -> list[str]:
    try:
        listing = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: cannot list tracked files")
    names = [name for name in listing.stdout.decode("utf-8").split("\0") if name]
    return [name for name in names if Path(name).suffix in SUFFIXES or Path(name).name == "Snakefile"]


def _checked_text(name: str) -> str:
    text = (ROOT / name).read_text(encoding="utf-8", errors="replace")
    if name != BIBLIOGRAPHY:
        return text
    rows = csv.DictReader(io.StringIO(text))
    return "\n".join(
        " ".join(value or "" for column, value in row.items() if column not in BIBLIOGRAPHY_EXEMPT_COLUMNS)
        for row in rows
    )


def test_tokenizer_and_runs_by_hand():
    assert words("It’s 10 O'Clock, see https://example.org/a-b now") == [
        "it's",
        "10",
        "o'clock",
        "see",
        "now",
    ]
    assert runs(list("abcdefghijk")) == {"a b c d e f g h i j", "b c d e f g h i j k"}


def test_no_tracked_file_repeats_ten_words_of_a_seed():
    seed_files = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if not seed_files:
        pytest.skip("../shared/seeds is not beside the checkout")
    seed_runs: set[str] = set()
    for seed in seed_files:
        seed_runs |= runs(words(seed.read_text(encoding="utf-8", errors="replace")))
    copied = []
    for name in _tracked_files():
        if not (ROOT / name).is_file():
            continue  # deleted in the work tree but still in the index
        hits = sorted(runs(words(_checked_text(name))) & seed_runs)
        if hits:
            copied.append(f"{name}: {len(hits)} copied run(s), e.g. '{hits[0]}'")
    assert not copied, "Paraphrase these passages:\n" + "\n".join(copied)
