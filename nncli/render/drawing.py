"""The screen of `nncli draw`: the canvas, in a frame, on the left; beside it the image the
network reads, how it was made, and the ten probabilities as bars, the answer's marked.

A canvas pixel is a column by half a line (▀ ▄ █), so pixels are about square. `Layout`
says where the canvas lies on the terminal, so the command can tell which pixel a mouse
report is over.
"""

from dataclasses import dataclass

from rich.console import Group
from rich.segment import Segment
from rich.text import Text

from nncli.render.heatmap import grayscale_image

PANEL = 30  # columns beside the canvas: the image read, the bars and the answer
MINIMUM = (60, 20)  # columns, lines: room for a 24-pixel canvas and the panel
KEYS = "mouse: left draws, right erases · ←↑↓→ move, space paints, x erases, c clears, q quits"
SHORT_KEYS = "mouse: left draws, right erases · ←↑↓→ space x c q"
BAR = 12  # columns of a probability's bar
CURSOR = "reverse"


@dataclass(frozen=True)
class Layout:
    """The canvas on a terminal of `columns` × `lines`: `width` × `height` pixels, its top
    left pixel at cell (`left`, `top`), counted from 0."""

    columns: int
    lines: int
    width: int
    height: int
    left: int = 1  # after the frame's left edge
    top: int = 2  # after the title line and the frame's top edge

    def pixel(self, column, row):
        """The canvas pixel (x, y) at the top of the cell (column, row), or None off the canvas."""
        x, y = column - self.left, 2 * (row - self.top)
        return (x, y) if 0 <= x < self.width and 0 <= y < self.height else None


def layout(columns, lines):
    """The Layout for a terminal of this size: a square canvas as large as fits beside the
    panel; None if the terminal is smaller than MINIMUM."""
    if columns < MINIMUM[0] or lines < MINIMUM[1]:
        return None
    side = min(columns - PANEL - 3, 2 * (lines - 4))  # the frame, a gap; the title, frame and keys lines
    side -= side % 2
    return Layout(columns, lines, side, side)


def too_small(columns, lines):
    return f"nncli draw needs a terminal of at least {MINIMUM[0]} × {MINIMUM[1]}; this one is {columns} × {lines}"


class Screen:
    """The whole screen: title, canvas and panel, the keys on the last line."""

    def __init__(self, title, place, canvas, reading):
        self.title, self.place, self.canvas, self.reading = title, place, canvas, reading

    def __rich_console__(self, console, options):
        place = self.place
        panel_width = place.columns - place.width - 3
        panel_lines = place.lines - 2
        panel = console.render_lines(
            self.panel(console, panel_width, panel_lines), options.update(width=panel_width, height=None), pad=True
        )
        keys = KEYS if len(KEYS) <= place.columns else SHORT_KEYS
        frame = Text("┌" + "─" * place.width + "┐"), Text("└" + "─" * place.width + "┘")
        left = [frame[0], *self.canvas_lines(), frame[1]]
        lines = [[*Text(self.title, style="bold").render(console, end="")]]
        for number in range(panel_lines):
            line = left[number] if number < len(left) else Text(" " * (place.width + 2))
            lines.append([*line.render(console, end=""), Segment(" "), *(panel[number] if number < len(panel) else [])])
        lines.append([*Text(keys, style="dim").render(console, end="")])
        for line in lines:
            yield from Segment.adjust_line_length(line, place.columns)
            yield Segment.line()

    def canvas_lines(self):
        """The canvas as frame lines of half blocks, the cursor shown reversed."""
        ink, (cx, cy) = self.canvas.ink, self.canvas.cursor
        lines = []
        for top in range(0, len(ink), 2):
            line = Text("│")
            for x, (upper, lower) in enumerate(zip(ink[top], ink[top + 1])):
                glyph = " ▄▀█"[2 * (upper > 0) + (lower > 0)]
                at_cursor = top <= cy < top + 2 and cx <= x < cx + 2
                line.append(glyph, style=CURSOR if at_cursor else "")
            line.append("│")
            lines.append(line)
        return lines

    def panel(self, console, width, lines):
        """The image read (as large as the room left allows), how it was made, the bars."""
        reading = self.reading
        side = len(reading.image)
        how = Text(reading.how, style="dim")
        how_lines = len(how.wrap(console, width))
        probabilities = reading.row["probabilities"]
        answer = reading.row["prediction"]
        room = max(4, lines - 1 - how_lines - len(probabilities))
        bars = [bar(digit, p, digit == answer) for digit, p in enumerate(probabilities)]
        return Group(
            Text(f"The network reads ({side}×{side}):", style="bold"),
            grayscale_image(reading.image, vmin=0, vmax=1).fit(width, room),
            how,
            *bars,
        )


def bar(digit, probability, chosen):
    """One digit's probability: its digit, a bar of eighths, the percentage; the answer's
    marked "◀ answer"."""
    eighths = round(probability * BAR * 8)
    full, part = divmod(eighths, 8)
    drawn = "█" * full + (" ▏▎▍▌▋▊▉"[part] if part else "")
    label, colour = ("bold green", "green") if chosen else ("", "cyan")
    answer = ("  ◀ answer", "bold green") if chosen else ""
    return Text.assemble((f"{digit} ", label), (drawn.ljust(BAR), colour), f" {probability:6.1%}", answer)
