"""The pictures of `nncli descend`: the surface as a heatmap with every optimizer's path
marked in its own letter, and the table of how each walk ended.

They draw a `nncli.views.descend.DescentView` (the surface and the paths) or its
`RaceResults` (the table alone) — numbers only — as Rich renderables; colour or glyphs are
chosen when they are printed.
"""

import time

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

from nncli.render import draws
from nncli.render.axes import Axes, legend, nearest, title
from nncli.render.charts import format_number
from nncli.render.heatmap import colorbar, heatmap
from nncli.render.synchronized import SynchronizedLive
from nncli.views.descend import DIVERGED, LEFT, REACHED, DescentView, RaceResults, describe

MARKS = {"sgd": "s", "momentum": "m", "adam": "a"}  # each step; the end in capitals
START, MINIMUM = "o", "+"
DECADES = 4  # the shading spans this many powers of ten above the lowest point
RACE_SECONDS = 4.0  # a live race is drawn over at most this long…
SECONDS_PER_STEP = 0.02  # …and at most this long a step, so a short race is quick
FRAMES_PER_SECOND = 15
STATUS_STYLES = {REACHED: "green", DIVERGED: "red", LEFT: "red"}  # anything else: yellow


@draws(DescentView)
def draw_race(view, width):
    """The picture of the race, and the table of how it ended."""
    return Group(descent_picture(view), draw_outcome(view.outcome(), width))


def descent_picture(view):
    """The surface over its region, shaded by the height above its lowest point on a log
    scale (so a valley's floor stays visible next to walls a thousand times higher), with
    the known minima (+), the start (o) and each path: its steps in its letter, its end
    in the capital."""
    lowest = np.nanmin(view.values) if np.isfinite(view.values).any() else 0.0
    with np.errstate(invalid="ignore"):
        height = np.log10(np.maximum(view.values - lowest, 1e-300))
    finite = height[np.isfinite(height)]
    high = float(finite.max()) if finite.size else 1.0
    low = max(float(finite.min()) if finite.size else 0.0, high - DECADES)
    picture = heatmap(height, vmin=low, vmax=high, palette="sequential", marks=_marks(view))
    axes = Axes(picture, (view.xs[0], view.xs[-1]), (view.ys[-1], view.ys[0]), "x", "y")
    key = [f"{START} start", f"{MINIMUM} minimum"]
    key += [f"{MARKS[p.optimizer]}…{MARKS[p.optimizer].upper()} {p.optimizer}" for p in view.paths]
    if len(view.paths) > 1:
        key.append("(a shared cell shows who got there first)")
    return Group(
        title(f"{view.surface}: f(x, y) = {view.formula}"),
        axes,
        legend(colorbar(10**low, 10**high, "sequential", width=16), "height above the lowest (log scale)"),
        Text("   ".join(key), style="dim"),
    )


def _marks(view):
    """{(row, col): letter} of everything marked on the grid, the most important drawn last."""
    marks = {}

    def mark(point, letter, first=False):
        row, col = nearest(view.ys, point[1]), nearest(view.xs, point[0])
        if row is not None and col is not None and not (first and (row, col) in marks):
            marks[(row, col)] = letter

    # Step by step across the paths, and a cell keeps the letter of the first to get
    # there: where the paths share a valley, it shows who led the race.
    longest = max((len(path.points) for path in view.paths), default=0)
    for k in range(1, longest - 1):
        for path in view.paths:
            if k < len(path.points) - 1:
                mark(path.points[k], MARKS[path.optimizer], first=True)
    for minimum in view.minima:
        mark(minimum, MINIMUM)
    mark(view.start, START)
    for path in view.paths:
        if path.steps:
            mark(path.points[-1], MARKS[path.optimizer].upper())
    return marks


class LiveRace:
    """The race drawn as it runs, on `console`: `view()` gives the DescentView as it is now,
    `step(k)` (called after each round of steps) paces the race so it can be watched —
    about RACE_SECONDS for a long race, SECONDS_PER_STEP a step for a short one. The last
    frame is cleared at the end, for the finished picture to take its place."""

    def __init__(self, console, view, steps):
        self.view, self.steps, self.done = view, steps, 0
        self.duration = min(RACE_SECONDS, SECONDS_PER_STEP * steps)
        self.live = SynchronizedLive(
            get_renderable=self.frame, console=console, refresh_per_second=FRAMES_PER_SECOND, transient=True
        )

    def __enter__(self):
        self.began = time.perf_counter()
        self.live.start()
        return self

    def __exit__(self, *exc_info):
        self.live.stop()

    def frame(self):
        return Group(descent_picture(self.view()), Text(f"step {self.done:,} of {self.steps:,}", style="bold"))

    def step(self, k):
        self.done = k
        ahead = self.began + self.duration * k / self.steps - time.perf_counter()
        if ahead > 0:
            time.sleep(ahead)


@draws(RaceResults)
def draw_outcome(view, width):
    """One row per optimizer: its settings, how many steps it took to come within the
    tolerance of a minimum (or that it did not), where it ended and how."""
    heading = f"Steps to within {format_number(view.tolerance)} of a minimum" if view.minima else "Where each one ended"
    table = Table(title=heading, title_justify="left")
    for name, justify in (("optimizer", "left"), ("lr", "right"), ("steps", "right"), ("final f", "right")):
        table.add_column(name, justify=justify)
    table.add_column("ends at", justify="left")
    notes = [describe(path, len(view.minima)) for path in view.paths]
    if any(notes):
        table.add_column("", justify="left")
    for path, note in zip(view.paths, notes):
        setting = path.optimizer if path.momentum is None else f"{path.optimizer} {path.momentum:g}"
        steps = "did not" if path.reached_at is None else f"{path.reached_at:,}"
        if not view.minima:
            steps = "—"
        x, y = path.points[-1]
        cells = [
            f"{MARKS[path.optimizer].upper()} {setting}",
            f"{path.lr:g}",
            steps,
            f"{path.values[-1]:.4g}",
            f"({format_number(round(x, 3))}, {format_number(round(y, 3))})",
        ]
        if any(notes):
            cells.append(Text(note, style=STATUS_STYLES.get(path.status, "yellow")))
        table.add_row(*cells)
    return table
