"""The typst server (qmdrender/typst_server.py): a warm compile writes what a cold one does, errors
read the same, and whenever the server cannot be used the engine compiles in its own process."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from qmdrender import engine, typst_server
from qmdrender.engine import RenderError

# Three chapters on pages of their own, as the report has: typst lays them out separately.
DOCUMENT = "\n".join(
    f"#pagebreak(weak: true)\n= Chapter {n}\n\n"
    + "\n\n".join(f"Paragraph {n}.{k}: #lorem(60)" for k in range(12))
    for n in range(3)
)


@pytest.fixture
def server_env(monkeypatch):
    """A folder of this test's own for the server (short: a socket path has 107 bytes); the server
    is stopped and the folder removed afterwards."""
    folder = tempfile.mkdtemp(prefix="qts-")
    monkeypatch.setenv("QMDRENDER_TYPST_DIR", folder)
    monkeypatch.delenv("QMDRENDER_TYPST_SERVER", raising=False)
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    yield Path(folder)
    typst_server.stop()
    shutil.rmtree(folder, ignore_errors=True)


def cold_compile(source: Path, pdf: Path) -> None:
    """Compile in a fresh interpreter with the server off: typst's memo holds nothing there."""
    code = (
        "import sys, pathlib; from qmdrender import engine; "
        "engine.compile_typst(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), None)"
    )
    env = {**os.environ, "QMDRENDER_TYPST_SERVER": "off"}
    subprocess.run([sys.executable, "-c", code, str(source), str(pdf)], check=True, env=env)


def test_a_warm_compile_after_an_edit_writes_what_a_cold_compile_does(server_env, tmp_path):
    source = tmp_path / "doc.typ"
    source.write_text(DOCUMENT, encoding="utf-8")
    engine.compile_typst(source, tmp_path / "first.pdf", None)
    # one sentence of the middle chapter changes, as in a prose edit
    source.write_text(DOCUMENT.replace("Paragraph 1.5:", "Paragraph 1.5, edited:"), encoding="utf-8")
    engine.compile_typst(source, tmp_path / "warm.pdf", None)
    status = typst_server.status()
    assert status is not None and status["compiles"] == 2, "both compiles went to one server"
    cold_compile(source, tmp_path / "cold.pdf")
    warm, cold = (tmp_path / "warm.pdf").read_bytes(), (tmp_path / "cold.pdf").read_bytes()
    assert warm == cold
    assert warm != (tmp_path / "first.pdf").read_bytes(), "the edit reached the PDF"


def test_a_typst_error_reads_the_same_with_and_without_the_server(server_env, tmp_path, monkeypatch):
    source = tmp_path / "bad.typ"
    source.write_text("= Title\n\n#unknown-function(1)\n", encoding="utf-8")
    with pytest.raises(RenderError) as served:
        engine.compile_typst(source, tmp_path / "bad.pdf", None)
    assert typst_server.status()["compiles"] == 1
    monkeypatch.setenv("QMDRENDER_TYPST_SERVER", "off")
    with pytest.raises(RenderError) as local:
        engine.compile_typst(source, tmp_path / "bad.pdf", None)
    assert str(served.value) == str(local.value)
    # named as the document's folder sees it, not as either process's working folder does
    assert "unknown-function" in str(served.value) and " at bad.typ:3:" in str(served.value)


def test_concurrent_compiles_each_get_their_own_pdf(server_env, tmp_path):
    sources = []
    for n in range(3):
        folder = tmp_path / f"doc{n}"
        folder.mkdir()
        (folder / "doc.typ").write_text(
            DOCUMENT.replace("Chapter 1", f"Chapter one of {n}"), encoding="utf-8"
        )
        sources.append(folder / "doc.typ")
    errors: list[BaseException] = []

    def compile_one(source: Path) -> None:
        try:
            engine.compile_typst(source, source.with_suffix(".pdf"), None)
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=compile_one, args=(source,)) for source in sources]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert typst_server.status()["compiles"] == 3
    for source in sources:
        cold_compile(source, source.with_suffix(".cold.pdf"))
        assert source.with_suffix(".pdf").read_bytes() == source.with_suffix(".cold.pdf").read_bytes()


@pytest.mark.parametrize(
    "env", [{"QMDRENDER_TYPST_SERVER": "off"}, {"QMDRENDER_TYPST_SERVER": "0"}, {"SLURM_JOB_ID": "7"}]
)
def test_switched_off_by_the_user_and_inside_a_slurm_job(env):
    assert typst_server.enabled({"QMDRENDER_TYPST_SERVER": "1"})
    assert not typst_server.enabled(env)


def test_a_folder_others_can_enter_is_refused_and_the_engine_compiles_itself(server_env, tmp_path):
    server_env.chmod(0o755)
    with pytest.raises(typst_server.Unavailable, match="only this user"):
        typst_server.socket_path()
    source = tmp_path / "doc.typ"
    source.write_text(DOCUMENT, encoding="utf-8")
    engine.compile_typst(source, tmp_path / "doc.pdf", None)
    assert (tmp_path / "doc.pdf").read_bytes().startswith(b"%PDF")
    assert not list(server_env.glob("*.sock")), "no server was started there"


def test_a_socket_left_by_a_killed_server_is_replaced(server_env, tmp_path):
    path = typst_server.socket_path()
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(path))  # the file a server leaves when killed: nobody listens on it
    dead.close()
    source = tmp_path / "doc.typ"
    source.write_text(DOCUMENT, encoding="utf-8")
    engine.compile_typst(source, tmp_path / "doc.pdf", None)
    assert typst_server.status()["compiles"] == 1


def test_an_idle_server_exits_and_removes_its_socket(server_env, tmp_path, monkeypatch):
    monkeypatch.setenv("QMDRENDER_TYPST_IDLE", "1")
    source = tmp_path / "doc.typ"
    source.write_text("= Short\n", encoding="utf-8")
    engine.compile_typst(source, tmp_path / "doc.pdf", None)
    path = typst_server.socket_path()
    pid = typst_server.status()["pid"]
    deadline = time.monotonic() + 30
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not path.exists()
    while time.monotonic() < deadline and os.waitpid(pid, os.WNOHANG) == (0, 0):
        time.sleep(0.1)  # the socket goes just before the process ends (this test started it)
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_stop_ends_the_server(server_env, tmp_path):
    source = tmp_path / "doc.typ"
    source.write_text("= Short\n", encoding="utf-8")
    engine.compile_typst(source, tmp_path / "doc.pdf", None)
    assert typst_server.stop()
    assert not typst_server.socket_path().exists(), "stop returns once the server is gone"
    assert typst_server.status() is None
    assert not typst_server.stop(), "nothing left to stop"


def test_a_server_past_its_memory_bound_answers_then_exits(server_env, tmp_path, monkeypatch):
    monkeypatch.setenv("QMDRENDER_TYPST_MAX_MB", "1")  # any real process is past 1 MB
    source = tmp_path / "doc.typ"
    source.write_text(DOCUMENT, encoding="utf-8")
    engine.compile_typst(source, tmp_path / "first.pdf", None)
    assert (tmp_path / "first.pdf").read_bytes().startswith(b"%PDF"), "the compile was answered"
    path = typst_server.socket_path()
    deadline = time.monotonic() + 10
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert typst_server.status() is None, "it exited after answering"
    monkeypatch.delenv("QMDRENDER_TYPST_MAX_MB")  # so the next server stays to be asked
    engine.compile_typst(source, tmp_path / "second.pdf", None)
    assert typst_server.status()["compiles"] == 1, "the next render started a fresh server"


def test_the_command_line_finds_the_server_a_build_started_under_another_name(server_env, tmp_path):
    """Snakemake runs scripts with `python3`, a user types `python`: one environment, one server."""
    source = tmp_path / "doc.typ"
    source.write_text("= Short\n", encoding="utf-8")
    engine.compile_typst(source, tmp_path / "doc.pdf", None)
    here = Path(sys.executable)
    other = next(
        (
            here.with_name(name)
            for name in ("python", "python3")
            if here.with_name(name).exists() and name != here.name
        ),
        None,
    )
    if other is None:
        pytest.skip(f"no second name for {here} in its folder")
    result = subprocess.run(
        [str(other), "-m", "qmdrender", "typst-server", "status"], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("running"), result.stdout + result.stderr
