"""The probes in vector: saliency (a digit beside its gradient, an arrow on the plane, or a
bar per input), what a neuron responds to (the input it wants, and its climb step by
step), and a fooled input beside the original."""

import math

import numpy as np

from nncli.render.vector import draws
from nncli.render.vector.marks import Figure, Plot, colour_key, colours, hex_colour, image_tiles, series_key, tick_label
from nncli.render.vector.plane import plane_plot
from nncli.views.probe import Fooled, NeuronProbe, Saliency

WIDTH = 1000
MORAL = "A nudge no person would notice changes the answer."


@draws(Saliency)
def draw_saliency(numbers):
    title = f"Saliency of {numbers.source}: |∂ {numbers.score_name} / ∂ input|"
    said = f"{numbers.score_name} = {tick_label(numbers.score)}"
    if numbers.prediction is not None:
        said += f"; it answers {numbers.prediction} ({100 * numbers.confidence:.1f} % sure)"
    gradient = np.asarray(numbers.gradient, dtype=float)
    if numbers.kind == "image":
        side = numbers.side
        reach = float(np.nanmax(np.abs(gradient), initial=0.0)) or 1.0
        grids = [
            np.reshape(numbers.input, (side, side)),
            np.abs(gradient).reshape(side, side),
            gradient.reshape(side, side),
        ]
        figure = Figure(WIDTH, 540, title)
        heading(figure, title, said)
        bottom = tiles(figure, grids, ["the input", "|gradient|", "gradient (orange +, blue −)"],
                       [(0, 1), (0, reach), (-reach, reach)], ["grey", "sequential", "diverging"])  # fmt: skip
        colour_key(figure, 620, bottom + 10, 280, tick_label(-reach), "0", tick_label(reach))
        figure.text(20, bottom + 80, largest_inputs(numbers.names, gradient), 16, cls="faint")
        return figure.svg()
    if numbers.kind == "plane" and numbers.arrow is not None:
        return arrow_picture(numbers, title, said)
    figure = Figure(WIDTH, 110 + 34 * len(gradient), title)
    heading(figure, title, said)
    bars(figure, numbers.names, gradient, 100, "∂ score / ∂ input")
    return figure.svg()


def arrow_picture(numbers, title, said):
    """The chosen class's probability over the plane, the point and its gradient's arrow."""
    plane = numbers.plane
    figure = Figure(WIDTH, 700, title)
    heading(figure, title, said)
    plot = plane_plot(figure, plane["x"], plane["y"], (90, 90, 520, 520), "x₁", "x₂")
    left, top, width, height = plot.box
    figure.image(left, top, width, height, colours(np.asarray(plane["z"], dtype=float)))
    (px, py), (dx, dy) = numbers.raw, numbers.arrow
    cx, cy = plot.x(px), plot.y(py)
    length = math.hypot(dx, dy)
    if length:  # drawn a quarter of the plot long: its direction is what it tells
        ex, ey = cx + dx / length * width / 4, cy - dy / length * height / 4
        angle = math.atan2(ey - cy, ex - cx)
        head = [(ex - 18 * math.cos(angle + s), ey - 18 * math.sin(angle + s)) for s in (0.45, -0.45)]
        figure.add(
            f'<path class="arrow" d="M{cx:.1f},{cy:.1f} L{ex:.1f},{ey:.1f}" stroke="var(--ink)" stroke-width="4"/>'
        )
        figure.add(
            f'<path d="M{ex:.1f},{ey:.1f} L{head[0][0]:.1f},{head[0][1]:.1f} L{head[1][0]:.1f},{head[1][1]:.1f} z"'
            ' fill="var(--ink)"/>'
        )
    figure.add(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="9" class="mark" fill="var(--paper)"/>')
    plot.axes()
    colour_key(figure, 650, 100, 300, "0", "0.5", "1")
    figure.text(800, 154, f"class {numbers.output}'s probability", 17, "middle", "faint")
    figure.text(650, 200, "○ the point   → its gradient", 18)
    figure.text(650, 240, f"∂ score / ∂(x₁, x₂) = ({tick_label(dx)}, {tick_label(dy)})", 17)
    figure.text(650, 266, "the way to move it to raise the score", 17, cls="faint")
    return figure.svg()


@draws(NeuronProbe)
def draw_neuron(numbers):
    title = f"What {numbers.neuron_name} responds to most"
    how = (
        f"gradient ascent on the input, up its weighted sum z: rate {tick_label(numbers.rate)}, "
        f"L2 penalty {tick_label(numbers.penalty)} on the distance from the start"
    )
    inputs = np.asarray(numbers.input, dtype=float)
    if numbers.kind == "image":
        side = numbers.side
        change = (inputs - np.asarray(numbers.start, dtype=float)).reshape(side, side)
        reach = float(np.nanmax(np.abs(change), initial=0.0)) or 1.0
        figure = Figure(WIDTH, 900, title)
        heading(figure, title, how)
        captions = ["the input it wants", "vs the start (orange brighter)"]
        top = tiles(
            figure, [inputs.reshape(side, side), change], captions, [(0, 1), (-reach, reach)], ["grey", "diverging"]
        )
    else:
        figure = Figure(WIDTH, 560 + 34 * len(inputs), title)
        heading(figure, title, how)
        top = bars(figure, numbers.names, inputs, 100, "the input it wants (the network's inputs)")
    steps = list(range(len(numbers.activations)))
    values = [v for v in numbers.activations + numbers.sums if v is not None and math.isfinite(v)] or [0.0]
    plot = Plot(figure, (100, top + 20, 800, 240), (0, max(steps[-1], 1)), (min(values), max(values)), "step", "")
    plot.axes()
    plot.line(steps, numbers.activations, 0)
    plot.line(steps, numbers.sums, 1)
    series_key(figure, ["its output", "z, climbed"], 100, top + 340, 1, 300)
    first, last = numbers.activations[0], numbers.activations[-1]
    rise = f"its output: {tick_label(first)} at the start → {tick_label(last)} after {numbers.steps} steps"
    figure.text(100, top + 380, rise, 18)
    return figure.svg()


@draws(Fooled)
def draw_fooled(numbers):
    before, after = numbers.before, numbers.after
    title = f"Fooling the network on {numbers.source}: the fast gradient sign method"
    move = f"every input moved by ε = {tick_label(numbers.eps)} along sign(∂loss/∂input)"
    original, moved = np.asarray(numbers.input, dtype=float), np.asarray(numbers.adversarial, dtype=float)
    if numbers.kind == "image":
        side = numbers.side
        reach = float(np.nanmax(np.abs(moved - original), initial=0.0)) or 1.0
        figure = Figure(WIDTH, 560, title)
        heading(figure, title, move)
        grids = [original.reshape(side, side), moved.reshape(side, side), (moved - original).reshape(side, side)]
        top = tiles(figure, grids, [f"reads {before['prediction']}", f"reads {after['prediction']}",
                                    "the change (orange brighter)"],
                    [(0, 1), (0, 1), (-reach, reach)], ["grey", "grey", "diverging"])  # fmt: skip
    else:
        figure = Figure(WIDTH, 260 + 30 * len(original), title)
        heading(figure, title, move)
        for heading_text, x, anchor in COLUMNS:
            figure.text(x, 110, heading_text, 17, anchor, "faint")
        for k, (name, a, b) in enumerate(zip(numbers.names, original, moved)):
            cells = [name, tick_label(a), tick_label(b), tick_label(b - a)]
            for text, (_, x, anchor) in zip(cells, COLUMNS):
                figure.text(x, 140 + 30 * k, text, 17, anchor)
        top = 140 + 30 * len(original)
    answers = (
        f"before: {before['prediction']} ({100 * before['confidence']:.1f} % sure)   "
        f"after: {after['prediction']} ({100 * after['confidence']:.1f} % sure)"
    )
    if numbers.smallest_eps is None:
        search = f"no ε up to {tick_label(numbers.eps_limit)} changes its answer"
    else:
        search = f"the smallest ε that changes its answer: {tick_label(numbers.smallest_eps)}"
    if after["prediction"] == before["prediction"]:
        verdict = "Its answer held at this ε."
    elif numbers.kind == "image":
        verdict = MORAL
    else:
        verdict = "A push of ε on every input, each the way that hurts most, changes the answer."
    for k, line in enumerate((answers, search, verdict)):
        figure.text(20, top + 30 + 28 * k, line, 18)
    return figure.svg()


COLUMNS = (("network input", 20, "start"), ("before", 420, "end"), ("after", 560, "end"), ("change", 700, "end"))


def heading(figure, title, line):
    """The title and a line under it, each made smaller where it is long (a file's name
    can be), to stay within the picture."""
    figure.text(WIDTH / 2, 28, title, fitted(title, 21), "middle")
    figure.text(WIDTH / 2, 58, line, fitted(line, 17), "middle", "faint")


def fitted(text, size):
    """`size`, or less where `text` would be wider than the picture (a character is about
    0.55 of the font size wide)."""
    return round(min(size, (WIDTH - 40) / (0.55 * max(len(text), 1))), 1)


def tiles(figure, grids, captions, ranges, scales):
    """Images side by side, each on its own scale; the y below them."""
    bottom = 80
    for k, (grid, caption, limits, scale) in enumerate(zip(grids, captions, ranges, scales)):
        bottom = image_tiles(figure, [grid], [caption], (20 + 320 * k, 70, 300), 1, scale=scale, ranges=[limits])
    return bottom


def bars(figure, names, values, top, heading_text):
    """A bar per input, its length the value's size: orange positive, blue and hollow
    negative (told apart without colour). The y below them."""
    values = np.asarray(values, dtype=float)
    largest = float(np.nanmax(np.abs(values), initial=0.0)) or 1.0
    figure.text(20, top, heading_text, 17, cls="faint")
    for k, (name, value) in enumerate(zip(names, values)):
        y = top + 20 + 34 * k
        figure.text(240, y + 18, name, 17, "end")
        figure.text(340, y + 18, tick_label(float(value)), 17, "end")
        length = abs(value) / largest * 600 if math.isfinite(value) else 0.0
        colour = hex_colour(1.0 if value > 0 else 0.0)
        fill = colour if value > 0 else "var(--paper)"
        figure.add(
            f'<rect x="360" y="{y + 4:.1f}" width="{max(length, 1.0):.1f}" height="20" class="bar"'
            f' style="fill: {fill}; stroke: {colour}; stroke-width: 2"/>'
        )
    return top + 20 + 34 * len(values)


def largest_inputs(names, gradient, count=6):
    """The inputs whose gradient is largest in size, with their numbers."""
    order = np.argsort(-np.abs(gradient), kind="stable")[:count]
    rows = ", ".join(f"{names[i]} {tick_label(float(gradient[i]))}" for i in order)
    more = f" (the largest {len(order)} of {len(gradient)})" if len(gradient) > len(order) else ""
    return f"gradient{more}: {rows}"
