"""Typst kept warm between renders: a small local server that compiles Typst to PDF for the engine.

Typst memoises its work (parsing, layout) inside its process, keyed by content, so a compile after a
one-sentence edit redoes only what the edit touched. Every render is a fresh process, which threw
that away: the report's 76 pages took 1.41-1.83 s to lay out in a new process and 0.38-0.55 s in
one that had compiled the report before (measured 2026-12-02 on the 2-core machine). So the engine
hands its compiles to one server per environment, which outlives the render and exits after
`QMDRENDER_TYPST_IDLE` seconds (default 900) without work, or once its memory passed
`QMDRENDER_TYPST_MAX_MB` (default 1536).

A warm compile writes the same bytes as a cold one (typst's memoisation is keyed by every input it
read; tests/test_incremental.py compares builds that use the server with cold builds that do not).
Whatever goes wrong with the server (none running and none can start, a socket folder that is not
the user's own, a connection that breaks) the engine compiles in its own process instead; errors
in the document are typst's own, reported the same either way.

Off when `QMDRENDER_TYPST_SERVER` is 0/off/false/no, inside a SLURM job (its processes end with the
job, so no later render could use it), and where the platform has no Unix sockets.
The socket lives in a folder only its user can enter (`$TMPDIR/qmdrender-<uid>`, or
`QMDRENDER_TYPST_DIR`), named by the Python it runs on, typst's version and this file's content,
so an upgrade or another environment starts a server of its own.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import json
import os
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DEFAULT_IDLE = 900.0  # seconds: long enough to outlast the pause between two edits
# Typst's memo grows with every new state it sees (to about 600 MB over 30 edits of the report's
# prose; figures changed by a weight edit add about 40 MB each): past this peak the server exits
# after answering, and the next render starts a fresh one.
DEFAULT_MAX_MB = 1536
START_TIMEOUT = 15.0  # seconds a render waits for a server it started to listen
OFF = {"0", "off", "false", "no"}
# A Unix socket's path must fit in 108 bytes (sun_path), the terminating NUL included.
MAX_SOCKET_PATH = 107


class Unavailable(Exception):
    """No server can compile this (none running and none could start, or it broke off)."""


class CompileError(Exception):
    """Typst's own error for the document, as the server reported it (message and diagnostic)."""

    def __init__(self, message: str, diagnostic: str = "", cwd: str = "/") -> None:
        super().__init__(message)
        self.message = message
        self.diagnostic = diagnostic
        self.cwd = cwd  # the server's folder, which the diagnostic's file name is relative to


def enabled(env: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """Whether renders in this environment use a server."""
    if env.get("QMDRENDER_TYPST_SERVER", "").strip().lower() in OFF:
        return False
    return "SLURM_JOB_ID" not in env and hasattr(socket, "AF_UNIX")


@functools.cache  # the code this process runs, even if the file changes under it
def _identity() -> str:
    """What a server must share with its clients: the environment and its Python (by prefix and
    version, not by the name it was started as: `python` and `python3` of one venv are one), typst's
    version, this code."""
    from importlib.metadata import version

    digest = hashlib.sha256()
    for part in (os.path.realpath(sys.prefix), sys.version, version("typst"), Path(__file__).read_bytes()):
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def server_folder(env: dict[str, str] | os._Environ[str] = os.environ) -> Path:
    """The folder of this user's sockets, made private (0700) if new; refused if anyone else could
    enter it or it is not the user's (another user could then answer in the server's place)."""
    folder = Path(env.get("QMDRENDER_TYPST_DIR") or Path(tempfile.gettempdir()) / f"qmdrender-{os.getuid()}")
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700, parents=True)
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise Unavailable(f"{folder} is not a folder only this user can enter")
    return folder


def socket_path(env: dict[str, str] | os._Environ[str] = os.environ) -> Path:
    path = server_folder(env) / f"typst-{_identity()}.sock"
    if len(os.fsencode(path)) > MAX_SOCKET_PATH:
        raise Unavailable(f"socket path too long for a Unix socket: {path}")
    return path


def _request(path: Path, message: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
    """Send one request (a JSON line) and read the one-line answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(timeout)
        client.connect(str(path))
        client.sendall(json.dumps(message).encode() + b"\n")
        with client.makefile("rb") as answer:
            line = answer.readline()
    if not line:
        raise ConnectionError("the server closed the connection without answering")
    return json.loads(line)


def _alive(path: Path) -> bool:
    try:
        return _request(path, {"op": "ping"}, timeout=2.0).get("ok") is True
    except (OSError, ValueError):
        return False


def _start(path: Path, env: dict[str, str] | os._Environ[str]) -> None:
    """Start a server at `path` unless one answers there; one render at a time decides (a lock)."""
    import fcntl

    idle = env.get("QMDRENDER_TYPST_IDLE", str(DEFAULT_IDLE))
    most = env.get("QMDRENDER_TYPST_MAX_MB", str(DEFAULT_MAX_MB))
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _alive(path):
            return
        path.unlink(missing_ok=True)  # left by a server that was killed
        with open(path.with_suffix(".log"), "ab") as log:
            subprocess.Popen(
                # this very file, isolated from PYTHONPATH: the server speaks the client's protocol
                [sys.executable, "-I", __file__, "serve", str(path), "--idle", idle, "--max-mb", most],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                cwd="/",
                start_new_session=True,  # not in the render's process group: Ctrl-C there is not for it
                env=dict(env),
            )
        deadline = time.monotonic() + START_TIMEOUT
        while not _alive(path):
            if time.monotonic() > deadline:
                raise Unavailable(f"no typst server answered at {path} within {START_TIMEOUT:.0f} s")
            time.sleep(0.02)


def compile_request(
    source: Path, pdf: Path, root: Path, font_paths: Sequence[str], timestamp: int
) -> dict[str, Any]:
    """One compile, as the server or `compile_here` reads it (absolute paths: the server's folder
    is not the render's)."""
    return {
        "op": "compile",
        "source": str(Path(source).resolve()),
        "output": str(Path(pdf).resolve()),
        "root": str(Path(root).resolve()),
        "font_paths": list(font_paths),
        "timestamp": timestamp,
    }


def compile_here(request: dict[str, Any]) -> list[str]:
    """The compile itself, in this process (the server's, or a render's that has no server):
    typst's warning messages; a document's error raises typst.TypstError."""
    import typst

    _, warnings = typst.compile_with_warnings(
        request["source"],
        output=request["output"],
        root=request["root"],
        font_paths=request["font_paths"],
        ignore_system_fonts=True,
        timestamp=request["timestamp"],
    )
    return [warning.message for warning in warnings]


def compile_pdf(request: dict[str, Any], env: dict[str, str] | os._Environ[str] = os.environ) -> list[str]:
    """Compile on the server (starting it if none answers): typst's warning messages.
    Raises CompileError for an error in the document, Unavailable when no server can do it."""
    try:
        path = socket_path(env)
        try:
            answer = _request(path, request)
        except (FileNotFoundError, ConnectionRefusedError):  # none running, or one killed
            _start(path, env)
            answer = _request(path, request)
    except (OSError, ValueError) as error:
        raise Unavailable(f"typst server: {error}") from error
    if "error" in answer:
        raise CompileError(**answer["error"])
    if "warnings" not in answer:
        raise Unavailable(f"typst server: {answer.get('failed', 'no answer')}")
    return answer["warnings"]


def status(env: dict[str, str] | os._Environ[str] = os.environ) -> dict[str, Any] | None:
    """This environment's server's process id and how many compiles it answered; None if none runs."""
    try:
        return _request(socket_path(env), {"op": "ping"}, timeout=5.0)
    except (OSError, ValueError, Unavailable):
        return None


def stop(env: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """Ask this environment's server to exit and wait (up to 5 s) until it has: whether one ran."""
    try:
        path = socket_path(env)
        stopped = _request(path, {"op": "stop"}, timeout=5.0).get("ok") is True
    except (OSError, ValueError, Unavailable):
        return False
    deadline = time.monotonic() + 5.0
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return stopped


# ── the server ────────────────────────────────────────────────────────────────────────────────
def _compile(request: dict[str, Any]) -> dict[str, Any]:
    import typst

    try:
        return {"warnings": compile_here(request)}
    except typst.TypstError as error:
        message = str(getattr(error, "message", error))
        diagnostic = str(getattr(error, "diagnostic", "") or "")
        return {"error": {"message": message, "diagnostic": diagnostic, "cwd": os.getcwd()}}
    except Exception as error:  # not the document's fault: the client compiles in its own process
        return {"failed": f"{type(error).__name__}: {error}"}


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20  # KiB on Linux, bytes on macOS


def serve(path: Path, idle: float = DEFAULT_IDLE, max_mb: float = DEFAULT_MAX_MB) -> None:
    """Answer requests at `path` (each connection in its own thread: typst releases the interpreter
    while it compiles) until `idle` seconds pass without one, a stop request, or a compile that
    took the process past `max_mb` of memory."""
    import typst  # noqa: F401  (loaded before the first request, not during it)

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    inode = path.stat().st_ino
    listener.listen(16)
    listener.settimeout(1.0)
    busy = compiles = 0
    last = time.monotonic()
    lock = threading.Lock()
    stopping = threading.Event()

    def handle(connection: socket.socket) -> None:
        nonlocal busy, compiles, last
        try:
            with connection, connection.makefile("rb") as reader:
                request = json.loads(reader.readline())
                if request.get("op") == "compile":
                    answer = _compile(request)
                    with lock:
                        compiles += 1
                    if peak_mb() > max_mb:
                        stopping.set()  # answered; the next render starts a server with an empty memo
                else:
                    answer = {"ok": True, "pid": os.getpid(), "compiles": compiles}
                    if request.get("op") == "stop":
                        stopping.set()
                connection.sendall(json.dumps(answer).encode() + b"\n")
        except (OSError, ValueError):
            pass  # the client went away (an interrupted render): nothing to answer
        finally:
            with lock:
                busy -= 1
                last = time.monotonic()

    try:
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                with lock:
                    if busy == 0 and time.monotonic() - last > idle:
                        break
                continue
            with lock:
                busy += 1
            threading.Thread(target=handle, args=(connection,), daemon=True).start()
    finally:
        listener.close()
        # remove the socket only if it is still ours (a newer server may have replaced it)
        with contextlib.suppress(OSError):
            if path.stat().st_ino == inode:
                path.unlink()


def main(argv: list[str] | None = None) -> None:
    """`serve SOCKET --idle S`, as renders start it (stop it with `python -m qmdrender typst-server stop`)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("socket", type=Path)
    parser.add_argument("--idle", type=float, default=DEFAULT_IDLE, help="exit after this many idle seconds")
    parser.add_argument("--max-mb", type=float, default=DEFAULT_MAX_MB, help="exit once memory passed this")
    args = parser.parse_args(argv)
    serve(args.socket, args.idle, args.max_mb)


if __name__ == "__main__":
    main()
