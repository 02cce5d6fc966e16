"""The Playground's screen (`nncli play`): the plane as large as the terminal allows, and
beside it every setting with the key that changes it, the losses and what just happened.

`layout(width, height)` says how big the plane's cell is; `screen(...)` draws a frame
from numbers already computed (the plane's view, the session's status) and marks the
keyboard's cursor. The plane's place on the screen is `render.plane.plane_area` of the
same cell: the screen puts the cell at the top left corner, so its lines and columns are
the terminal's.
"""

from dataclasses import dataclass

from rich.console import Group
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from nncli.render import draw
from nncli.render.plane import INPUT_SYMBOLS

SIDE = 40  # columns of the settings beside the plane
GAP = 2
SMALLEST = (72, 22)  # columns, lines: the plane at 12 lines and every setting beside it
CURSOR = Style(reverse=True, bold=True)


@dataclass(frozen=True)
class Layout:
    """The plane's cell (its columns and lines, from the top left corner) on a terminal;
    `fits` False where the terminal is smaller than SMALLEST."""

    plane_columns: int
    plane_lines: int
    fits: bool


def layout(width, height):
    fits = width >= SMALLEST[0] and height >= SMALLEST[1]
    return Layout(max(width - SIDE - GAP, 1), height, fits)


def too_small(task, width, height):
    """The one line a terminal too small for the Playground gets."""
    columns, lines = SMALLEST
    return Text(f"nncli play {task} needs a terminal of at least {columns} × {lines}; this one is {width} × {height}")


def settings_table(status, mouse, losses):
    """Every setting beside the key that changes it, the losses, and the ways to add points."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold cyan", no_wrap=True)
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    features = " ".join(INPUT_SYMBOLS.get(name, name) for name in status["features"])
    hidden = status["hidden"]
    rows = [
        ("l L", "learning rate", f"{status['lr']:g}"),
        ("a", "activation", status["activation"]),
        ("h H", "hidden layers", f"{len(hidden)}"),
        ("w W", "neurons each", f"{hidden[0]}" if hidden else "— (no hidden layer)"),
        ("f", "features", features),
        ("e E", "noise", f"{status['noise']:g}"),
        ("t T", "held out", f"{status['test_fraction']:.0%}"),
        ("g", "new data", f"seed {status['seed']}"),
        ("r", "fresh weights", ""),
        ("c", "clear added", f"{status['added']:,} added"),
    ]
    for row in rows:
        grid.add_row(*row)
    classes = status["classes"]
    pens = "0 1" if classes == 2 else f"0–{classes - 1}"
    grid.add_row(pens, "pen class", str(status["pen"]))
    train, test = losses
    state = Text("paused", style="bold yellow") if status["paused"] else Text("running", style="green")
    head = Text.assemble((f"nncli play {status['task']}", "bold"), "  ", state)
    numbers = Text(f"epoch {status['epoch']:,} · {status['points']:,} points\nloss {train:.4f} train · {test:.4f} test")
    right = (status["pen"] + 1) % classes
    adding = [
        f"mouse: left click adds class {status['pen']}, right click class {right}"
        if mouse
        else "keys only (no mouse here):",
        "← ↑ → ↓ move the cursor, enter adds",
        "␣ pause · n step · s save · q quit",
    ]
    return Group(head, numbers, Text(""), grid, Text(""), Text("\n".join(adding), style="dim"))


def screen(console, task, numbers, status, losses, message, mouse, cursor=None):
    """The frame: the plane's view `numbers` drawn into its cell at the top left, the
    settings beside it, `message` under them; `cursor` (column, line) marked, if given."""
    width, height = console.size
    cells = layout(width, height)
    if not cells.fits:
        return too_small(task, width, height)
    plane = console.render_lines(
        draw(numbers, cells.plane_columns, height=cells.plane_lines),
        console.options.update(width=cells.plane_columns),
        pad=False,
    )
    side = Group(settings_table({**status, "task": task}, mouse, losses), Text(""), Text(message, style="yellow"))
    side = console.render_lines(side, console.options.update(width=SIDE), pad=False)
    if cursor is not None and 0 <= cursor[1] < len(plane):
        plane[cursor[1]] = marked(plane[cursor[1]], cursor[0])
    return Lines(plane, side, cells.plane_columns, height)


def marked(line, column):
    """The line of segments with the cell at `column` drawn as the cursor."""
    length = Segment.get_line_length(line)
    if column >= length:
        return line
    before, cell, after = list(Segment.divide(line, [column, column + 1, length]))
    text = "".join(segment.text for segment in cell) or " "
    return [*before, Segment("+" if text.strip() in ("", "▀") else text, CURSOR), *after]


class Lines:
    """The plane's lines and the side's, side by side, at most `height` lines."""

    def __init__(self, plane, side, plane_columns, height):
        self.plane, self.side, self.plane_columns, self.height = plane, side, plane_columns, height

    def __rich_console__(self, console, options):
        gap = Segment(" " * GAP)
        for index in range(min(max(len(self.plane), len(self.side)), self.height)):
            left = self.plane[index] if index < len(self.plane) else []
            yield from Segment.adjust_line_length(left, self.plane_columns)
            yield gap
            yield from self.side[index] if index < len(self.side) else []
            if index + 1 < self.height:
                yield Segment.line()
