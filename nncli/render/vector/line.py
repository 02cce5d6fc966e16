"""A fitted line in vector: the data with the learned and the exact line, and the loss
landscape over (slope, intercept) with the path gradient descent took on it."""

import numpy as np

from nncli.render.line import describe_path
from nncli.render.vector import draws
from nncli.render.vector.marks import Figure, Plot, colour_key, colours, tick_label
from nncli.render.vector.plane import plane_plot
from nncli.views.line import Landscape, LineFit

PANEL = 460  # a landscape panel's side


@draws(LineFit)
def draw_fit(numbers):
    figure = Figure(900, 600, "The data and the lines: learned and exact")
    figure.text(450, 26, "The data and the lines: learned and exact", 22, "middle")
    xs, ys = numbers.x, numbers.y
    ends = (min(xs), max(xs))
    lines = [numbers.learned, numbers.exact]
    heights = [m * x + c for m, c in lines for x in ends]
    plot = Plot(figure, (100, 50, 760, 440), ends, (min([*ys, *heights]), max([*ys, *heights])), "x", "y")
    plot.axes()
    for x, y in zip(xs, ys):
        figure.add(f'<circle cx="{plot.x(x):.1f}" cy="{plot.y(y):.1f}" r="4" class="mark hollow"/>')
    for k, (m, c) in enumerate(lines):
        plot.line(ends, [m * x + c for x in ends], k)
    m, c = numbers.learned
    plot.key([f"learned: y = {tick_label(m)}x {'−' if c < 0 else '+'} {tick_label(abs(c))}", "exact (least squares)"])
    return figure.svg()


@draws(Landscape)
def draw_landscape(numbers):
    """One panel per path. The shading is the loss above its minimum on a log scale over
    three decades, as on the terminal: the bowl's nested ellipses spread evenly."""
    surface = np.asarray(numbers.loss, dtype=float)
    lowest = min(float(surface.min()), min(p["lowest"] for p in numbers.paths))
    excess = np.log10(np.maximum(surface - lowest, 1e-300))
    high = float(excess.max())
    low = max(float(excess.min()), high - 3)
    label = "Loss landscape over (slope, intercept), and the path gradient descent took"
    count = len(numbers.paths)
    figure = Figure(max(960, count * (PANEL + 110) + 40), PANEL + 230, label)
    figure.text(figure.width / 2, 26, label, 22, "middle")
    shade = colours((excess - low) / ((high - low) or 1.0), "sequential")
    for k, path in enumerate(numbers.paths):
        box = (100 + k * (PANEL + 110), 70, PANEL, PANEL)
        plot = plane_plot(figure, numbers.slopes, numbers.intercepts, box, "slope m", "intercept c" if k == 0 else "")
        left, top, width, height = box
        figure.text(left + width / 2, top - 12, path["label"], 19, "middle")
        figure.image(left, top, width, height, shade)
        # The path inside a nested <svg> of the plot's own area: a step that leaves the
        # picture is cut at its edge.
        figure.add(
            f'<svg x="{left}" y="{top}" width="{width}" height="{height}" viewBox="{left} {top} {width} {height}">'
        )
        points = [(plot.x(m), plot.y(c)) for m, c in path["points"]]
        figure.polyline(points, 'stroke="#ffffff" stroke-width="5"')
        figure.polyline(points, 'stroke="#d55e00" stroke-width="2.5"')
        for x, y in points[1:-1]:
            figure.add(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#d55e00" stroke="#ffffff"/>')
        x, y = points[0]
        figure.add(f'<rect x="{x - 7:.1f}" y="{y - 7:.1f}" width="14" height="14" fill="#ffffff" stroke="#000000"/>')
        x, y = points[-1]
        figure.add(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="8" fill="#d55e00" stroke="#ffffff" stroke-width="2"/>')
        x, y = plot.x(numbers.exact[0]), plot.y(numbers.exact[1])
        figure.add(f'<path d="M{x - 9:.1f},{y - 9:.1f}l18,18m0,-18l-18,18" stroke="#ffffff" stroke-width="3"/>')
        figure.add("</svg>")
        plot.axes()
        figure.text(left + width / 2, top + height + 72, describe_path(path), 17, "middle")
    colour_key(figure, 100, PANEL + 170, 300, tick_label(10**low), "", tick_label(10**high), "sequential")
    figure.text(420, PANEL + 184, "loss above its minimum (log scale)", 17)
    figure.text(420, PANEL + 210, "□ start   ● steps, end   × least squares", 17)
    return figure.svg()
