"""analysis.io: the rule scripts' shared helpers, and running a script in Snakemake's process."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from snakemake.iocontainers import Namedlist
from workspace import fresh_copy

from analysis.io import RuleScriptError, logged, run_script

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


def test_jobs_side_by_side_each_keep_their_own_log(tmp_path):
    # Jobs run as threads of one process (run_script): each log holds its own job's records only.
    start = threading.Barrier(2)

    def job(name: str) -> None:
        with logged(tmp_path / f"{name}.log") as log:
            start.wait()  # both jobs' handlers are in place before either writes
            for step in range(50):
                log.info("%s %d", name, step)

    threads = [threading.Thread(target=job, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name in ("a", "b"):
        lines = (tmp_path / f"{name}.log").read_text(encoding="utf-8").splitlines()
        assert lines == [f"INFO {name} {step}" for step in range(50)]


def test_run_script_gives_the_script_the_job_it_would_have_had(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "copy.py").write_text(
        "from pathlib import Path\n"
        "text = Path(snakemake.input.table).read_text() + snakemake.params.suffix\n"
        "text += snakemake.wildcards.root\n"
        "Path(snakemake.output.result).write_text(text + ' ' + snakemake.rule + ' ' + __name__)\n",
        encoding="utf-8",
    )
    (tmp_path / "in.txt").write_text("rows", encoding="utf-8")
    job = {
        "input": Namedlist(fromdict={"table": "in.txt", "code": "scripts/copy.py"}),
        "output": Namedlist(fromdict={"result": "out.txt"}),
        "params": Namedlist(fromdict={"suffix": "+"}),
        "wildcards": Namedlist(fromdict={"root": "results"}),
        "log": Namedlist(toclone=["copy.log"]),
        "rule": "copy_table",
    }
    run_script("scripts/copy.py", **job)
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "rows+results copy_table __main__"

    # a script the rule does not declare: Snakemake would not rerun the rule after an edit to it
    job["input"] = Namedlist(fromdict={"table": "in.txt"})
    with pytest.raises(ValueError, match=r"rule copy_table: scripts/copy.py is not one of its inputs"):
        run_script("scripts/copy.py", **job)


def test_a_script_that_stops_with_a_message_fails_its_job(tmp_path, monkeypatch):
    # validate_raw stops with SystemExit(its list of problems); in Snakemake's thread that must be
    # an error the scheduler sees, not an exit it would wait on forever
    monkeypatch.chdir(tmp_path)
    (tmp_path / "stop.py").write_text("raise SystemExit(snakemake.params.message)\n", encoding="utf-8")
    job = {
        "input": Namedlist(fromdict={"code": "stop.py"}),
        "output": Namedlist(),
        "wildcards": Namedlist(),
        "log": Namedlist(),
        "rule": "stop",
    }
    message = "data/raw/pressure.csv:3: column 'channel': 'sideways' is not an allowed value"
    with pytest.raises(RuleScriptError, match=r"pressure.csv:3: column 'channel'"):
        run_script("stop.py", params=Namedlist(fromdict={"message": message}), **job)
    run_script("stop.py", params=Namedlist(fromdict={"message": None}), **job)  # a clean stop is no error
