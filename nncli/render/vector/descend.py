"""`nncli descend`'s race in vector: the surface shaded by its height above its lowest point
(on a log scale, as on the terminal), the known minima, the start, and each optimizer's
path as a line of its own colour and dash."""

import math

import numpy as np

from nncli.render.descend import DECADES
from nncli.render.vector import draws
from nncli.render.vector.marks import DASHES, Figure, colour_key, colours, tick_label
from nncli.render.vector.plane import plane_plot
from nncli.views.descend import DescentView

SIDE = 600  # the plot's width and height, in the figure's units


@draws(DescentView)
def draw_descent(view):
    label = f"Optimizers descending f(x, y) = {view.formula}"
    figure = Figure(1000, SIDE + 110, label)
    figure.text(figure.width / 2, 26, label, 22, "middle")
    values = np.asarray(view.values, dtype=float)
    finite = values[np.isfinite(values)]
    lowest = float(finite.min()) if finite.size else 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        height = np.log10(np.maximum(values - lowest, 1e-300))
    shown = height[np.isfinite(height)]
    high = float(shown.max()) if shown.size else 1.0
    low = max(float(shown.min()) if shown.size else 0.0, high - DECADES)
    plot = plane_plot(figure, view.xs, view.ys, (90, 50, SIDE, SIDE), "x", "y")
    left, top, width, side = plot.box
    figure.image(left, top, width, side, colours((height - low) / ((high - low) or 1.0), "sequential"))
    # Paths inside a nested <svg> of the plot's own area: a step that leaves it is cut at its edge.
    figure.add(f'<svg x="{left}" y="{top}" width="{width}" height="{side}" viewBox="{left} {top} {width} {side}">')
    for x, y in view.minima:
        cx, cy = plot.x(x), plot.y(y)
        figure.add(
            f'<path d="M{cx - 10:.1f},{cy:.1f}h20M{cx:.1f},{cy - 10:.1f}v20" stroke="#ffffff" stroke-width="4"/>'
        )
    for k, path in enumerate(view.paths):
        points = [(plot.x(x), plot.y(y)) for x, y in path.points if math.isfinite(x) and math.isfinite(y)]
        dash = DASHES[k % len(DASHES)]
        figure.polyline(points, 'stroke="#ffffff" stroke-width="6" stroke-linejoin="round"')
        style = f'stroke="var(--s{k % 6})" stroke-width="3" stroke-linejoin="round"'
        figure.polyline(points, style + (f' stroke-dasharray="{dash}"' if dash else ""))
        if points:
            x, y = points[-1]
            figure.add(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="8" fill="var(--s{k % 6})" stroke="#ffffff" stroke-width="2"/>'
            )
    x, y = plot.x(view.start[0]), plot.y(view.start[1])
    figure.add(f'<rect x="{x - 7:.1f}" y="{y - 7:.1f}" width="14" height="14" fill="#ffffff" stroke="#000000"/>')
    figure.add("</svg>")
    plot.axes()
    # The key, to the right: each optimizer's line, its rate and how its walk ended.
    key = left + width + 40
    for k, path in enumerate(view.paths):
        y = 80 + 56 * k
        dash = DASHES[k % len(DASHES)]
        figure.add(
            f'<path d="M{key:.1f},{y - 6:.1f} h40" stroke="var(--s{k % 6})" stroke-width="3"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + "/>"
        )
        momentum = "" if path.momentum is None else f" μ {tick_label(path.momentum)}"
        figure.text(key + 50, y, f"{path.optimizer}  lr {tick_label(path.lr)}{momentum}", 19)
        ended = path.status if path.reached_at is None else f"{path.status} in {path.reached_at:,} steps"
        figure.text(key + 50, y + 22, ended, 16, cls="faint")
    below = 80 + 56 * len(view.paths) + 10
    figure.text(key, below, "□ start · + minimum · ● end", 17)
    colour_key(figure, key, SIDE - 10, 230, tick_label(10**low), "", tick_label(10**high), "sequential")
    figure.text(key, SIDE + 50, "f above its lowest point (log scale)", 16, cls="faint")
    return figure.svg()
