"""What-if from the multiverse table, checked against real variant builds; the in-page explorer."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from browser import open_offline
from workspace import fresh_copy, small_multiverse

from analysis import registry
from analysis.io import read_csv
from analysis.present.explorer import explorer_data, explorer_html, unpacked
from analysis.scores import multiverse as mv
from analysis.whatif import WhatIfError, main, parse_changes, render, what_if

PROJECT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((PROJECT / "config.yaml").read_text(encoding="utf-8"))


def small_table(tmp_path: Path) -> Path:
    """A hand-made multiverse table over two keys (the default and one changed row per key)."""
    rows = []
    for rule, threshold in [("all_three", 0.5), ("majority_of_three", 0.5), ("all_three", 0.4)]:
        row = {key: registry.lookup(CONFIG, key) for key in mv.axes(CONFIG)}
        row.update({"hp1.rule": rule, "hp1.ai_threshold": threshold})
        for column in mv.score_columns(CONFIG):
            row[column] = None if column.startswith("verdict_") else math.nan
        row["verdict_HP1_R2"] = "supported" if rule == "majority_of_three" else "rejected"
        row["R2_ai"] = 0.35
        row[mv.SPEC_ID] = f"{rule}-{threshold}"
        rows.append(row)
    path = tmp_path / "table.parquet"
    mv.write_parquet(mv.normalise(pd.DataFrame(rows), CONFIG), path)
    (tmp_path / "space.json").write_text(json.dumps({"axes": mv.axes(CONFIG)}), encoding="utf-8")
    return path


def test_what_if_names_each_changed_verdict_with_old_and_new(tmp_path):
    path = small_table(tmp_path)
    answer = what_if(path, CONFIG, parse_changes(["hp1.rule=majority_of_three"]))
    assert answer["changed"] == [("verdict_HP1_R2", "rejected", "supported")]
    assert "| verdict_HP1_R2 | rejected | supported |" in render(answer)
    nothing = what_if(path, CONFIG, parse_changes(["hp1.ai_threshold=0.4"]))
    assert nothing["changed"] == [] and "changes no verdict" in render(nothing)


def test_what_if_refuses_what_the_multiverse_cannot_answer(tmp_path, capsys):
    path = small_table(tmp_path)
    with pytest.raises(WhatIfError, match="not varied in the multiverse"):
        what_if(path, CONFIG, {"process_tracing.lr_profile": "strong"})
    with pytest.raises(WhatIfError, match="not in the multiverse's values"):
        what_if(path, CONFIG, {"hp1.ai_threshold": 0.45})
    with pytest.raises(WhatIfError, match="excluded by a constraint"):
        what_if(path, CONFIG, {"hp1.rule": "bayes_only"})  # not in the small table
    with pytest.raises(WhatIfError, match="key=value"):
        parse_changes(["hp1.rule"])
    assert main(["nope.key=1", "--table", str(path)]) == 2
    assert "not a coding choice" in capsys.readouterr().err


# key changes checked against a full variant build (each value in the shipped multiverse)
VARIANT_EDITS = {
    "rule-majority": {"hp1": {"rule": "majority_of_three"}},
    "weights-equal": {"stringency": {"weights": "equal"}},
    "aggregation-weighted": {"attributed_influence": {"aggregation": "weighted"}},
    "in-force": {"data": {"date_basis": "in_force"}},
}


def _flat(edit: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in edit.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


@pytest.mark.slow
def test_what_if_equals_a_full_variant_build(tmp_path):
    """Each key's what-if answer, read from a multiverse that varies those keys (one structural),
    equals the verdicts and headline scores a full variant build of that key computes."""
    project = fresh_copy(tmp_path / "project")
    small_multiverse(
        project, keys=tuple(sorted({key for edit in VARIANT_EDITS.values() for key in _flat(edit)}))
    )
    (project / "variants").mkdir(exist_ok=True)
    table = project / "results" / "multiverse" / "specifications.parquet"
    targets = ["results/multiverse/specifications.parquet"]
    for name, edit in VARIANT_EDITS.items():
        (project / "variants" / f"{name}.yaml").write_text(yaml.safe_dump(edit), encoding="utf-8")
        targets += [
            f"results/variants/{name}/scores/verdicts.csv",
            f"results/variants/{name}/scores/headline.json",
        ]
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-c2", *targets],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load((project / "config.yaml").read_text(encoding="utf-8"))
    for name, edit in VARIANT_EDITS.items():
        answer = what_if(table, config, _flat(edit))
        root = project / "results" / "variants" / name / "scores"
        verdicts = read_csv(root / "verdicts.csv")
        headline = json.loads((root / "headline.json").read_text(encoding="utf-8"))
        for record in verdicts.to_dict("records"):
            suffix = f"HP1_{record['round']}" if record["hypothesis"] == "HP1" else record["hypothesis"]
            assert answer["new"][f"verdict_{suffix}"] == record["verdict"], (name, suffix)
        for column, value in answer["new"].items():
            if column in headline and not column.startswith("verdict_"):
                expected = headline[column]
                assert (expected is None and math.isnan(value)) or value == expected, (name, column)


# ── The explorer ────────────────────────────────────────────────────────────────────────────────────
def test_explorer_packs_every_specification_and_decodes(tmp_path):
    path = small_table(tmp_path)
    table = mv.read_parquet(path)
    data = explorer_data(table, CONFIG)
    assert data["n_specifications"] == 3
    assert data["default"]["hp1.rule"] == CONFIG["hp1"]["rule"]
    block = explorer_html(data)
    assert "multiverseExplorer(" in block
    assert block.count("</script>") == 2  # the embedded data cannot close its own script element


def _read_varints(raw: bytes) -> list[int]:
    values, value, shift = [], 0, 0
    for byte in raw:
        value |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
            continue
        values.append(value)
        value, shift = 0, 0
    return values


def test_explorer_packing_decodes_to_every_row_of_the_table():
    """A Python twin of explorer.js's decoder reads back each row's verdicts and scores: the
    positions (deflated varint gaps) and both index arrays survive the packing."""
    import itertools

    import numpy as np

    space = mv.axes(CONFIG)
    keys = list(space)
    rng = np.random.default_rng(7)
    combos = list(itertools.islice(itertools.product(*space.values()), 0, 3000, 7))
    table = pd.DataFrame(combos, columns=keys)
    for column in mv.score_columns(CONFIG):
        if column.startswith("verdict_"):
            table[column] = rng.choice(["supported", "rejected", "not supported", None], len(table))
        else:
            table[column] = rng.integers(0, 40, len(table)) / 40
    data = explorer_data(table, CONFIG)
    gaps = _read_varints(unpacked(data["positions"]))
    positions = list(itertools.accumulate(gaps))
    verdicts = np.frombuffer(unpacked(data["verdicts"]), "<u1" if data["verdict_width"] == 1 else "<u2")
    scores = np.frombuffer(unpacked(data["scores"]), "<u2")
    verdict_table, score_table = (json.loads(unpacked(data[t])) for t in ("verdict_table", "score_table"))
    assert len(positions) == len(verdicts) == len(scores) == len(table)
    sizes = [len(space[k]) for k in keys]
    for _, row in table.iterrows():
        position = 0
        for key, size in zip(keys, sizes, strict=True):
            position = position * size + space[key].index(row[key])
        i = positions.index(position)
        expected = [None if pd.isna(row[c]) else row[c] for c in data["verdict_columns"]]
        assert verdict_table[verdicts[i]] == expected
        assert score_table[scores[i]] == [round(row[c], 3) for c in data["score_columns"]]


@pytest.mark.slow
def test_explorer_in_headless_chromium_shows_the_default_and_a_variant(built_project, chromium):
    """The built report's explorer: the default's verdicts as loaded; a variant's when its value is
    picked (compared with the multiverse table), with the network refused. The shared build's
    multiverse varies hp1.ai_threshold and hp1.rule (tests/workspace.py)."""
    html = built_project / "results" / "report" / "report.html"
    table = built_project / "results" / "multiverse" / "specifications.parquet"
    config = yaml.safe_load((built_project / "config.yaml").read_text(encoding="utf-8"))
    changes = {"hp1.rule": "majority_of_three"}
    expected_default = what_if(table, config, {})["old"]
    expected_variant = what_if(table, config, changes)["new"]
    verdicts = [column for column in expected_default if column.startswith("verdict_")]
    # a change that flips no verdict could not show that picking a value does anything
    assert any(expected_default[c] != expected_variant[c] for c in verdicts), "pick a change that flips"
    with open_offline(chromium, html, timeout_ms=30_000) as visit:
        page = visit.page
        page.wait_for_selector("#mv-explorer .mv-result[data-status='found']")

        def shown() -> dict:
            return page.evaluate(
                "Object.fromEntries([...document.querySelectorAll('#mv-explorer tr[data-target]')]"
                ".map(tr => [tr.dataset.target, tr.cells[1].textContent]))"
            )

        default = shown()
        values = json.loads(page.evaluate("document.getElementById('mv-explorer-data').textContent"))[
            "values"
        ]
        for key, value in changes.items():
            page.select_option(f"#mv-explorer select[name='{key}']", str(values[key].index(value)))
        variant = shown()
    assert visit.outside == []
    assert default and default == {k: expected_default[f"verdict_{k}"] for k in default}
    assert variant == {k: expected_variant[f"verdict_{k}"] for k in variant}
    assert html.stat().st_size < 5_000_000


def test_arrow_numbers_are_read_at_their_offset_and_booleans_unpacked():
    """The what-if command reads Arrow buffers directly: a sliced array starts at its offset, and
    booleans (bit-packed in Arrow) are unpacked rather than read a byte per value."""
    import pyarrow as pa

    from analysis.whatif import _numbers

    assert _numbers(pa.array([1.5, 2.0, 2.5]).slice(1)).tolist() == [2.0, 2.5]
    assert _numbers(pa.array([3, 4, 5], pa.int8()).slice(1, 1)).tolist() == [4]
    assert _numbers(pa.array([True, False, True, True])).tolist() == [True, False, True, True]
    with pytest.raises(WhatIfError, match="missing value"):
        _numbers(pa.array([1.0, None]))
