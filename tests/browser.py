"""Headless Chromium for tests that open a built page: the one place that knows how to launch it.

Playwright for Python (pinned in requirements.lock) drives Debian's `chromium` (installed by
`.ci/run`); `playwright install` is never used, since it downloads a browser build of its own.
Every request that is not for a local file is aborted and recorded, so a test sees whether the page
tried to reach the network. Use the `chromium` fixture from conftest.py and `open_offline()`:

    with open_offline(chromium, path) as visit:
        visit.page.wait_for_function(...)
    assert visit.outside == [] and visit.errors == [] and visit.dialogs == []
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# As root in a container: no sandbox, no GPU, and none of the browser's own calls home.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def why_unavailable() -> str | None:
    """The reason no browser test can run here, or None when one can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -r requirements.lock)"
    if chromium_path() is None:
        return "no Chromium on PATH (Debian: apt-get install chromium)"
    return None


@dataclass
class Visit:
    """One page opened from a file, with everything it tried that a test may want to refuse."""

    page: Any
    outside: list[str] = field(default_factory=list)  # URLs of refused non-file requests
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    dialogs: list[str] = field(default_factory=list)  # alert/confirm/prompt messages (dismissed)
    warnings: list[str] = field(default_factory=list)  # console warnings (Vega logs its own there)


@contextmanager
def open_offline(
    browser: Any, path: Path, timeout_ms: int = 20_000, **context_options: Any
) -> Iterator[Visit]:
    """Open `path` in a fresh browser context where only file: requests are allowed.

    `context_options` go to Playwright's `new_context` (e.g. `timezone_id`). Tests share the one
    `chromium` fixture: a second `sync_playwright()` in the same worker fails, since the first
    one's event loop is still running."""
    context = browser.new_context(**context_options)
    context.set_default_timeout(timeout_ms)
    visit = Visit(page=None)

    def only_files(route):
        if route.request.url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            visit.outside.append(route.request.url)
            route.abort()

    def on_dialog(dialog):
        visit.dialogs.append(dialog.message)
        dialog.dismiss()

    try:
        context.route("**/*", only_files)
        page = context.new_page()
        visit.page = page

        def on_console(message):
            if message.type == "error":
                visit.errors.append(message.text)
            elif message.type == "warning":
                visit.warnings.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: visit.errors.append(str(error)))
        page.on("dialog", on_dialog)
        page.goto(Path(path).resolve().as_uri())
        yield visit
    finally:
        context.close()
