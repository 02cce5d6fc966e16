"""`nncli explain conv` drawn: the numbers of views.explain_conv.ConvStep as small matrices
and sums, forward then backward; δ and ∂L/∂x over the whole image as heatmaps. The screen
counts channels, rows and columns from 1, as every screen counts neurons; the numbers (and
the JSON) index them from 0."""

from rich.columns import Columns
from rich.console import Group
from rich.text import Text

from nncli.render import draws
from nncli.render.heatmap import heatmap
from nncli.views.explain_conv import ConvStep


def _matrix(title, rows, digits=3):
    lines = [title] + ["  ".join(f"{v:{digits + 4}.{digits}f}" for v in row) for row in rows]
    return Text("\n".join(lines))


def _at(position):
    """A (row, column) index from 0, as a student counts it: from 1."""
    return f"({position[0] + 1}, {position[1] + 1})"


@draws(ConvStep)
def draw_conv_step(step, width):
    k = step.kernel_size
    channel = step.channel + 1
    head = Text(
        f"The first convolution, channel {channel}, at output position {_at(step.position)}, on a "
        f"{step.label} the network reads as {step.prediction} (positions are (row, column), "
        "counted from 1, as channels are)",
        style="bold",
    )
    where = f"padding {step.padding}" + (f", stride {step.stride}" if step.stride != 1 else "")
    forward = [
        Text(
            f"Forward: the {k}×{k} patch under the kernel ({where}), times the kernel, weight by weight", style="bold"
        ),
        Columns(
            [
                _matrix("patch x", step.patch),
                Text("\n×"),
                _matrix("kernel w", step.kernel),
                Text("\n="),
                _matrix("x · w", step.products),
            ],
            padding=(0, 2),
        ),  # fmt: skip
        Text(f"z = Σ x · w + b = {step.z - step.bias:.4f} + {step.bias:.4f} = {step.z:.4f}"),
        Text(f"a = {step.activation}(z) = {step.a:.4f}"),
    ]
    if step.pool:
        pool = step.pool
        size = len(pool["values"])
        forward += [
            _matrix(f"the {size}×{size} max-pool window from {_at(pool['origin'])}", pool["values"], 4),
            Text(f"→ the pool keeps {max(map(max, pool['values'])):.4f}, from {_at(pool['winner'])}"),
        ]
    biggest = " + ".join(f"{t['delta']:.4f}·patch{_at(t['position'])}" for t in step.top_terms)
    terms = " + ".join(f"{t['weight']:.3f}·{t['delta']:.4f}" for t in step.pixel_terms) or "0"
    backward = [
        Text(f"Backward: the cross-entropy of this example is L = {step.loss:.4f}", style="bold"),
        Text(
            f"δ = ∂L/∂z over channel {channel} (at {_at(step.position)}: "
            f"{step.delta[step.position[0]][step.position[1]]:.6f}):"
        ),  # fmt: skip
        heatmap(step.delta),
        Text(f"∂L/∂w = Σ over every position of δ · the patch there; the biggest terms: {biggest} + …"),
        _matrix("∂L/∂w", step.kernel_grad, 5),
        Text(f"∂L/∂b = Σ δ = {step.bias_grad:.6f}"),
        Text(
            f"∂L/∂x at pixel {_at(step.pixel)}: the kernel flipped and slid over δ — channel {channel} gives "
            f"{terms} = {step.pixel_grad_channel:.6f}; with every channel's part, {step.pixel_grad:.6f}"
        ),
        Text("∂L/∂x over the image:"),
        heatmap(step.input_grad),
        Text("every number above checked against the engine's own forward and backward pass", style="dim"),
    ]
    return Group(head, Text(""), *forward, Text(""), *backward)
