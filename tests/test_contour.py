"""The decision boundary's line in vector (marching squares, every cell at once in arrays)
draws exactly the path of the plain cell-by-cell loop, kept here as the reference."""

import math

import numpy as np

from nncli.render.vector.marks import Figure
from nncli.render.vector.plane import contour, plane_plot


def contour_cell_by_cell(z, level, plot, xs, ys):
    """Marching squares written out: each cell's sides clockwise from the top, their
    crossings of `level` joined in pairs."""
    segments = []
    rows, cols = z.shape
    for i in range(rows - 1):
        for j in range(cols - 1):
            corners = [(i, j), (i, j + 1), (i + 1, j + 1), (i + 1, j)]
            crossings = []
            for (a, b), (c, d) in zip(corners, corners[1:] + corners[:1]):
                u, v = z[a, b] - level, z[c, d] - level
                if (u < 0) != (v < 0) and math.isfinite(u) and math.isfinite(v):
                    share = u / (u - v)
                    x = xs[b] + share * (xs[d] - xs[b])
                    y = ys[a] + share * (ys[c] - ys[a])
                    crossings.append((plot.x(x), plot.y(y)))
            for start, end in zip(crossings[::2], crossings[1::2]):
                segments.append(f"M{start[0]:.1f},{start[1]:.1f}L{end[0]:.1f},{end[1]:.1f}")
    return "".join(segments)


def both(z, xs, ys):
    """The path both ways, on the plot `nncli visualize --svg` draws."""
    plot = plane_plot(Figure(900, 640, "t"), xs, ys, (90, 50, 520, 520), "x₁", "x₂")
    with np.errstate(all="ignore"):  # NumPy's scalars warn of the overflows the arrays make silently
        return contour(z, 0.5, plot, xs, ys), contour_cell_by_cell(z, 0.5, plot, xs, ys)


# Outputs near the level, on it exactly, far off, and not finite: every way a side can cross.
SPECIAL = [0.5, 0.0, 1.0, math.nan, math.inf, -math.inf, 1e300, -1e300, 5e-324]


def test_the_same_path_as_cell_by_cell_on_any_grid():
    rng = np.random.default_rng(27)
    drawn = 0
    for _ in range(400):
        rows, cols = rng.integers(1, 10, size=2)
        z = rng.random((rows, cols))
        special = rng.random((rows, cols)) < rng.choice([0.0, 0.2, 0.6])
        z[special] = rng.choice(SPECIAL, size=special.sum())
        with np.errstate(over="ignore"):
            z *= rng.choice([1.0, 1e-9, 1e9])
        xs, ys = (rng.normal(0, rng.choice([1.0, 1e3]), size=n).tolist() for n in (cols, rows))
        ours, reference = both(z, xs, ys)
        assert ours == reference, (z, xs, ys)
        drawn += ours != ""
    assert drawn > 150  # about half the grids cross the level somewhere


def test_the_same_path_on_a_boundary_s_own_grid():
    """A grid as `nncli visualize --svg` draws it: 121 × 121 outputs of a curved boundary."""
    xs = np.linspace(-1.5, 1.5, 121).tolist()
    ys = xs[::-1]
    x, y = np.meshgrid(xs, ys)
    z = 1 / (1 + np.exp(-4 * (x * y + 0.3 * np.sin(3 * x))))
    ours, reference = both(z, xs, ys)
    assert ours == reference and ours.count("M") > 100
