"""The class map of a K-class classifier in vector: each pixel in its predicted class's
colour, faded toward grey where the network is unsure, the data marked by shape."""

import math

import numpy as np

from nncli.render.vector import draws
from nncli.render.vector.marks import Figure
from nncli.render.vector.plane import MOST_POINTS, plane_plot
from nncli.views.classes import ClassMap

# Okabe and Ito's colours, told apart with any common colour blindness, and a shape each,
# so that a class is known by its mark as well.
CLASS_COLOURS = [(0, 114, 178), (213, 94, 0), (0, 158, 115), (204, 121, 167), (230, 159, 0), (86, 180, 233)]
GREY = (150, 150, 150)
SHAPES = ["circle", "triangle", "square", "diamond", "down", "cross"]


@draws(ClassMap)
def draw_class_map(numbers):
    label = f"Class map: the class the network picks over the input plane ({numbers.classes} classes)"
    figure = Figure(900, 640, label)
    figure.text(450, 26, label, 22, "middle")
    predicted = np.asarray(numbers.predicted, dtype=int)
    confidence = np.asarray(numbers.confidence, dtype=float)
    palette = np.asarray([CLASS_COLOURS[k % len(CLASS_COLOURS)] for k in range(max(numbers.classes, 1))], float)
    guess = 1 / max(numbers.classes, 1)  # a pure guess: grey
    sure = np.clip((confidence - guess) / ((1 - guess) or 1.0), 0.0, 1.0)[..., np.newaxis]
    rgb = np.rint(palette[predicted % len(palette)] * sure + np.asarray(GREY) * (1 - sure)).astype(np.uint8)
    plot = plane_plot(figure, numbers.x, numbers.y, (90, 50, 520, 520), "x₁", "x₂")
    left, top, width, height = plot.box
    figure.image(left, top, width, height, rgb)
    for x, y, cls, held_out in numbers.points[:: max(1, math.ceil(len(numbers.points) / MOST_POINTS))]:
        fill = "var(--paper)" if held_out else "#{:02x}{:02x}{:02x}".format(*CLASS_COLOURS[cls % len(CLASS_COLOURS)])
        figure.add(mark(SHAPES[cls % len(SHAPES)], plot.x(x), plot.y(y), fill))
    plot.axes()
    for k in range(numbers.classes):
        y = 70 + 30 * k
        fill = "#{:02x}{:02x}{:02x}".format(*CLASS_COLOURS[k % len(CLASS_COLOURS)])
        figure.add(mark(SHAPES[k % len(SHAPES)], 660, y - 6, fill))
        figure.text(680, y, f"class {k}", 19)
    below = 70 + 30 * numbers.classes
    figure.text(650, below + 10, "grey: unsure (a guess)", 17, cls="faint")
    if any(point[3] for point in numbers.points):
        figure.text(650, below + 36, "hollow: held out", 17, cls="faint")
    return figure.svg()


def mark(shape, x, y, fill):
    """A data point's mark, about 16 units across."""
    paths = {
        "triangle": f"M{x:.1f},{y - 9:.1f}l8,14h-16z",
        "square": f"M{x - 7:.1f},{y - 7:.1f}h14v14h-14z",
        "diamond": f"M{x:.1f},{y - 9:.1f}l9,9l-9,9l-9,-9z",
        "down": f"M{x:.1f},{y + 9:.1f}l8,-14h-16z",
        "cross": f"M{x - 3:.1f},{y - 9:.1f}h6v6h6v6h-6v6h-6v-6h-6v-6h6z",
    }
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="8" class="mark" fill="{fill}"/>'
    return f'<path d="{paths[shape]}" class="mark" fill="{fill}"/>'
