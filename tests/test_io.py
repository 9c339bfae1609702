"""analysis.io: the rule scripts' shared helpers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from workspace import fresh_copy

ROOT = Path(__file__).resolve().parents[1]

# An exit handler registered before the script's own runs after them (exit handlers run last in,
# first out), so it sees the state the interpreter's teardown starts from.
FREEZE_COUNT_AT_EXIT = (
    "import atexit, gc, sys; atexit.register(lambda: sys.stdout.write(f'frozen {gc.get_freeze_count()}'))\n"
)


def run_python(code: str, cwd: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-c", FREEZE_COUNT_AT_EXIT + code], cwd=cwd, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_rule_script_ends_without_the_final_collection(tmp_path):
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r})\nfrom analysis.io import logged\n"
    code += f"with logged({str(tmp_path / 'rule.log')!r}) as log:\n    log.info('done')\n"
    frozen = int(run_python(code, tmp_path).removeprefix("frozen "))
    assert frozen > 0  # the heap was frozen at exit, so the teardown's collection skips it
    assert (tmp_path / "rule.log").read_text(encoding="utf-8") == "INFO done\n"  # and the log is whole


def test_snakemake_ends_without_the_final_collection(tmp_path):
    project = fresh_copy(tmp_path / "project")
    code = "import runpy, sys; sys.argv = ['snakemake', '--dry-run', '--quiet']\n"
    code += "try:\n    runpy.run_module('snakemake', run_name='__main__', alter_sys=True)\n"
    code += "except SystemExit as end:\n    assert not end.code, end.code\n"
    frozen = int(run_python(code, project).rsplit("frozen ", 1)[1])
    assert frozen > 0
