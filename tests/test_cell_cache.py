"""The render's cell cache: a prose edit runs no cell; a change to a cell, an input or the environment
does. Keyed by what the cells read, so a reused notebook is the one a fresh run would give."""

from __future__ import annotations

from pathlib import Path

import pytest

from qmdrender import engine

DOCUMENT = """---
title: Cache
---

Some prose {words}.

```{{python}}
from pathlib import Path
import json, os
value = Path(json.loads(Path(os.environ["REPORT_INPUTS"]).read_text())["data"]).read_text()
print(value)
```
"""


def write(folder: Path, words: str = "first", data: str = "one") -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "doc.qmd").write_text(DOCUMENT.format(words=words), encoding="utf-8")
    (folder / "data.txt").write_text(data, encoding="utf-8")
    return folder / "doc.qmd", folder / "data.txt"


def render(doc: Path, data: Path, out: Path, cache: Path) -> str:
    target = out / "doc.html"
    engine.render(doc, {"html": target}, {"data": str(data)}, engine="offline", cache_dir=cache)
    return target.read_text(encoding="utf-8")


@pytest.fixture()
def counted(monkeypatch):
    """Counts kernel runs (the real ones still happen)."""
    runs = []
    real = engine.execute_notebook

    def execute(*args, **kwargs):
        runs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "execute_notebook", execute)
    return runs


def test_prose_edit_reuses_cells_and_a_data_edit_reruns_them(tmp_path, counted):
    cache = tmp_path / "cache"
    doc, data = write(tmp_path / "doc")
    first = render(doc, data, tmp_path / "out", cache)
    assert "one" in first and len(counted) == 1
    doc, data = write(tmp_path / "doc", words="second")
    prose = render(doc, data, tmp_path / "out", cache)
    assert len(counted) == 1, "a prose edit must not execute any cell"
    assert "second" in prose and "one" in prose
    doc, data = write(tmp_path / "doc", words="second", data="two")
    changed = render(doc, data, tmp_path / "out", cache)
    assert len(counted) == 2 and "two" in changed
    # the cached page equals a cold render of the same state
    cold = render(doc, data, tmp_path / "cold", tmp_path / "fresh-cache")
    assert changed == cold


def test_a_cell_edit_invalidates(tmp_path):
    doc, data = write(tmp_path / "doc")
    notebook = engine.build_notebook(engine.split_chunks(DOCUMENT.format(words="x")), {})
    key = engine.cell_cache_key(notebook, {"data": str(data)}, doc, {"A": "1"})
    assert key == engine.cell_cache_key(notebook, {"data": str(data)}, doc, {"A": "1"})
    assert key != engine.cell_cache_key(notebook, {"data": str(data)}, doc, {"A": "2"})
    notebook.cells[0].source += "\nprint(1)"
    assert key != engine.cell_cache_key(notebook, {"data": str(data)}, doc, {"A": "1"})


FIGURE_DOCUMENT = """---
title: Cache
---

Prose {words}.

```{{python}}
from pathlib import Path
Path("_figures").mkdir(exist_ok=True)
Path("_figures/dot.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">'
                                    '<circle cx="2" cy="2" r="2" data-made="by-a-cell"/></svg>')
```

![A dot](_figures/dot.svg)
"""


def test_files_a_cell_writes_come_back_with_the_reused_cells(tmp_path, counted):
    """A reused notebook brings back what its cells wrote beside the document (the report's figures)."""
    folder, cache = tmp_path / "doc", tmp_path / "cache"
    folder.mkdir()
    for words, runs in (("first", 1), ("second", 1)):
        (folder / "doc.qmd").write_text(FIGURE_DOCUMENT.format(words=words), encoding="utf-8")
        target = tmp_path / "out" / "doc.html"
        engine.render(folder / "doc.qmd", {"html": target}, {}, engine="offline", cache_dir=cache)
        assert len(counted) == runs
        page = target.read_text(encoding="utf-8")
        assert words in page and ("by-a-cell" in page or "data:image/svg" in page)


METADATA_DOCUMENT = """---
title: Metadata
---

Built by {{{{< meta build-code >}}}}; {words}.

```{{python}}
import os
print(sorted(key for key in os.environ if "BUILD" in key.upper()), "cell ran")
```
"""


def test_metadata_reaches_the_prose_and_reruns_no_cell(tmp_path, counted):
    """What the report shows of its commit comes as render metadata: the prose's {{< meta >}} shows
    it, no cell can see it, and a new value (a commit, a clean checkout turned dirty) reuses the
    cells; the page equals a cold render with that value."""
    folder, cache = tmp_path / "doc", tmp_path / "cache"
    folder.mkdir()
    (folder / "doc.qmd").write_text(METADATA_DOCUMENT.format(words="prose"), encoding="utf-8")
    pages = []
    for code in ("commit aaaaaaaaaaaa (clean)", "commit aaaaaaaaaaaa (dirty: code differs from it)"):
        target = tmp_path / "out" / "doc.html"
        engine.render(
            folder / "doc.qmd",
            {"html": target},
            {},
            engine="offline",
            cache_dir=cache,
            metadata={"build-code": code},
        )
        pages.append(target.read_text(encoding="utf-8"))
        assert f"Built by {code}; prose." in " ".join(pages[-1].split())  # however pandoc wraps it
        assert "[] cell ran" in pages[-1]  # nothing of it in the kernel's environment
    assert len(counted) == 1, "new metadata must not execute any cell"
    cold = tmp_path / "cold" / "doc.html"
    engine.render(
        folder / "doc.qmd",
        {"html": cold},
        {},
        engine="offline",
        cache_dir=tmp_path / "fresh",
        metadata={"build-code": code},
    )
    assert cold.read_text(encoding="utf-8") == pages[-1]


@pytest.mark.parametrize("key", ["execute", "echo", "fig-width", "format"])
def test_metadata_that_would_steer_the_cells_is_refused(tmp_path, key):
    doc, data = write(tmp_path / "doc")
    with pytest.raises(engine.RenderError, match=f"metadata {key} would change how cells run"):
        engine.render(
            doc, {"html": tmp_path / "out.html"}, {"data": str(data)}, engine="offline", metadata={key: 1}
        )


@pytest.mark.parametrize("as_list", [False, True], ids=["one-path input", "list input"])
def test_an_edit_to_an_input_away_from_the_document_reruns_the_cells(tmp_path, counted, as_list):
    """The render rule's inputs live under results/, not beside the report: their content must key the
    cache whether an input is one path or a list. (A single path was once iterated as a string, so only
    list inputs were hashed: a raw-row edit that changed only identity.json left a stale identity line.)"""
    doc, _ = write(tmp_path / "doc")
    data = tmp_path / "results" / "data.txt"
    data.parent.mkdir()
    document = DOCUMENT.replace(
        '["data"]).read_text()', '["data"]' + ("[0]" if as_list else "") + ").read_text()"
    )
    doc.write_text(document.format(words="prose"), encoding="utf-8")
    pages = []
    for content in ("one", "two"):
        data.write_text(content, encoding="utf-8")
        target = tmp_path / "out" / "doc.html"
        value = [str(data)] if as_list else str(data)
        engine.render(doc, {"html": target}, {"data": value}, engine="offline", cache_dir=tmp_path / "cache")
        pages.append(target.read_text(encoding="utf-8"))
    assert len(counted) == 2, "an input's new content must re-execute the cells"
    assert "<code>two</code>" in pages[1] and "<code>one</code>" not in pages[1]
    notebook = engine.build_notebook(engine.split_chunks(document.format(words="x")), {})
    keys = set()
    for content in ("one", "two"):
        data.write_text(content, encoding="utf-8")
        keys.add(engine.cell_cache_key(notebook, {"data": [str(data)] if as_list else str(data)}, doc, {}))
    assert len(keys) == 2


def test_the_render_rule_declares_every_module_the_report_kernel_imports():
    """The cells run the project's code as well as read its files: a module the kernel imports but the
    render rule does not declare would neither rerun the render nor change the cell cache's key."""
    import re
    import subprocess
    import sys

    project = Path(__file__).resolve().parents[1]
    setup = re.search(
        r"```\{python\}\n#\| label: setup\n(.*?)```", (project / "report/report.qmd").read_text(), re.S
    ).group(1)
    imports = "\n".join(line for line in setup.splitlines() if line.startswith(("import ", "from ")))
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            imports + "\nimport analysis.present.explorer, analysis.present.provenance, sys\n"
            "print('\\n'.join(m.__file__ for m in list(sys.modules.values())\n"
            "                 if getattr(m, '__file__', None)))",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    modules = {
        Path(f).resolve().relative_to(project).as_posix()
        for f in loaded
        if Path(f).resolve().is_relative_to(project / "analysis")
    }
    assert "analysis/present/report_data.py" in modules
    rules = (project / "workflow/rules/report.smk").read_text(encoding="utf-8")
    declared = re.search(
        r"REPORT_KERNEL_MODULES = \[f\"analysis/\{module\}\.py\" for module in \[(.*?)\]\]", rules, re.S
    ).group(1)
    declared = {f"analysis/{name}.py" for name in re.findall(r'"([\w/]+)"', declared)}
    assert modules <= declared, f"undeclared: {sorted(modules - declared)}"
