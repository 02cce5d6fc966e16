"""The live panel: a run's progress and its views, redrawn frame by frame on a terminal.

It draws what it is given — a Frame of view numbers (nncli.views.live) and the run's
status — and never decides when: the training loop's controls (nncli.cli.controls) ask
for a frame when one is due, and `nncli replay` hands it stored frames the same way.

Every frame is laid out afresh in the terminal's size (so a resize takes effect at the
next frame): the views, headline first, go side by side or in rows, each drawn to fit
the cell the layout gives it (nncli.render.layout). Views that do not fit are named on
the last line, and `v` turns the order so that they come first; a terminal too small for
even one view gets one line saying the size the panel needs, with the run's numbers.
"""

import time

from rich.box import ROUNDED
from rich.progress_bar import ProgressBar
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from nncli.render import draw, resolution, size_of
from nncli.render.axes import lines_of
from nncli.render.heatmap import in_colour
from nncli.render.layout import GAP, arrange
from nncli.render.numbers import format_metrics
from nncli.render.synchronized import SynchronizedLive

LEAST_PIXELS = 12  # grid points across a picture, however low the detail (a coarser one reads as noise)
CHROME = (4, 5)  # columns and lines around the views: the border, progress, numbers and the last line
DIM = Style(dim=True)
KEYS_HINT = {
    "running": "space pause · n step · q stop",
    "paused": "paused · space resume · n one epoch · q stop",
    "stopping": "stopping: saving what it learned…",
}
SHORT_KEYS_HINT = {"running": "␣ pause · n · q", "paused": "paused · ␣ · n · q", "stopping": "stopping…"}


class LivePanel:
    """A Rich Live panel on `console` showing `title`, the progress through `epochs`,
    and frames. `keys`: whether the keys work (then the panel says which)."""

    def __init__(self, console, title, epochs, keys=False):
        self.console, self.title, self.epochs, self.keys = console, title, epochs, keys
        self.frame, self.status, self.ending = None, "running", None
        self.turn = 0  # how many times `v` has turned the order of the views
        self.hidden = []  # the views the last frame had no room for
        self.cells = {}  # view name → (its numbers, columns, lines): where the last frame drew it
        self.too_small = False  # whether the last frame was the one line of a small terminal
        self.started = time.perf_counter()
        self.paused_since = None  # the clock stops while the run is paused
        self.live = SynchronizedLive(console=console, auto_refresh=False, redirect_stdout=False, redirect_stderr=False)

    def start(self):
        self.started = time.perf_counter()
        self.live.start()

    def stop(self):
        self.live.stop()

    def show(self, frame, status="running"):
        """Draw `frame` now."""
        self._hold_clock(status)
        self.frame, self.status = frame, status
        self.live.update(self.render(), refresh=True)

    def next_views(self):
        """Bring the views not shown to the front (the `v` key), and redraw."""
        if self.hidden:
            self.turn += 1
            self.live.update(self.render(), refresh=True)

    def finish(self, ending):
        """The last frame: the run is over, and `ending` says how ("done", "stopped early at
        64; kept epoch 44"…)."""
        self._hold_clock("running")
        self.ending = ending
        self.live.update(self.render(), refresh=True)

    def _hold_clock(self, status):
        now = time.perf_counter()
        if status == "paused" and self.paused_since is None:
            self.paused_since = now
        elif status != "paused" and self.paused_since is not None:
            self.started += now - self.paused_since
            self.paused_since = None

    def elapsed(self):
        return (self.paused_since or time.perf_counter()) - self.started

    def render(self):
        width, height = self.console.size
        views = self._ordered_views()
        cells = arrange([size_of(numbers) for _, numbers in views], width - CHROME[0], height - CHROME[1])
        self.too_small = bool(views) and not cells
        if self.too_small or width < 2 * CHROME[0]:
            return self._one_line(views, width, height)
        self.cells = {views[i][0]: (views[i][1], columns, tall) for row in cells for i, columns, tall in row}
        self.hidden = [name for name, _ in views if name not in self.cells]
        inner = width - CHROME[0]
        footer = self._footer(inner)
        lines = self._lines([self._progress(inner), self._metrics()], inner)
        if cells:
            drawn = [[(columns, self._cell(views[i][1], columns, tall)) for i, columns, tall in row] for row in cells]
            lines += side_by_side(drawn, inner)
        if footer is not None:
            lines += self._lines([footer], inner)
        return Framed(self.title, lines, width)

    def _lines(self, renderables, inner):
        """`renderables` drawn one below the other, as lines `inner` columns wide."""
        options = self.console.options.update(width=inner)
        return [line for part in renderables for line in self.console.render_lines(part, options)]

    def resolutions(self, detail=1.0):
        """Grid points across the picture of each view the last frame showed that is
        sampled on a grid, at `detail` (0 … 1) of its cell's resolution: what the next
        frame computes them at."""
        colour = in_colour(self.console)
        sides = {}
        for name, (numbers, columns, lines) in self.cells.items():
            side = resolution(numbers, columns, lines, colour)
            if side is not None:
                sides[name] = sampled_pixels(side, detail)
        return sides

    def _ordered_views(self):
        """The frame's views, the first one first — or, turned by `v`, from a later one on."""
        views = list(self.frame.views.items()) if self.frame is not None else []
        if not views:
            return []
        turn = self.turn % len(views)
        return views[turn:] + views[:turn]

    def _cell(self, numbers, columns, lines):
        """A view drawn into columns × lines, as lines of Segments each `columns` wide; a
        picture that would still be taller is cut at the cell's foot, and says so."""
        picture = draw(numbers, columns, height=lines)
        options = self.console.options.update(width=columns)
        drawn = [Segment.adjust_line_length(line, columns) for line in lines_of(self.console, options, picture)]
        if len(drawn) > lines:
            cut = Segment.adjust_line_length([Segment("… (a taller terminal shows the rest)", DIM)], columns)
            drawn = drawn[: lines - 1] + [cut]
        return drawn

    def _one_line(self, views, width, height):
        """What a terminal too small for the panel gets: the size it needs, and the run's
        progress and numbers, on one line."""
        first = size_of(views[0][1]).smallest if views else (2 * CHROME[0], 0)
        needs = f"the live panel needs {first[0] + CHROME[0]}×{first[1] + CHROME[1]} (this terminal: {width}×{height})"
        epoch = self.frame.epoch if self.frame else 0
        numbers = format_metrics(self.frame.metrics) if self.frame else ""
        line = f"{needs} · epoch {epoch:,}/{self.epochs:,} {self.ending or ''} {numbers}"
        return Text(" ".join(line.split()), no_wrap=True, overflow="ellipsis")

    def _progress(self, inner):
        epoch = self.frame.epoch if self.frame else 0
        total = max(self.epochs, 1)
        counter = f"epoch {epoch:>{len(str(self.epochs))}}/{self.epochs}"
        clock = _clock(self.elapsed())
        state = self.ending or ("paused" if self.status == "paused" else "")
        side = clock if self.ending else f"{epoch / total:4.0%}  {clock}"  # ended: no "64 %" left hanging
        bar_width = max(1, inner - len(counter) - len(side) - len(state) - 4)
        row = Table.grid(padding=(0, 1))
        style = "green" if self.ending else "yellow" if self.status == "paused" else ""
        finished = epoch if not self.ending else total  # a finished run's bar is full, whatever stopped it
        row.add_row(
            Text(counter),
            ProgressBar(total=total, completed=finished, width=bar_width, complete_style=style or "bar.complete"),
            Text(side, style="dim"),
            Text(state, style=style),
        )
        return row

    def _metrics(self):
        metrics = self.frame.metrics if self.frame else {}
        if not metrics:
            return Text("starting…", style="dim")
        return Text(format_metrics(metrics), style="bold", no_wrap=True, overflow="ellipsis")

    def _footer(self, inner):
        """The keys the panel takes now, and the views it had no room for, on one line of
        `inner` columns (the keys said shorter if need be); a finished run takes no keys."""
        taking = self.keys and self.ending is None
        hidden = f"not shown: {', '.join(self.hidden)}" if self.hidden else ""
        for keys, more in ((KEYS_HINT, " · v shows them"), (SHORT_KEYS_HINT, " (v)")):
            parts = [(keys[self.status], "yellow" if self.status == "paused" else "dim")] if taking else []
            if hidden:
                parts.append((hidden + (more if taking else ""), "dim"))
            if sum(len(text) for text, _ in parts) + 5 * (len(parts) - 1) <= inner:
                break
        if not parts:
            return None
        return Text("  ·  ", no_wrap=True, overflow="ellipsis").join(Text(text, style=style) for text, style in parts)


def sampled_pixels(side, detail):
    """Grid points across a picture `side` pixels across, sampled at `detail` (0 … 1) of
    that resolution: never more than it shows, nor fewer than LEAST_PIXELS (unless it
    shows fewer)."""
    return max(min(side, LEAST_PIXELS), min(side, round(side * detail)))


def side_by_side(rows, width):
    """Rows of views drawn into their cells (each a width and its lines of Segments, each
    line as wide as its cell) as lines `width` columns wide: the cells of a row side by
    side, GAP columns apart, and a blank line between rows."""
    gap = Segment(" " * GAP)
    lines = []
    for number, row in enumerate(rows):
        if number:
            lines.append([Segment(" " * width)])
        used = sum(columns for columns, _ in row) + GAP * (len(row) - 1)
        rest = [Segment(" " * (width - used))] if used < width else []
        for index in range(max(len(drawn) for _, drawn in row)):
            line = []
            for position, (columns, drawn) in enumerate(row):
                if position:
                    line.append(gap)
                line += drawn[index] if index < len(drawn) else [Segment(" " * columns)]
            lines.append(line + rest)
    return lines


class Framed:
    """Lines, each already `width` - 4 columns wide, in a rounded border with `title` (Rich
    markup) on its top edge — as Rich's Panel draws them, without its passes to measure,
    pad and crop what is already in place (most of what a frame cost to write)."""

    def __init__(self, title, lines, width):
        self.title, self.lines, self.width = title, lines, width

    def __rich_console__(self, console, options):
        box = ROUNDED.substitute(options, safe=console.safe_box)
        title = Text.from_markup(self.title, end="")
        title.plain = title.plain.replace("\n", " ")
        title.pad(1)
        title.truncate(self.width - 4)
        yield Segment(box.top_left + box.top)
        yield from console.render(title, options.update(width=self.width - 4))
        yield Segment(box.top * (self.width - 4 - title.cell_len) + box.top + box.top_right)
        yield Segment.line()
        left, right = Segment(box.mid_left + " "), Segment(" " + box.mid_right)
        for line in self.lines:
            yield left
            yield from line
            yield right
            yield Segment.line()
        yield Segment(box.get_bottom([self.width - 2]))
        yield Segment.line()


def _clock(seconds):
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}"
