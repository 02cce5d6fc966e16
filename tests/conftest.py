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
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner


def load_numpy_with_one_blas_thread():
    """NumPy loaded in this process with one BLAS thread, as the command line gives the small
    networks the tests train: with one thread per core, two workers on two cores train
    several times slower (their threads wait on each other). The variables are put back at
    once, so every command a test starts sees the environment as it was."""
    from nncli.runtime.threads import VARIABLES

    assert "numpy" not in sys.modules, "NumPy is already loaded: its BLAS threads are chosen"
    saved = {name: os.environ.get(name) for name in VARIABLES}
    os.environ.update(dict.fromkeys(VARIABLES, "1"))
    import numpy  # noqa: F401  (its BLAS reads the variables as it loads)

    for name, value in saved.items():
        if value is None:
            del os.environ[name]
        else:
            os.environ[name] = value


load_numpy_with_one_blas_thread()

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


def pytest_collection_modifyitems(items):
    """The slow tests first: started while the other worker runs the quick ones, the
    longest no longer comes last and keeps one worker busy alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_xdist_auto_num_workers(config):
    """How many workers `-n auto` (the suite's default) starts: one per core the suite may
    use, and one more. Part of the suite waits rather than computes — on a command drawing
    under a pseudo-terminal, a browser loading a page, a served run's stream — and the extra
    worker computes meanwhile (on 2 cores: 133–140 s instead of 141 s, docs/developing.md)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores + 1


@pytest.fixture
def tmp_path(request, tmp_path_factory):
    """A new empty folder for one test, under the worker's own temporary folder, as pytest's
    `tmp_path` is. pytest's own numbers each folder by listing every folder made so far, so
    with a folder for every test (see `model_home`) each costs more than the last: 3 % of the
    whole suite's CPU. `mkdtemp` makes a unique name in constant time."""
    name = re.sub(r"\W", "_", request.node.name)[:30]
    return Path(tempfile.mkdtemp(prefix=name, dir=tmp_path_factory.getbasetemp()))


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


@pytest.fixture(scope="session")
def trained_digits(tmp_path_factory):
    """A digits model trained once for the whole session (3 epochs), outside every store:
    tests read it and never change it."""
    path = tmp_path_factory.mktemp("shared") / "digits.npz"
    result = run("train", "digits", "--epochs", "3", "-q", "--save", path)
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


STARTED = []  # every program a Terminal started: a failing test leaves none running


@pytest.fixture(autouse=True)
def no_program_left_running():
    yield
    while STARTED:
        process = STARTED.pop()
        if process.poll() is None:
            process.kill()
            process.wait()


class Terminal:
    """`nncli ARGS` on a pseudo-terminal of columns × lines (its size set on the terminal
    itself, as a window's is: no COLUMNS or LINES in the environment), read through pyte,
    and driven by keys and xterm's mouse reports. `env` adds to the environment (a None
    value takes a variable out); `stdout`: where stdout goes instead of the terminal (a
    pipe, for --json).

    nncli sends each full-screen frame as one synchronized update (nncli.render.synchronized):
    as a terminal that knows them does, the screen is looked at only between frames, and
    `frames` counts the frames drawn, so a key's answer is awaited as the next frame rather
    than guessed from a quiet spell. Every wait has a generous timeout: a hang guard, not a
    time limit."""

    def __init__(self, *args, columns=100, lines=30, env=None, stdout=None):
        import fcntl
        import pty
        import struct
        import termios

        import pyte

        from nncli.render.synchronized import BEGIN, END

        self.leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        variables = {**os.environ, "TERM": "xterm-256color", "COLUMNS": None, "LINES": None, "NO_COLOR": None}
        variables.update(env or {})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "nncli", *map(str, args)],
            stdin=follower,
            stdout=follower if stdout is None else stdout,
            stderr=follower,
            env={name: value for name, value in variables.items() if value is not None},
        )
        os.close(follower)
        STARTED.append(self.process)
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        self.begin, self.end = BEGIN.encode(), END.encode()
        self.frames = 0  # frames drawn whole: their END taken in
        self.drawing = False  # a frame begun and not yet ended: the screen is half old, half new
        self.shown = None  # the screen as text, kept until more output comes (pyte draws it cell by cell)

    def read(self, seconds=0.2):
        """Take in output for up to `seconds` (less if the program ends)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0 and self._ready(left):
            if not self._take():
                return

    def _ready(self, seconds):
        import select

        return bool(select.select([self.leader], [], [], seconds)[0])

    def _take(self):
        """Feed one chunk of output to the screen, counting the frames it ends; False once
        the program has closed the terminal."""
        try:
            chunk = os.read(self.leader, 65536)
        except OSError:  # the program ended and closed the terminal
            return False
        fresh = len(self.raw) - len(self.end) + 1  # a mark may straddle two chunks
        self.raw += chunk
        self.stream.feed(chunk)
        self.shown = None
        seen = bytes(self.raw[max(0, fresh) :])
        self.frames += seen.count(self.end)
        began, ended = seen.rfind(self.begin), seen.rfind(self.end)
        if began != ended:  # (both -1: no mark in this chunk, nothing changes)
            self.drawing = began > ended
        return bool(chunk)

    def _until(self, done, failure, timeout):
        """Take in output until `done()` holds between frames; fail with `failure()` if
        the program ends or `timeout` seconds pass first (a hang guard)."""
        deadline = time.monotonic() + timeout
        while self.drawing or not done():
            left = deadline - time.monotonic()
            assert left > 0 and self._ready(left) and self._take(), failure()

    def text(self):
        if self.shown is None:
            self.shown = "\n".join(self.screen.display)
        return self.shown

    def wait_for(self, pattern, timeout=60):
        """The screen, once `pattern` (a regular expression) is on it."""
        self._until(
            lambda: re.search(pattern, self.text()), lambda: f"never showed {pattern!r}:\n{self.text()}", timeout
        )
        return self.text()

    def next_frame(self, timeout=60):
        """The screen once the next whole frame has been drawn."""
        frames = self.frames
        self._until(lambda: self.frames > frames, lambda: f"no new frame:\n{self.text()}", timeout)
        return self.text()

    def still(self, quiet=0.2):
        """The screen once nothing more comes for `quiet` seconds: for a moving picture,
        whose frames come unasked (a lesson's at 8 a second) until a key stops them."""
        while self._ready(quiet) and self._take():
            pass
        return self.text()

    def send(self, *keys):
        """Type `keys`, a little at a time, taking in the screen meanwhile: a terminal's input
        and output both fill up, and a program blocked writing its screen reads no keys."""
        import select

        for key in keys:
            while key:
                readable, writable, _ = select.select([self.leader], [self.leader], [], 60)
                assert readable or writable, f"the program takes neither keys nor output:\n{self.text()}"
                if readable:
                    assert self._take(), f"the program ended with keys still to type:\n{self.text()}"
                if writable:
                    key = key[os.write(self.leader, key[:512]) :]

    def press(self, *keys):
        """Type each key and wait for the frame that answers it; the screen as text. (On a
        still screen the next frame is the answer: see `still` for a moving one.)"""
        for key in keys:
            os.write(self.leader, key)  # (no output is taken in before `next_frame` counts)
            self.next_frame()
        return self.text()

    def click(self, column, line, button=0, release=True):
        """A press (and release) of `button` (0 left, 2 right, 64 the wheel) on the cell
        (column, line), counted from 0, as an xterm reports it in SGR form."""
        self.send(f"\x1b[<{button};{column + 1};{line + 1}M".encode())
        if release:
            self.send(f"\x1b[<{button};{column + 1};{line + 1}m".encode())

    def resize(self, columns, lines):
        """Make the terminal `columns` × `lines`, as a window resized by its user."""
        import fcntl
        import signal
        import struct
        import termios

        fcntl.ioctl(self.leader, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self.screen.resize(lines, columns)
        self.shown = None
        self.process.send_signal(signal.SIGWINCH)  # what the terminal's own process group gets

    def finish(self, timeout=60):
        """The exit code, once the program has ended (all its output taken in: it ends by
        closing the terminal)."""
        deadline = time.monotonic() + timeout
        try:
            while (left := deadline - time.monotonic()) > 0 and self._ready(left) and self._take():
                pass  # reading all the while: a full terminal would block it
            assert time.monotonic() < deadline, f"still running:\n{self.text()}"
            code = self.process.wait(timeout=timeout)
        finally:
            os.close(self.leader)
        assert b"Traceback" not in self.raw
        return code


def frames_whole(output):
    """The number of frames in `output`, each sent as one synchronized update (DEC mode 2026,
    nncli.render.synchronized): marks that open and close in turn, never nested or left open."""
    if isinstance(output, str):
        output = output.encode()
    marks = re.findall(rb"\x1b\[\?2026([hl])", output)
    assert marks and marks == [b"h", b"l"] * (len(marks) // 2), marks[:20]
    return len(marks) // 2


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


# --- deep graphs -----------------------------------------------------------------------------

# Nodes in the deep chains that show a graph is walked and freed without recursion: a recursive
# walk would need 20 times Python's default recursion limit (1,000), and in SMALL_STACK the chain
# has 3 bytes of C stack a node, less than a million nodes get on the main thread's 8 MiB.
DEEP_CHAIN = 20_000
SMALL_STACK = 64 * 1024


def in_a_small_stack(work):
    """What `work()` returns, run in a thread whose stack is SMALL_STACK bytes: anything that
    recurses in C once per node of a deep graph (walking it, or freeing it as `work` returns)
    overflows it and ends the test process."""
    import threading

    results, errors = [], []

    def run():
        try:
            results.append(work())
        except Exception as error:  # raised again below, in the test's own thread
            errors.append(error)

    threading.stack_size(SMALL_STACK)
    try:
        thread = threading.Thread(target=run)
        thread.start()
    finally:
        threading.stack_size(0)  # threads started later get the usual stack
    thread.join()
    if errors:
        raise errors[0]
    return results[0]


# --- PyTorch and ONNX: one worker runs them -----------------------------------------------------

# Importing PyTorch costs a process 2 s of CPU, its first optimizer 2 s more (PyTorch then imports
# its compiler), ONNX 1 s. So every test that runs them is in one xdist group, and modules that
# name PyTorch at their top import it on first use: the worker that runs the group pays, once,
# and the other, which collects the same modules, never does.
ON_TORCH_WORKER = pytest.mark.xdist_group("torch")


class ImportedOnFirstUse:
    """Stands for module `name`, imported when one of its names is first used (`torch.tensor`).
    Python's own questions about the object itself, its __dunder__ names (pytest asks them of
    every global as it collects a module), import nothing."""

    def __init__(self, name):
        self._module_name = name

    def __getattr__(self, attribute):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        import importlib

        return getattr(importlib.import_module(self._module_name), attribute)


def imported_on_first_use(name):
    """Module `name` as an ImportedOnFirstUse, or None if it is not installed."""
    import importlib.util

    return ImportedOnFirstUse(name) if importlib.util.find_spec(name) else None


NEEDS_TORCH = [
    ON_TORCH_WORKER,
    pytest.mark.skipif(imported_on_first_use("torch") is None, reason="PyTorch is not installed"),
]


def needs_torch(test):
    """A check against PyTorch: NEEDS_TORCH's marks on one test (a module of them sets
    `pytestmark = NEEDS_TORCH`)."""
    for mark in NEEDS_TORCH:
        test = mark(test)
    return test


@pytest.fixture(autouse=True)
def torch_on_one_thread(request):
    """PyTorch on one thread, set before the first test of the group runs it: for the reason NumPy's
    BLAS is (see load_numpy_with_one_blas_thread), and worse, as PyTorch's threads spin while they
    wait: beside a busy core, a 20-step optimizer check took seconds of CPU instead of 30 ms."""
    if ON_TORCH_WORKER.args in (mark.args for mark in request.node.iter_markers("xdist_group")):
        if imported_on_first_use("torch") is not None:
            import torch

            torch.set_num_threads(1)
