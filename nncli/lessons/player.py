"""Showing a lesson: on a terminal one screen at a time (space or → next, ← back, q quit),
or all its screens one after another, for a page to read or hand out.

Screens are computed when first shown (training happens then), with pictures sized for
the terminal, and kept, so going back is instant and an interactive screen keeps the
state its keys gave it. A screen taller than the terminal scrolls (↑ ↓, PgUp PgDn, Home
End); the footer then says which lines are in view.
"""

import dataclasses
import time

from rich.cells import cell_len
from rich.console import Group
from rich.rule import Rule
from rich.segment import Segment
from rich.text import Text

from nncli.errors import NncliError

FRAMES_PER_SECOND = 8
MINIMUM = (80, 24)  # columns, lines: every screen of every lesson is readable on this
NEXT, BACK, QUIT = ("space", "right", "enter", "n"), ("left", "backspace", "p"), ("q", "Q", "eof")
SCROLL = ("down", "up", "pagedown", "pageup", "home", "end")
SEPARATOR = "  ·  "


def lesson_list(lessons, finished):
    """What `nncli learn` lists: each lesson, the command that runs it, its summary, a ✓ if
    it is in `finished` (lesson numbers), and the one to do next."""
    lines = [Text(f"Lessons — {len(finished & {x.number for x in lessons})} of {len(lessons)} finished\n", "bold")]
    for lesson in lessons:
        mark = "✓ " if lesson.number in finished else "  "
        command = f"   nncli learn {lesson.name}"
        lines.append(Text.assemble((mark, "green"), (f"{lesson.number}  {lesson.title}", "bold"), (command, "dim")))
        lines.append(Text(f"     {lesson.summary}", style="dim"))
    todo = [lesson.number for lesson in lessons if lesson.number not in finished]
    lines.append(Text(f"\nNext: nncli learn {todo[0]}   (or nncli learn --next)" if todo else "\nAll finished."))
    return Group(*lines)


def heading(lesson, index, count, screen):
    return Rule(
        Text.assemble(
            (f"Lesson {lesson.number} · {lesson.title}", "bold"),
            ("  ·  ", "dim"),
            (f"{index + 1}/{count} {screen.title}", "bold cyan"),
        ),
        align="left",
    )


def body(screen, picture=None):
    """The screen's text and its pictures (or, while it moves, the current frame)."""
    parts = [Text(""), Text(screen.text), Text("")]
    parts += [picture] if picture is not None else screen.pictures
    return Group(*parts)


def footer_keys(screen, index, count):
    """The keys the screen takes, as the footer lists them: its own, then the moves."""
    keys = list(dict.fromkeys(what for what, _ in screen.keys.values()))  # keys sharing a line: once
    return keys + ["space/→ next" if index + 1 < count else "space finish", "← back", "q quit"]


def footer(keys, width):
    return Text("\n".join(wrap(keys, width)), style="dim")


def wrap(items, width):
    """`items` joined into lines at most `width` cells wide, never breaking one."""
    lines = []
    for item in items:
        if lines and cell_len(lines[-1] + SEPARATOR + item) <= width:
            lines[-1] += SEPARATOR + item
        else:
            lines.append(item)
    return lines


def print_lesson(lesson, settings, console, on_screen=lambda index, screen: None):
    """Every screen of `lesson` on `console`, without waiting: the final pictures only."""
    settings = dataclasses.replace(settings, width=console.width)
    functions = lesson.screens()
    for index, function in enumerate(functions):
        screen = function(settings)
        on_screen(index, screen)
        console.print(heading(lesson, index, len(functions), screen))
        console.print(body(screen))
        console.print()


def play(lesson, settings, console, keys):
    """The lesson on a terminal, driven by `keys` (LessonKeys). True if the user reached
    its last screen and went on (finished it); False if they quit before.

    Each screen is worked out for the terminal's size when first shown; a resized terminal
    gets its screens worked out again, for the new size."""
    from nncli.render.synchronized import SynchronizedLive

    functions = lesson.screens()
    count = len(functions)
    shown = {}  # index → its Screen, as its keys last left it
    tops = {}  # index → the first of its lines in view
    index = 0
    with SynchronizedLive(console=console, screen=True, auto_refresh=False) as live:

        def draw(screen, picture=None):
            page, tops[index] = layout(console, lesson, index, count, screen, picture, tops.get(index, 0))
            live.update(page)
            live.refresh()

        while True:
            key = None
            if index not in shown:
                live.update(lesson_placeholder(lesson, index, count), refresh=True)
                sized = dataclasses.replace(settings, width=console.width, height=console.height)
                shown[index] = functions[index](sized)
                key = animate(shown[index], draw, keys)
            screen = shown[index]
            if key is None:
                draw(screen)
                key = wait_for_key(keys)
            if key in QUIT:
                return False
            if key == "resize":
                shown.clear()  # pictures drawn for the old size: work them out again when shown
            elif key in screen.keys:
                shown[index] = screen.keys[key][1]()
            elif key in scroll_keys(screen):
                tops[index] = scrolled(tops.get(index, 0), key, console.height)
            elif key in NEXT:
                if index + 1 == count:
                    return True
                index += 1
            elif key in BACK:
                index = max(0, index - 1)


def scroll_keys(screen):
    """The keys that scroll `screen`: all of SCROLL but those the screen takes itself."""
    return [key for key in SCROLL if key not in screen.keys]


def scrolled(top, key, lines):
    """The first line in view after `key`, on a terminal of `lines`: ↑ ↓ move one line,
    PgUp PgDn a page (keeping one line of the last in view), Home End to either end;
    `layout` keeps it within the screen."""
    page = max(1, lines - 4)
    return top + {"down": 1, "up": -1, "pagedown": page, "pageup": -page, "home": -(10**9), "end": 10**9}[key]


def layout(console, lesson, index, count, screen, picture, top):
    """(the page to show on `console`, the first line in view): the heading, as many lines
    of the screen's body as fit from line `top` on, and the footer with the keys — and,
    if the body does not all fit, the scroll keys and which lines are in view. A terminal
    smaller than MINIMUM gets one line saying the size it needs."""
    width, height = console.size
    if width < MINIMUM[0] or height < MINIMUM[1]:
        return Text(too_small(lesson, width, height)), top
    lines = console.render_lines(body(screen, picture), console.options.update_width(width), pad=False)
    keys = footer_keys(screen, index, count)
    room = height - 1 - len(wrap(keys, width))
    if len(lines) <= room:  # all of it, and the keys on the bottom line(s), where they always are
        blank = [[] for _ in range(room - len(lines))]
        return Group(heading(lesson, index, count, screen), Lines(lines + blank), footer(keys, width)), 0
    scroll = "PgUp PgDn scroll" if "up" in screen.keys else "↑ ↓ PgUp PgDn scroll"
    widest = f"lines {len(lines)}–{len(lines)} of {len(lines)}"
    room = height - 1 - len(wrap([widest, scroll, *keys], width))
    top = max(0, min(top, len(lines) - room))
    where = f"lines {top + 1}–{top + room} of {len(lines)}"
    page = Group(
        heading(lesson, index, count, screen), Lines(lines[top : top + room]), footer([where, scroll, *keys], width)
    )
    return page, top


class Lines:
    """Lines already rendered (lists of Rich segments), drawn as they are."""

    def __init__(self, lines):
        self.lines = lines

    def __rich_console__(self, console, options):
        for line in self.lines:
            yield from line
            yield Segment.line()


def too_small(lesson, width, height):
    columns, lines = MINIMUM
    return (
        f"nncli learn needs a terminal of at least {columns} × {lines}; this one is {width} × {height} "
        f"(or print the lesson: nncli learn {lesson.number} --no-pause)"
    )


def check_size(lesson, console):
    """TerminalTooSmall unless the console has at least MINIMUM columns and lines."""
    if console.width < MINIMUM[0] or console.height < MINIMUM[1]:
        raise TerminalTooSmall(too_small(lesson, console.width, console.height))


class TerminalTooSmall(NncliError):
    """The lesson would not be readable: better said than drawn as garbage (exit 1)."""


class Resized(Exception):
    """The terminal changed size while a key was awaited."""


def wait_for_key(keys, timeout=None):
    """The next key's name (None if none came within `timeout` seconds), or "resize" if
    the terminal changes size first (SIGWINCH, where there is one, interrupts the wait)."""
    import signal

    if not hasattr(signal, "SIGWINCH"):
        return keys.read(timeout)

    def interrupt(signum, frame):
        raise Resized

    previous = signal.signal(signal.SIGWINCH, interrupt)
    try:
        return keys.read(timeout)
    except Resized:
        return "resize"
    finally:
        signal.signal(signal.SIGWINCH, previous)


def animate(screen, draw, keys):
    """Play the screen's frames; a key pressed meanwhile stops them and is returned (a
    resize only redraws: the next frame is laid out for the new size)."""
    if screen.frames is None:
        return None
    for frame in screen.frames:
        started = time.perf_counter()
        draw(screen, frame)
        key = wait_for_key(keys, max(0.0, 1 / FRAMES_PER_SECOND - (time.perf_counter() - started)))
        if key not in (None, "resize"):
            return key
    return None


def lesson_placeholder(lesson, index, count):
    title = Text.assemble(
        (f"Lesson {lesson.number} · {lesson.title}", "bold"), ("  ·  ", "dim"), f"{index + 1}/{count}"
    )
    return Group(Rule(title, align="left"), Text("\nworking out the numbers…", style="dim"))
