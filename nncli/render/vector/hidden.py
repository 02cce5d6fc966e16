"""The hidden space in vector: the input plane's grid lines as the last hidden layer bends
them, the data in it marked by class, and the output's straight decision lines."""

import math

from nncli.render.vector import draws
from nncli.render.vector.classes import CLASS_COLOURS, SHAPES, mark
from nncli.render.vector.marks import Figure, Plot
from nncli.render.vector.plane import MOST_POINTS
from nncli.views.hidden import HiddenSpace, heading


@draws(HiddenSpace)
def draw_hidden_space(numbers):
    if numbers.width == 0:
        title = "Hidden space"
        figure = Figure(900, 120, title)
        figure.text(450, 26, title, 22, "middle")
        figure.text(450, 80, "this network has no hidden layer: its inputs are the only space", 19, "middle", "faint")
        return figure.svg()
    title = heading(numbers)
    figure = Figure(1000, 720, title)
    for k, line in enumerate(title.split(" — ")):  # the heading, then what the axes are
        figure.text(500, 26 + 24 * k, line, 20 - 2 * k, "middle")
    a_lo, a_hi, b_lo, b_hi = numbers.box
    plot = Plot(figure, (100, 70, 560, 560), (a_lo, a_hi), (b_lo, b_hi), *numbers.axes)
    # An inner <svg> over the plot's box, in the same coordinates: what leaves the box is cut at its edge.
    shapes = ['<svg x="100" y="70" width="560" height="560" viewBox="100 70 560 560">']
    for line in numbers.grid:
        shapes.append(polyline(plot, line, 'class="grid" stroke="var(--faint)" stroke-width="1.5"'))
    for boundary in numbers.boundaries:
        shapes.append(polyline(plot, boundary["segment"], 'class="decision" stroke="var(--ink)" stroke-width="4"'))
    for a, b, cls, held_out in numbers.points[:: max(1, math.ceil(len(numbers.points) / MOST_POINTS))]:
        fill = "var(--paper)" if held_out else "#{:02x}{:02x}{:02x}".format(*CLASS_COLOURS[cls % len(CLASS_COLOURS)])
        shapes.append(mark(SHAPES[cls % len(SHAPES)], plot.x(a), plot.y(b), fill))
    figure.add("".join(shapes) + "</svg>")
    plot.axes()
    classes = 1 + max((int(p[2]) for p in numbers.points), default=1)
    figure.add('<path d="M700,70 h40" stroke="var(--ink)" stroke-width="4"/>')
    figure.text(750, 76, "decision line", 18)
    figure.add('<path d="M700,102 h40" stroke="var(--faint)" stroke-width="1.5"/>')
    figure.text(750, 108, "the input plane's grid lines", 18)
    for k in range(classes):
        fill = "#{:02x}{:02x}{:02x}".format(*CLASS_COLOURS[k % len(CLASS_COLOURS)])
        figure.add(mark(SHAPES[k % len(SHAPES)], 720, 134 + 30 * k, fill))
        figure.text(750, 140 + 30 * k, f"class {k}", 18)
    if any(p[3] for p in numbers.points):
        figure.text(700, 150 + 30 * classes, "hollow: held out", 17, cls="faint")
    return figure.svg()


def polyline(plot, points, style):
    coordinates = " ".join(f"{plot.x(a):.1f},{plot.y(b):.1f}" for a, b in points)
    return f'<polyline points="{coordinates}" fill="none" {style}/>'
