"""What every test shares: a model store of its own, and the ways tests run the CLI.

The user's model store is out of reach by construction. At import — before any fixture,
test module or subprocess can ask where models live — NNCLI_HOME, HOME and XDG_DATA_HOME
point into a temporary folder for the whole session, so even a module-scoped fixture or a
command that ignores NNCLI_HOME saves there. On top of that, the autouse `model_home`
fixture gives every test a fresh, empty store of its own.
"""

import atexit
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

# The user's real store, as it was before this file redirected it: test_conftest.py checks
# that the test session leaves it as it found it.
REAL_HOME = os.environ.get("HOME", "")
REAL_NNCLI_HOME = os.environ.get("NNCLI_HOME", "")
REAL_XDG_DATA_HOME = os.environ.get("XDG_DATA_HOME", "")

SESSION_FOLDER = Path(tempfile.mkdtemp(prefix="nncli-tests-"))
atexit.register(shutil.rmtree, SESSION_FOLDER, ignore_errors=True)


def point_store_at(folder):
    """The environment variables that decide where models live, all inside `folder`."""
    return {
        "NNCLI_HOME": str(folder / "store"),
        "HOME": str(folder / "home"),
        "XDG_DATA_HOME": str(folder / "xdg"),
    }


os.environ.update(point_store_at(SESSION_FOLDER))


@pytest.fixture(autouse=True)
def model_home(tmp_path, monkeypatch):
    """A fresh, empty model store for every test (not created until something saves)."""
    for name, value in point_store_at(tmp_path).items():
        monkeypatch.setenv(name, value)
    return tmp_path / "store"


def run(*args, input=None, env=None):
    """Invoke `nncli ARGS` in-process; a traceback in either stream fails the test."""
    from nncli.cli import main

    result = CliRunner().invoke(main, [str(a) for a in args], input=input, env=env)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    return result


@pytest.fixture(scope="session")
def trained_xor(tmp_path_factory):
    """An XOR model trained once for the whole session (300 epochs); tests take copies."""
    path = tmp_path_factory.mktemp("shared") / "xor.npz"
    result = run("train", "xor", "--epochs", "300", "-q", "--save", path)
    assert result.exit_code == 0, result.stderr
    return path


@pytest.fixture
def xor_model(trained_xor, model_home):
    """This test's own copy of the session's XOR model, as xor.npz in its store (and so
    the model it trained last): a test may change or damage it freely."""
    model_home.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(trained_xor, model_home / "xor.npz"))


def json_lines(text):
    """The JSON objects of JSON Lines output; every line must be one, with an "event"."""
    if not isinstance(text, str):
        text = text.stdout
    lines = text.splitlines()
    assert lines, "no output"
    events = [json.loads(line) for line in lines]
    assert all("event" in event for event in events)
    return events


def real_store():
    """The model store the user would have without the test fixture."""
    if REAL_NNCLI_HOME:
        return Path(REAL_NNCLI_HOME).expanduser()
    base = Path(REAL_XDG_DATA_HOME) if REAL_XDG_DATA_HOME else Path(REAL_HOME) / ".local" / "share"
    return base / "nncli"


def run_in_terminal(*args, columns=80, lines=50, env=None, timeout=60):
    """(exit code, everything written) of `nncli ARGS` run under a pseudo-terminal of that
    size, as a person at a terminal would run it: stdin, stdout and stderr all on it.
    `env` adds to the environment; a None value takes that variable out."""
    import pty

    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns), "LINES": str(lines), "TERM": "xterm-256color", **(env or {})}
    env = {name: value for name, value in env.items() if value is not None}
    command = [sys.executable, "-m", "nncli", *map(str, args)]
    process = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=follower, env=env, close_fds=True)
    os.close(follower)
    output = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command has ended
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=timeout)
    os.close(leader)
    return process.returncode, output.decode("utf-8", "replace")


class TerminalFile(io.StringIO):
    """A file that says it is a terminal, as a console's stream on one does: the live
    panel animates only there (FORCE_COLOR alone colours a pipe but never animates it)."""

    def isatty(self):
        return True


def browser():
    """Headless Chromium's path, or None: the page tests skip without it."""
    import shutil

    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def probe_in_browser(page, probe, tmp_path, size=(1280, 720)):
    """What the script `probe` (put first in <head> of a copy of `page`) wrote into
    <output id="probe"> as JSON, the page opened in headless Chromium at `size`, offline."""
    import html
    import re

    probed = tmp_path / f"probed-{size[0]}.html"
    probed.write_text(page.read_text().replace("<head>", "<head>" + probe, 1))
    dom = dom_in_browser(probed.as_uri(), tmp_path, size)
    found = re.search(r'<output id="probe">(.*?)</output>', dom, re.S)
    assert found, dom[-500:]
    return json.loads(html.unescape(found.group(1)))


def dom_in_browser(address, tmp_path, size=(1280, 720)):
    """The document at `address` as headless Chromium leaves it once its scripts have run."""
    import shutil
    import tempfile

    profile = tempfile.mkdtemp()
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
        f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}", "--virtual-time-budget=2000", "--dump-dom",
    ]  # fmt: skip
    try:
        return subprocess.run(
            [browser(), *flags, address],
            capture_output=True,
            text=True,
            timeout=90,
            env={"HOME": str(tmp_path)},
        ).stdout
    finally:
        shutil.rmtree(profile, ignore_errors=True)
