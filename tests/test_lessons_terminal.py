"""Every lesson on a terminal: under pseudo-terminals of 80 × 24, 100 × 30 and 120 × 40,
read with pyte, every screen is reached with the keys, fits, and scrolls to its last line
where it is taller than the terminal; smaller terminals get one line with the size needed."""

import re

import pytest
from conftest import Terminal, frames_whole

from nncli.lessons import all_lessons, progress

UP, DOWN, RIGHT, LEFT = b"\x1b[A", b"\x1b[B", b"\x1b[C", b"\x1b[D"


HOME, END, PAGE_DOWN, SPACE = b"\x1b[H", b"\x1b[F", b"\x1b[6~", b" "

pytestmark = pytest.mark.slow  # every test drives a real terminal for seconds


def walk(number, columns, lines):
    """Go through lesson `number` on a terminal of that size with the keys, as a reader
    would: on each screen, page down to its last line, then space to the next. Returns
    each screen's pages as they were shown; the lesson must end, finished, with exit 0.

    A moving picture stops at any key, on its last frame; but a frame drawn before the key
    was read may still follow it. So from the second screen on, ← and → go back and forth:
    once the previous screen's title has come, this screen drawn again is still. The
    first screen has no screen before it: there Home stops it, and only a quiet spell
    longer than a frame's interval says no frame is still to come."""
    count = len(all_lessons()[number - 1].screens())
    terminal = Terminal("learn", number, "--quick", columns=columns, lines=lines)
    screens = []
    for index in range(1, count + 1):
        title = rf"·  {index}/{count} [^─ ]"  # its title: worked out, not the placeholder
        terminal.wait_for(title)
        if index == 1:
            terminal.press(HOME)
            pages = [terminal.still()]
        else:
            terminal.send(LEFT)
            terminal.wait_for(rf"·  {index - 1}/{count} [^─ ]")
            terminal.send(RIGHT)
            pages = [terminal.wait_for(title)]
        while (where := re.search(r"lines \d+–(\d+) of (\d+)", pages[-1])) and where[1] != where[2]:
            pages.append(terminal.press(PAGE_DOWN))
            assert len(pages) < 20, f"lesson {number}, screen {index}: paging does not reach the end"
        screens.append(pages)
        terminal.send(SPACE)  # on to the next screen, or, from the last, to the end
    assert terminal.finish() == 0
    assert frames_whole(terminal.raw) >= sum(map(len, screens))  # each page shown was one synchronized update
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
    terminal = Terminal("learn", 1, "--quick", columns=120, lines=40)
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
    terminal.send(b"q")
    assert terminal.finish() == 0
