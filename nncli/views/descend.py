"""The numbers of `nncli descend`: a loss surface over its region, and where each
optimizer went on it.

Everything here is computed, nothing drawn: `nncli.render.descend` draws these numbers,
and `nncli descend --json` prints them.
"""

import math
from dataclasses import dataclass, field

import numpy as np

# What became of a walk, in the words the table uses.
REACHED, MISSED, DIVERGED, LEFT = "reached", "did not reach", "diverged", "left the domain"
SETTLED, MOVING = "settled", "still moving"  # for a surface whose minima nncli does not know
STILL = 1e-3  # a last step shorter than this fraction of the tolerance: the walk has settled


@dataclass
class Path:
    """One optimizer's walk: `points[k]` = (x, y) after k steps, `values[k]` the surface
    there. `reached_at` is the first step within the tolerance of a known minimum (and
    `minimum` that minimum); `status` says how the walk ended (see `describe`)."""

    optimizer: str
    lr: float
    momentum: float | None
    points: list
    values: list
    status: str
    reached_at: int | None = None
    minimum: tuple | None = None
    cut_short: bool = False  # the walk stopped before its last step (a NaN or an infinity)

    @property
    def steps(self):
        return len(self.points) - 1

    def as_dict(self):
        return {
            "optimizer": self.optimizer,
            "lr": self.lr,
            "momentum": self.momentum,
            "status": self.status,
            "reached_at": self.reached_at,
            "minimum": list(self.minimum) if self.minimum else None,
            "steps": self.steps,
            "cut_short": self.cut_short,
            "final_value": self.values[-1],
            "final_point": list(self.points[-1]),
            "points": [list(p) for p in self.points],
            "values": self.values,
        }


@dataclass
class DescentView:
    """The surface on a grid — `values[i, j]` at (xs[j], ys[i]), row 0 at the top (the
    largest y), like a picture — its known minima, and the paths."""

    surface: str
    formula: str
    region: tuple
    xs: np.ndarray
    ys: np.ndarray
    values: np.ndarray
    minima: list
    start: tuple
    tolerance: float
    paths: list = field(default_factory=list)

    def header(self):
        """The race's settings, without the grid or the paths."""
        return {
            "surface": self.surface,
            "formula": self.formula,
            "region": list(self.region),
            "minima": [list(m) for m in self.minima],
            "start": list(self.start),
            "tolerance": self.tolerance,
        }


def surface_grid(surface, region, columns):
    """(xs, ys, values): the surface on a grid `columns` wide over `region`, rows in
    proportion to the region's height (square cells), the top row the largest y."""
    x_lo, x_hi, y_lo, y_hi = region
    rows = max(2, round(columns * (y_hi - y_lo) / (x_hi - x_lo)))
    xs = np.linspace(x_lo, x_hi, columns)
    ys = np.linspace(y_hi, y_lo, rows)
    grid_x, grid_y = np.meshgrid(xs, ys)
    return xs, ys, surface(grid_x, grid_y)


def path_numbers(descent, minima, tolerance):
    """The Path of a `nncli.views.surfaces.Descent`, judged against the known `minima`."""
    points, values = list(descent.points), list(descent.values)  # a snapshot: the race may go on
    path = Path(descent.optimizer_name, descent.lr, descent.momentum, points, values, MISSED)
    for k, (x, y) in enumerate(points):
        distance, nearest = min(((math.hypot(x - m[0], y - m[1]), m) for m in minima), default=(math.inf, None))
        if distance <= tolerance:
            path.reached_at, path.minimum = k, tuple(nearest)
            break
    if descent.stopped:
        path.cut_short = True
        path.status = DIVERGED if descent.stopped == "diverged" else LEFT
    elif path.reached_at is not None:
        path.status = REACHED
    elif values[-1] > values[0]:  # it climbed: each step overshot by more than it gained
        path.status = DIVERGED
    elif not minima:
        path.status = SETTLED if _last_step(points) <= STILL * tolerance else MOVING
    return path


def _last_step(points):
    if len(points) < 2:
        return 0.0
    (x0, y0), (x1, y1) = points[-2:]
    return math.hypot(x1 - x0, y1 - y0)


def descent_view(surface, descents, region, start, tolerance, columns):
    """The DescentView of a race from `start`: `surface` on a grid over `region`, and each
    descent's path so far."""
    xs, ys, values = surface_grid(surface, region, columns)
    paths = [path_numbers(d, surface.minima, tolerance) for d in descents]
    minima = list(surface.minima)
    return DescentView(
        surface.name, str(surface.formula), tuple(region), xs, ys, values, minima, start, tolerance, paths
    )


def describe(path, minima=1):
    """What the steps column does not say about how a walk ended, in a few words: which
    minimum it reached, if there are several; that it diverged or left the domain."""
    if path.status == REACHED:
        return "reached (" + ", ".join(f"{v:.3g}" for v in path.minimum) + ")" if minima > 1 else ""
    if path.status == MISSED:
        return ""
    if path.status == LEFT:
        return f"left the domain after step {path.steps}"
    if path.status == DIVERGED:
        return f"diverged at step {path.steps}" if path.cut_short else "diverged: ended above its start"
    return path.status
