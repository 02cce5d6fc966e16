"""Drawing the probes: saliency (a heatmap beside a digit, an arrow on the plane, a bar per
column), what a neuron responds to, and a fooled input beside the original."""

import math

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

from nncli.render import draws
from nncli.render.axes import Axes, legend, nearest, title
from nncli.render.charts import Series, line_chart
from nncli.render.heatmap import colorbar, grayscale_image, heatmap
from nncli.render.numbers import format_number, format_value
from nncli.text import inert, markup_safe
from nncli.views.probe import Fooled, NeuronProbe, Saliency

TOP_INPUTS = 6  # the inputs with the largest gradients, listed with their numbers
BAR_WIDTH = 24
ARROWS = "→↗↑↖←↙↓↘"  # by direction, counter-clockwise from east, as on the screen (y up)
ARROW_CELLS = 4  # how far the arrow reaches across the plane, in pixels
MORAL = "A nudge no person would notice changes the answer."


def side_by_side(*pictures):
    row = Table.grid(padding=(0, 3))
    row.add_row(*pictures)
    return row


# --- saliency ---------------------------------------------------------------------------


@draws(Saliency)
def draw_saliency(numbers, width):
    gradient = np.asarray(numbers.gradient)
    said = f"{numbers.score_name} = {format_value(numbers.score)}"
    if numbers.prediction is not None:
        said += f"; it answers {numbers.prediction} ({100 * numbers.confidence:.1f} % sure)"
    heading = title(f"Saliency of {inert(numbers.source)}: |∂ {numbers.score_name} / ∂ input|")
    if numbers.kind == "image":
        side = numbers.side
        image = np.asarray(numbers.input).reshape(side, side)
        size = np.abs(gradient).reshape(side, side)
        signed = gradient.reshape(side, side)
        picture = side_by_side(
            Group(Text("the input"), grayscale_image(image, vmin=0, vmax=1)),
            Group(Text("|gradient|"), heatmap(size, vmin=0, palette="sequential")),
            Group(Text("gradient (red +, blue −)"), heatmap(signed, palette="diverging")),
        )
        return Group(heading, Text(said), picture, top_inputs(numbers.names, gradient))
    if numbers.kind == "plane" and numbers.arrow is not None:
        return Group(
            heading, Text(said), arrow_picture(numbers), arrow_caption(numbers), top_inputs(numbers.names, gradient)
        )
    return Group(heading, Text(said), bars(numbers.names, gradient, "∂ score / ∂ input"))


def top_inputs(names, gradient):
    """The inputs whose gradient is largest in size, with their numbers."""
    order = np.argsort(-np.abs(gradient), kind="stable")[:TOP_INPUTS]
    rows = ", ".join(f"{inert(names[i])} {format_value(float(gradient[i]))}" for i in order)
    more = f" (the largest {len(order)} of {len(gradient)})" if len(gradient) > len(order) else ""
    return Text(f"gradient{more}: {rows}", style="dim")


def bars(names, values, heading):
    """A bar per input, its length the value's size (red positive, blue negative)."""
    values = np.asarray(values, dtype=float)
    largest = float(np.abs(values).max(initial=0.0)) or 1.0
    table = Table.grid(padding=(0, 1))
    for name, value in zip(names, values):
        cells = int(round(abs(value) / largest * BAR_WIDTH)) if math.isfinite(value) else 0
        bar = Text("█" * cells or "▏", style="red" if value > 0 else "blue")
        table.add_row(Text(inert(name), style="bold"), Text(format_value(float(value)), justify="right"), bar)
    return Group(Text(heading, style="dim"), table)


def arrow_picture(numbers):
    """The chosen class's probability over the plane, the point ● and its gradient's arrow."""
    plane = numbers.plane
    x, y, z = plane["x"], plane["y"], np.asarray(plane["z"])
    marks = {}
    point = numbers.raw
    row, col = nearest(y, point[1]), nearest(x, point[0])
    dx, dy = numbers.arrow
    if row is not None and col is not None:
        if dx or dy:
            glyph = ARROWS[round(math.atan2(dy, dx) / (math.pi / 4)) % 8]
            length = math.hypot(dx, dy)
            for step in range(1, ARROW_CELLS + 1):
                r, c = row - round(step * dy / length), col + round(step * dx / length)
                if 0 <= r < len(y) and 0 <= c < len(x):
                    marks[(r, c)] = glyph
        marks[(row, col)] = "●"
    picture = heatmap(z - 0.5, vmin=-0.5, vmax=0.5, palette="diverging", marks=marks)
    return Group(
        Axes(picture, (x[0], x[-1]), (y[-1], y[0]), "x₁", "x₂"),
        legend(
            colorbar(0, 1, "diverging", width=16), f"class {numbers.output}'s probability; ● the point, → its gradient"
        ),
    )


def arrow_caption(numbers):
    dx, dy = numbers.arrow
    shown = f"at ({format_value(numbers.raw[0])}, {format_value(numbers.raw[1])})"
    if nearest(numbers.plane["y"], numbers.raw[1]) is None or nearest(numbers.plane["x"], numbers.raw[0]) is None:
        shown += ", off the picture"
    return Text(
        f"∂ score / ∂(x₁, x₂) = ({format_value(dx)}, {format_value(dy)}) {shown}: the way to move it to raise the score"
    )


# --- what a neuron responds to -------------------------------------------------------------


@draws(NeuronProbe)
def draw_neuron(numbers, width):
    heading = title(f"What {numbers.neuron_name} responds to most")
    steps = list(range(len(numbers.activations)))
    chart = line_chart(
        [
            Series("its output", steps, numbers.activations, "cyan"),
            Series("z, climbed", steps, numbers.sums, "magenta"),
        ],
        width=max(20, min(48, width - 12)),
        height=8,
        x_integer=True,
        x_label="step",
        title="step by step",
    )
    first, last = (format_value(a) for a in (numbers.activations[0], numbers.activations[-1]))
    rise = f"its output: {first} at the start → {last} after {numbers.steps} steps"
    how = (
        f"gradient ascent on the input, up its weighted sum z: rate {format_number(numbers.rate)}, "
        f"L2 penalty {format_number(numbers.penalty)} on the distance from the start"
    )
    if numbers.kind == "image":
        side = numbers.side
        image = np.asarray(numbers.input).reshape(side, side)
        change = image - np.asarray(numbers.start).reshape(side, side)
        picture = side_by_side(
            Group(Text("the input it wants"), grayscale_image(image, vmin=0, vmax=1)),
            Group(Text("vs the start (red brighter)"), heatmap(change, palette="diverging")),
        )
        picture = Group(picture, chart)
    else:
        picture = Group(bars(numbers.names, numbers.input, "the input it wants (the network's inputs)"), chart)
    return Group(heading, Text(how, style="dim"), picture, Text(rise))


# --- fooling it ------------------------------------------------------------------------------


@draws(Fooled)
def draw_fooled(numbers, width):
    before, after = numbers.before, numbers.after
    heading = title(f"Fooling the network on {inert(numbers.source)}: the fast gradient sign method")
    move = f"every input moved by ε = {format_value(numbers.eps)} along sign(∂loss/∂input)"
    answers = (
        f"before: {before['prediction']} ({100 * before['confidence']:.1f} % sure)   "
        f"after: {after['prediction']} ({100 * after['confidence']:.1f} % sure)"
    )
    flipped = after["prediction"] != before["prediction"]
    if numbers.smallest_eps is None:
        search = f"no ε up to {format_number(numbers.eps_limit)} changes its answer"
    else:
        search = f"the smallest ε that changes its answer: {format_value(numbers.smallest_eps)}"
    if not flipped:
        verdict = Text("Its answer held at this ε.", style="dim")
    elif numbers.kind == "image":
        verdict = Text(MORAL, style="bold")
    else:
        verdict = Text("A push of ε on every input, each the way that hurts most, changes the answer.", style="bold")
    if numbers.kind == "image":
        side = numbers.side
        original = np.asarray(numbers.input).reshape(side, side)
        moved = np.asarray(numbers.adversarial).reshape(side, side)
        picture = side_by_side(
            Group(Text(f"reads {before['prediction']}"), grayscale_image(original, vmin=0, vmax=1)),
            Group(Text(f"reads {after['prediction']}"), grayscale_image(moved, vmin=0, vmax=1)),
            Group(Text("the change (red brighter)"), heatmap(moved - original, palette="diverging")),
        )
    else:
        picture = Table(show_edge=False)
        for column in ("network input", "before", "after", "change"):
            picture.add_column(column, justify="left" if column == "network input" else "right")
        for name, a, b in zip(numbers.names, numbers.input, numbers.adversarial):
            picture.add_row(markup_safe(name), format_value(a), format_value(b), format_value(b - a))
    return Group(heading, Text(move), picture, Text(answers), Text(search), verdict)
