"""Every lesson on a terminal: under pseudo-terminals of 80 × 24, 100 × 30 and 120 × 40,
read with pyte, every screen is reached with the keys, fits, and scrolls to its last line
where it is taller than the terminal; smaller terminals get one line with the size needed."""

import os
import re
import subprocess
import sys
import time

import pytest

from nncli.lessons import all_lessons, progress


class Terminal:
    """`nncli ARGS` running on a pseudo-terminal of the given size, read through pyte."""

    def __init__(self, args, columns=100, lines=40, env=None):
        import fcntl
        import pty
        import struct
        import termios

        import pyte

        self.leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        variables = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(lines)}
        variables.pop("NO_COLOR", None)
        variables.update(env or {})
        variables = {name: value for name, value in variables.items() if value is not None}  # None: taken out
        self.process = subprocess.Popen(
            [sys.executable, "-m", "nncli", *args], stdin=follower, stdout=follower, stderr=follower, env=variables
        )
        os.close(follower)
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        self.read(first=30)

    def read(self, first=10.0, quiet=0.15):
        """Take in output: wait up to `first` seconds for some, then until none comes for `quiet`."""
        import select

        timeout = first
        while select.select([self.leader], [], [], timeout)[0]:
            try:
                chunk = os.read(self.leader, 65536)
            except OSError:  # the program ended and closed the terminal
                return
            if not chunk:
                return
            self.stream.feed(chunk)
            timeout = quiet

    def resize(self, columns, lines):
        """Make the terminal `columns` × `lines`, as a window resized by its user."""
        import fcntl
        import signal
        import struct
        import termios

        fcntl.ioctl(self.leader, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self.screen.resize(lines, columns)
        self.process.send_signal(signal.SIGWINCH)  # what the terminal's own process group gets

    def wait_for(self, pattern, timeout=60):
        """Take in output until `pattern` (a regular expression) is on the screen, or
        `timeout` seconds have passed (a hang guard, not a time limit); the screen as text."""
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.text()) and time.monotonic() < deadline:
            self.read(first=0.5, quiet=0.01)  # a moving picture never goes quiet: look after each burst
        return self.text()

    def press(self, *keys):
        """Type each key, waiting for the screen to answer it; the screen as text."""
        for key in keys:
            os.write(self.leader, key)
            self.read()
        return self.text()

    def text(self):
        return "\n".join(self.screen.display)

    def close(self):
        """The exit code, once the program has ended."""
        try:
            code = self.process.wait(timeout=30)
        finally:
            os.close(self.leader)
        return code


UP, DOWN, RIGHT, LEFT = b"\x1b[A", b"\x1b[B", b"\x1b[C", b"\x1b[D"


HOME, END, PAGE_DOWN, SPACE = b"\x1b[H", b"\x1b[F", b"\x1b[6~", b" "


def walk(number, columns, lines):
    """Go through lesson `number` on a terminal of that size with the keys, as a reader
    would: on each screen, page down to its last line, then space to the next. Returns
    each screen's pages as they were shown; the lesson must end, finished, with exit 0."""
    count = len(all_lessons()[number - 1].screens())
    terminal = Terminal(["learn", str(number), "--quick"], columns=columns, lines=lines)
    screens = []
    for index in range(1, count + 1):
        terminal.wait_for(rf"·  {index}/{count} [^─ ]")  # its title: worked out, not the placeholder
        pages = [terminal.press(HOME)]  # Home also stops a moving picture on its last frame
        while (where := re.search(r"lines \d+–(\d+) of (\d+)", pages[-1])) and where[1] != where[2]:
            pages.append(terminal.press(PAGE_DOWN))
            assert len(pages) < 20, f"lesson {number}, screen {index}: paging does not reach the end"
        screens.append(pages)
        terminal.press(SPACE)
    assert terminal.close() == 0
    assert number in progress.load(len(all_lessons()), pytest.fail)  # went on from its last screen: finished
    return screens


def check_fits(number, screens, columns, lines):
    """Each page shows the heading on its first line and the keys on its bottom ones; a
    screen that scrolls says which of its lines are in view, and its pages, from the
    first to the last, show every one of its lines."""
    count = len(screens)
    for index, pages in enumerate(screens, start=1):
        where = f"lesson {number} at {columns} × {lines}, screen {index}"
        in_view = set()
        for page in pages:
            rows = page.splitlines()
            assert len(rows) == lines
            assert rows[0].startswith(f"Lesson {number} · ") and f"·  {index}/{count} " in rows[0], where
            footer = rows[-2] + rows[-1]
            assert "q quit" in footer and ("next" in footer or "finish" in footer), where
            if len(pages) > 1:
                first, last, total = map(int, re.search(r"lines (\d+)–(\d+) of (\d+)", page).groups())
                assert "PgUp PgDn scroll" in page, where
                in_view |= set(range(first, last + 1))
        if len(pages) > 1:
            assert in_view == set(range(1, total + 1)), where


@pytest.mark.parametrize("number", range(1, len(all_lessons()) + 1))
def test_every_screen_of_every_lesson_is_reached_and_read_at_80_by_24(number, model_home):
    pytest.importorskip("pyte")
    check_fits(number, walk(number, 80, 24), 80, 24)


@pytest.mark.parametrize(
    "number, columns, lines", [(1, 100, 30), (2, 100, 30), (1, 120, 40), (2, 120, 40), (9, 120, 40)], ids=str
)
def test_lessons_on_larger_terminals(number, columns, lines, model_home):
    """Lessons 1 and 2 at every size (keys of their own, charts that grow, moving
    pictures), and lesson 9 (the tallest pictures, once refused even at 120 × 40)."""
    pytest.importorskip("pyte")
    check_fits(number, walk(number, columns, lines), columns, lines)


def test_a_resized_terminal_is_laid_out_again(model_home):
    """Shrunk from 120 × 40 to 80 × 24 mid-lesson, the screen is laid out for the new size
    (it now scrolls); shrunk below 80 × 24, one line says the size needed; grown back, the
    lesson goes on where it was."""
    pytest.importorskip("pyte")
    terminal = Terminal(["learn", "1", "--quick"], columns=120, lines=40, env={"COLUMNS": None, "LINES": None})
    shown = terminal.wait_for(r"1/5 σ")
    assert "lines 1–" not in shown  # all of it fits 120 × 40
    terminal.resize(80, 24)
    rows = terminal.wait_for(r"lines 1–\d+ of").splitlines()
    assert rows[0].startswith("Lesson 1 · ") and "q quit" in rows[-2] + rows[-1]
    terminal.resize(60, 20)
    wrapped = " ".join(terminal.wait_for("60 × ").split())  # the line, as the narrow terminal wrapped it
    assert "needs a terminal of at least 80 × 24; this one is 60 × 20" in wrapped
    terminal.resize(100, 30)
    assert "1/5 σ(w·x + b)" in terminal.wait_for(r"1/5 σ").splitlines()[0]
    terminal.press(b"q")
    assert terminal.close() == 0
