"""Showing a lesson: on a terminal one screen at a time (space or → next, ← back, q quit),
or all its screens one after another, for a page to read or hand out.

Screens are computed when first shown (training happens then) and kept, so going back
is instant and an interactive screen keeps the state its keys gave it.
"""

import time

from rich.console import Group
from rich.rule import Rule
from rich.text import Text

from nncli.errors import NncliError

FRAMES_PER_SECOND = 8
NEXT, BACK, QUIT = ("space", "right", "enter", "n"), ("left", "backspace", "p"), ("q", "Q", "eof")


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


def footer(screen, index, count):
    keys = list(dict.fromkeys(what for what, _ in screen.keys.values()))  # keys sharing a line: once
    moves = ["space/→ next" if index + 1 < count else "space finish", "← back", "q quit"]
    return Text("  ·  ".join(keys + moves), style="dim")


def print_lesson(lesson, settings, console, on_screen=lambda index, screen: None):
    """Every screen of `lesson` on `console`, without waiting: the final pictures only."""
    functions = lesson.screens()
    for index, function in enumerate(functions):
        screen = function(settings)
        on_screen(index, screen)
        console.print(heading(lesson, index, len(functions), screen))
        console.print(body(screen))
        console.print()


def play(lesson, settings, console, keys):
    """The lesson on a terminal, driven by `keys` (LessonKeys). True if the user reached
    its last screen and went on (finished it); False if they quit before."""
    from rich.live import Live

    functions = lesson.screens()
    count = len(functions)
    shown = {}  # index → its Screen, as its keys last left it
    index = 0
    with Live(console=console, screen=True, auto_refresh=False) as live:

        def draw(screen, picture=None):
            page = Group(heading(lesson, index, count, screen), body(screen, picture), footer(screen, index, count))
            check_size(lesson, console, len(console.render_lines(page, console.options, pad=False)))
            live.update(page)
            live.refresh()

        while True:
            key = None
            if index not in shown:
                placeholder = lesson_placeholder(lesson, index, count)
                live.update(placeholder, refresh=True)
                shown[index] = functions[index](settings)
                key = animate(shown[index], draw, keys)
            screen = shown[index]
            if key is None:
                draw(screen)
                key = keys.read()
            if key in QUIT:
                return False
            if key in screen.keys:
                shown[index] = screen.keys[key][1]()
            elif key in NEXT:
                if index + 1 == count:
                    return True
                index += 1
            elif key in BACK:
                index = max(0, index - 1)


def check_size(lesson, console, lines=None):
    """TerminalTooSmall unless the console has the columns the lesson asks for and the lines
    it asks for (or, measured, the `lines` a screen takes here: without colour, pictures
    drawn in glyphs take twice the lines)."""
    columns, wanted = lesson.size
    wanted = max(wanted, lines or 0)
    if console.width < columns or console.height < wanted:
        raise TerminalTooSmall(
            f"lesson {lesson.number} needs a terminal of at least {columns} columns × {wanted} lines; this one is "
            f"{console.width} × {console.height}.\nEnlarge the window, or print it: nncli learn {lesson.number} "
            "--no-pause"
        )


class TerminalTooSmall(NncliError):
    """The lesson's pictures would not fit: better said than drawn as garbage (exit 1)."""


def animate(screen, draw, keys):
    """Play the screen's frames; a key pressed meanwhile stops them and is returned."""
    if screen.frames is None:
        return None
    for frame in screen.frames:
        started = time.perf_counter()
        draw(screen, frame)
        key = keys.read(max(0.0, 1 / FRAMES_PER_SECOND - (time.perf_counter() - started)))
        if key is not None:
            return key
    return None


def lesson_placeholder(lesson, index, count):
    title = Text.assemble(
        (f"Lesson {lesson.number} · {lesson.title}", "bold"), ("  ·  ", "dim"), f"{index + 1}/{count}"
    )
    return Group(Rule(title, align="left"), Text("\nworking out the numbers…", style="dim"))
