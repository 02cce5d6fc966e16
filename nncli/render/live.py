"""The live panel: a run's progress and its views, redrawn frame by frame on a terminal.

It draws what it is given — a Frame of view numbers (nncli.views.live) and the run's
status — and never decides when: the training loop's controls (nncli.cli.controls) ask
for a frame when one is due, and `nncli replay` hands it stored frames the same way. It
uses the whole width of the terminal, and each view keeps the widest column it has had,
so the panel does not shift as labels change; views that do not fit its height are left
out (the first stays), so the panel is never cut off at the bottom.
"""

import time

from rich.console import Group
from rich.live import Live
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from nncli.render import draw
from nncli.render.numbers import format_metrics

GAP = 3  # columns between views side by side
VIEW_HEIGHT = 8  # rows of a chart in the panel
KEYS_HINT = {
    "running": "space pause · n step · q stop",
    "paused": "paused · space resume · n one epoch · q stop",
    "stopping": "stopping: saving what it learned…",
}


class LivePanel:
    """A Rich Live panel on `console` showing `title`, the progress through `epochs`,
    and frames. `keys`: whether the keys work (then the panel says which)."""

    def __init__(self, console, title, epochs, keys=False):
        self.console, self.title, self.epochs, self.keys = console, title, epochs, keys
        self.widths = {}  # view name → the widest it has been drawn
        self.started = time.perf_counter()
        self.frame, self.status, self.ending = None, "running", None
        self.live = Live(console=console, auto_refresh=False, redirect_stdout=False, redirect_stderr=False)

    def start(self):
        self.started = time.perf_counter()
        self.live.start()

    def stop(self):
        self.live.stop()

    def show(self, frame, status="running"):
        """Draw `frame` now."""
        self.frame, self.status = frame, status
        self.live.update(self.render(), refresh=True)

    def finish(self, ending):
        """The last frame: the run is over, and `ending` says how ("done", "stopped early at
        64; kept epoch 44"…)."""
        self.ending = ending
        self.live.update(self.render(), refresh=True)

    def render(self):
        width = self.console.width
        inner = width - 4  # the panel's border and padding
        parts = [self._progress(inner), self._metrics()]
        if self.frame is not None and self.frame.views:
            parts.append(self._views(inner))
        if self.keys and self.ending is None:
            parts.append(Text(KEYS_HINT[self.status], style="yellow" if self.status == "paused" else "dim"))
        return Panel(Group(*parts), title=self.title, title_align="left", width=width)

    def _progress(self, inner):
        epoch = self.frame.epoch if self.frame else 0
        total = max(self.epochs, 1)
        counter = f"epoch {epoch:>{len(str(self.epochs))}}/{self.epochs}"
        clock = _clock(time.perf_counter() - self.started)
        state = self.ending or ("paused" if self.status == "paused" else "")
        side = clock if self.ending else f"{epoch / total:4.0%}  {clock}"  # ended: no "64 %" left hanging
        bar_width = max(10, inner - len(counter) - len(side) - len(state) - 4)
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
        return Text(format_metrics(metrics), style="bold")

    def _views(self, inner):
        """The frame's views, side by side while they fit the width, in rows otherwise.

        Each view is rendered once, to lines, and the lines laid side by side here: Rich
        would otherwise measure and render every picture again for each table it sits in,
        and that is most of a frame's cost."""
        count = len(self.frame.views)
        share = max(24, (inner - GAP * (count - 1)) // count) if count else inner
        drawn = []
        for name, numbers in self.frame.views.items():
            picture = draw(numbers, share, height=VIEW_HEIGHT)
            lines = self.console.render_lines(picture, self.console.options.update(width=inner), pad=False)
            width = max((Segment.get_line_length(line) for line in lines), default=0)
            self.widths[name] = min(inner, max(self.widths.get(name, 0), width))
            drawn.append((name, lines))
        rows, row, used = [], [], 0
        for name, lines in drawn:
            needed = self.widths[name] + (GAP if row else 0)
            if row and used + needed > inner:
                rows.append(row)
                row, used = [], 0
                needed = self.widths[name]
            row.append((self.widths[name], lines))
            used += needed
        if row:
            rows.append(row)
        return SideBySide(self._fit_height(rows))

    def _fit_height(self, rows):
        """The rows that fit the terminal's height (a taller panel would be cut at the
        bottom, keys and all): views are left out from the last, keeping at least one."""
        room = self.console.height - 5 - self.keys  # the border, progress, metrics and keys lines
        height = lambda rows: sum(max(len(lines) for _, lines in row) for row in rows)  # noqa: E731
        while height(rows) > room and (len(rows) > 1 or len(rows[0]) > 1):
            rows[-1].pop()
            if not rows[-1]:
                rows.pop()
        return rows


class SideBySide:
    """Rows of pre-rendered pictures (each a width and its lines of Segments), the
    pictures of a row side by side, GAP columns apart."""

    def __init__(self, rows):
        self.rows = rows

    def __rich_console__(self, console, options):
        gap = Segment(" " * GAP)
        for row in self.rows:
            height = max(len(lines) for _, lines in row)
            for index in range(height):
                for position, (width, lines) in enumerate(row):
                    if position:
                        yield gap
                    line = lines[index] if index < len(lines) else []
                    yield from Segment.adjust_line_length(line, width)
                yield Segment.line()


def _clock(seconds):
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}"
