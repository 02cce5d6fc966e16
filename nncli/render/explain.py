"""The lessons of `nncli explain`, drawn as a lesson writes them: each formula, then the
same formula with the numbers plugged in, then its value.

Numbers are shown with four significant digits (the JSON output carries every digit).
Layers wider than a screen can read are elided: a neuron's sum of more than
`MAX_TERMS` terms shows its value and its biggest terms; a layer of more than
`MAX_NEURONS` neurons shows its first and last few.
"""

import numpy as np
from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from nncli.activations import REGISTRY as ACTIVATIONS
from nncli.render import draws
from nncli.views.explain import Backprop, DescentLesson, layer_name

MAX_TERMS = 8  # a sum written out term by term has at most this many
BIGGEST_TERMS = 2  # … else its value and this many of its largest terms
MAX_NEURONS = 10  # a layer listed neuron by neuron has at most this many
HEAD, TAIL = 4, 2  # … else its first and last few
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def num(value):
    """A number with four significant digits, without a trailing ".0"."""
    text = f"{float(value):.4g}"
    return "0" if text == "-0" else text


def factor(value):
    """A number as a factor of a product: negative ones in parentheses."""
    text = num(value)
    return f"({text})" if text.startswith("-") else text


def sub(index):
    """A neuron's or input's index (from 0, as arrays count) as a student counts it, from 1,
    in subscript: 0 → ₁, so inputs read x₁, x₂, … as in the truth table."""
    return str(index + 1).translate(SUBSCRIPTS)


def numbered(index):
    """A neuron's index (from 0) as the row label a student counts: 0 → "1"."""
    return str(index + 1)


def title(text):
    """A section's heading, after a blank line."""
    return Text("\n" + text, style="bold")


def formula(text):
    return Text("  " + text, style="cyan")


def check_mark(hand, engine):
    same = np.isclose(hand, engine, rtol=1e-9, atol=1e-12)
    return Text.assemble(("engine ", "dim"), num(engine), (" ✓" if same else " ✗", "green" if same else "bold red"))


# --- explain descent ---------------------------------------------------------------------


@draws(DescentLesson)
def draw_descent(numbers, width):
    """The first step in full, then one row per further step."""
    steps, source = numbers.steps, numbers.source
    first = steps[0]
    parts = [
        Text(f"One step of gradient descent on y = m·x + c: {len(first.x)} points ({source})", style="bold"),
        Text(f"starting from m = {num(first.m)}, c = {num(first.c)}, with learning rate η = {num(first.lr)}"),
        points_table(first),
        title("The loss: the mean of the squared errors"),
        formula("L = mean((y − ŷ)²) = (1/n) · Σ (y − ŷ)²"),
        Text(f"    = (1/{len(first.x)}) · ({' + '.join(factor(e) + '²' for e in first.error)}) = {num(first.loss)}"),
        title("The gradient: how L changes as m and c change"),
        *gradient_lines(first),
        title(f"The update: a step of η = {num(first.lr)} downhill"),
        formula("m ← m − η · ∂L/∂m      c ← c − η · ∂L/∂c"),
        Text(f"  m ← {num(first.m)} − {num(first.lr)} · {factor(first.grad_m)} = {num(first.new_m)}"),
        Text(f"  c ← {num(first.c)} − {num(first.lr)} · {factor(first.grad_c)} = {num(first.new_c)}"),
        title("The new loss"),
        Text(f"  L = {num(first.new_loss)}  (was {num(first.loss)}: {change(first.loss, first.new_loss)})"),
    ]
    if len(steps) > 1:
        parts.append(steps_table(steps))
    return Group(*parts)


def points_table(step):
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1))
    for name in ("x", "y", "ŷ = m·x + c", "error y − ŷ"):
        table.add_column(name, justify="right")
    for x, y, y_hat, error in zip(step.x, step.y, step.y_hat, step.error):
        table.add_row(num(x), num(y), f"{num(step.m)}·{factor(x)} + {factor(step.c)} = {num(y_hat)}", num(error))
    return table


def gradient_lines(step):
    n = len(step.x)
    products = " + ".join(f"{factor(x)}·{factor(e)}" for x, e in zip(step.x, step.error))
    errors = " + ".join(factor(e) for e in step.error)
    sum_m, sum_c = float(np.sum(step.x * step.error)), float(np.sum(step.error))
    return [
        formula("∂L/∂m = −2/n · Σ x(y − ŷ)"),
        Text(f"    = -2/{n} · ({products})"),
        Text.assemble(
            f"    = -2/{n} · {factor(sum_m)} = ",
            (num(step.grad_m), "bold"),
            "    ",
            check_mark(step.grad_m, step.engine_grad_m),
        ),
        formula("∂L/∂c = −2/n · Σ (y − ŷ)"),
        Text(f"    = -2/{n} · ({errors})"),
        Text.assemble(
            f"    = -2/{n} · {factor(sum_c)} = ",
            (num(step.grad_c), "bold"),
            "    ",
            check_mark(step.grad_c, step.engine_grad_c),
        ),
    ]


def change(before, after):
    if before == 0:
        return "unchanged" if after == 0 else "up from 0"
    ratio = (after - before) / before
    return f"{'down' if ratio < 0 else 'up'} {abs(ratio):.0%}"


def steps_table(steps):
    table = Table(title="The steps after it, each the same computation", box=box.SIMPLE_HEAD)
    for name in ("step", "m", "c", "L", "∂L/∂m", "∂L/∂c", "new m", "new c", "new L"):
        table.add_column(name, justify="right")
    for s in steps[1:]:
        table.add_row(
            str(s.step), *(num(v) for v in (s.m, s.c, s.loss, s.grad_m, s.grad_c, s.new_m, s.new_c, s.new_loss))
        )
    return table


# --- explain backprop --------------------------------------------------------------------


@draws(Backprop)
def draw_backprop(numbers, width):
    """Forward, loss, backward, gradients and updates, layer by layer."""
    result, heading = numbers.result, numbers.heading
    layers = result.layers
    x = result.input
    shown = ", ".join(num(v) for v in x[:MAX_TERMS]) + (f", … ({len(x)} numbers)" if len(x) > MAX_TERMS else "")
    parts = [
        title(heading),
        Text(f"  the first layer is given x = ({shown}); neurons and inputs count from 1", style="dim"),
    ]
    parts += [title("Forward: each neuron computes z = w·x + b, then a = σ(z)")]
    for number, layer in enumerate(layers, start=1):
        parts.append(layer_heading(number, layer, len(layers)))
        parts.append(forward_table(layer))
        if layer.norm is not None:
            parts.append(norm_table(layer))
        if (skip := result.skip_ending_at(number - 1)) is not None:
            parts.append(skip_forward_table(skip))
    parts += loss_lines(result)
    parts.append(title("Backward: δ = ∂L/∂z = ∂L/∂a · σ'(z), from the last layer to the first"))
    for number in range(len(layers), 0, -1):
        layer = layers[number - 1]
        parts.append(layer_heading(number, layer, len(layers)))
        following = layers[number] if number < len(layers) else None
        parts.append(backward_table(layer, following, result, result.skip_starting_at(number)))
        if (skip := result.skip_ending_at(number - 1)) is not None:
            note = f"  its ∂L/∂a is ∂L/∂out of residual block {skip.key}: out = x + a passes it on unchanged"
            parts.append(Text(note, style="dim"))
        if (skip := result.skip_starting_at(number - 1)) is not None:
            parts.append(skip_backward_table(skip))
    parts.append(title(f"Gradients and updates at η = {num(result.lr)}: ∂L/∂w = δ·a_prev, ∂L/∂b = δ, w ← w − η·∂L/∂w"))
    if any(layer.norm is not None for layer in layers):
        parts.append(Text("  and each batch norm's γ and β: γ ← γ − η·∂L/∂γ, β ← β − η·∂L/∂β", style="dim"))
    for number, layer in enumerate(layers, start=1):
        parts.append(layer_heading(number, layer, len(layers)))
        parts.append(update_table(layer, result.lr))
    parts.append(Text("every number above was checked against nncli's autograd engine ✓", style="green"))
    if numbers.optimizer != "sgd":
        note = f"(the model was trained with {numbers.optimizer}, whose steps differ: shown is plain SGD)"
        parts.append(Text(note, style="dim"))
    return Group(*parts)


def layer_heading(number, layer, count):
    rows, cols = layer.weight.shape
    norm = "" if layer.norm is None else f"batch norm {layer.norm.key}, "
    text = f"{layer_name(number, count)} ({cols} → {rows}, {norm}{layer.activation}; weights {layer.key}.weight)"
    if layer.dropout is not None:
        text += f", then dropout p = {num(layer.dropout)}: off while explaining, as in evaluation"
    if layer.block is not None:
        text += f", inside residual block {layer.block}"
    return Text(text, style="bold magenta")


def shown_neurons(count):
    """Indices of the neurons listed, with None where some are skipped."""
    if count <= MAX_NEURONS:
        return list(range(count))
    return [*range(HEAD), None, *range(count - TAIL, count)]


def neuron_table(*columns):
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), show_edge=False)
    table.add_column("neuron", justify="right", style="bold")
    for name in columns:
        table.add_column(name, justify="right" if name != columns[0] else "left")
    return table


def skipped(table, count):
    table.add_row("⋮", Text(f"… {count - HEAD - TAIL} more neurons", style="dim"))


def forward_table(layer):
    """Each neuron's z = w·x + b, and a = σ(z) — unless a batch norm comes between (norm_table)."""
    sum_name = "z = w·x" if layer.bias is None else "z = w·x + b"
    columns = [sum_name] if layer.norm is not None else [sum_name, f"a = {layer.activation}(z)"]
    table = neuron_table(*columns)
    for j in shown_neurons(len(layer.z)):
        if j is None:
            skipped(table, len(layer.z))
            continue
        bias = None if layer.bias is None else layer.bias[j]
        cells = [weighted_sum(layer.weight[j], layer.inputs, bias, layer.z[j])]
        table.add_row(numbered(j), *(cells if layer.norm is not None else [*cells, num(layer.a[j])]))
    return table


def norm_table(layer):
    """The batch norm's step: each z normalised by the neuron's μ and σ² to x̂, then scaled
    by its γ and shifted by its β to ẑ; then a = σ(ẑ)."""
    norm = layer.norm
    lines = Group(
        formula(f"batch norm {norm.key}: x̂ = (z − μ)/√(σ² + ε), ẑ = γ·x̂ + β, a = σ(ẑ), ε = {num(norm.eps)}"),
        Text(
            "  in evaluation mode, as here, μ and σ² are the running mean and variance of z from "
            "training; γ and β are learned",
            style="dim",
        ),
    )
    table = neuron_table("μ", "σ²", "x̂", "γ", "β", "ẑ", "a = σ(ẑ)")
    for j in shown_neurons(len(layer.z)):
        if j is None:
            skipped(table, len(layer.z))
            continue
        numbers = (norm.mean[j], norm.var[j], norm.normalised[j], norm.gamma[j], norm.beta[j], norm.z_hat[j])
        table.add_row(numbered(j), *(num(v) for v in numbers), num(layer.a[j]))
    return Group(lines, table)


def weighted_sum(weights, inputs, bias, z):
    """ "(w₁)(x₁) + … + b = z", or for many inputs the value and its biggest terms; without
    a bias (None), the sum alone."""
    terms = weights * inputs
    plus_bias = "" if bias is None else f" + {factor(bias)}"
    if len(terms) <= MAX_TERMS:
        written = " + ".join(f"{factor(w)}·{factor(x)}" for w, x in zip(weights, inputs))
        return f"{written}{plus_bias} = {num(z)}"
    biggest = np.argsort(-np.abs(terms), kind="stable")[:BIGGEST_TERMS]
    named = ", ".join(f"w{sub(i)}x{sub(i)} = {num(terms[i])}" for i in biggest)
    total = f"Σ of {len(terms)} w·x = {num(z)}"
    if bias is not None:
        total = f"Σ of {len(terms)} w·x + b = {num(terms.sum())}{plus_bias} = {num(z)}"
    return Text.assemble(total, (f"\nbiggest: {named}", "dim"))


def loss_lines(result):
    output, target = result.output, result.target
    if result.loss_name == "cross_entropy":
        label = int(target[0])
        return [
            title("The loss: cross-entropy of the softmax of the last layer's z"),
            formula("p = softmax(z),  L = −log p[target]"),
            Text(f"  p = ({', '.join(num(p) for p in output)})"),
            Text.assemble(f"  L = −log p[{label}] = −log {num(output[label])} = ", (num(result.loss), "bold")),
        ]
    if result.loss_name == "bce":
        a, t = output[0], target[0]
        return [
            title("The loss: binary cross-entropy"),
            formula("L = −[t·log a + (1 − t)·log(1 − a)]"),
            Text.assemble(
                f"  L = −[{num(t)}·log {num(a)} + {num(1 - t)}·log {num(1 - a)}] = ", (num(result.loss), "bold")
            ),
        ]
    squares = " + ".join(f"({num(a)} − {num(t)})²" for a, t in zip(output, target))
    return [
        title("The loss: mean squared error"),
        formula("L = mean((a − t)²)"),
        Text.assemble(f"  L = ({squares}) / {len(output)} = ", (num(result.loss), "bold")),
    ]


def backward_table(layer, following, result, feeds=None):
    """Each neuron's ∂L/∂a (from the loss, the sum over the next layer, or — for a layer
    that `feeds` a residual block — the sum of the block's two paths), σ'(z) and δ;
    through a batch norm, ∂L/∂ẑ first, then δ = ∂L/∂ẑ · γ/√(σ² + ε)."""
    norm = layer.norm
    if norm is None:
        table = neuron_table("∂L/∂a", "σ'(z)", "δ = ∂L/∂a · σ'(z)")
    else:
        table = neuron_table("∂L/∂a", "σ'(ẑ)", "∂L/∂ẑ", "γ/√(σ²+ε)", "δ = ∂L/∂z")
    derivative = ACTIVATIONS[layer.activation].derivative if layer.activation in ACTIVATIONS else ""
    for j in shown_neurons(len(layer.z)):
        if j is None:
            skipped(table, len(layer.z))
            continue
        if following is None:
            source = loss_gradient(result, j)
        elif feeds is not None:
            source = f"{factor(feeds.dL_dout[j])} + {factor(feeds.through_block[j])} = {num(layer.dL_da[j])}"
        else:
            source = back_sum(following.weight[:, j], following.delta, layer.dL_da[j], j)
        slope = "" if layer.activation == "softmax" else f"{num(layer.derivative[j])}"
        if norm is None:
            table.add_row(numbered(j), source, slope, num(layer.delta[j]))
        else:
            table.add_row(numbered(j), source, slope, num(norm.dL_dz_hat[j]), num(norm.scale[j]), num(layer.delta[j]))
    note = Text(f"  σ'(z) for {layer.activation}: {derivative}", style="dim")
    if feeds is not None:
        note.append(f"\n  ∂L/∂a: along the skip + back through residual block {feeds.key}, as added up above")
    if norm is not None:
        note.append(
            "\n  ∂L/∂ẑ = ∂L/∂a · σ'(ẑ); through the batch norm δ = ∂L/∂ẑ · γ/√(σ² + ε) "
            "(μ and σ² are constants in evaluation mode)"
        )
    return Group(table, note)


def skip_forward_table(skip):
    """A residual block's sum: each neuron's out = x + block(x)."""
    table = neuron_table("out = x + block(x)")
    for j in shown_neurons(len(skip.out)):
        if j is None:
            skipped(table, len(skip.out))
            continue
        table.add_row(numbered(j), f"{factor(skip.inputs[j])} + {factor(skip.block[j])} = {num(skip.out[j])}")
    heading = f"  residual block {skip.key}: the skip adds the block's input x back to what its layers made"
    return Group(Text(heading, style="bold magenta"), table)


def skip_backward_table(skip):
    """The gradient reaching a residual block's input: both paths, and their sum."""
    table = neuron_table("∂L/∂out (along the skip)", "+ back through the block", "= ∂L/∂x")
    for j in shown_neurons(len(skip.out)):
        if j is None:
            skipped(table, len(skip.out))
            continue
        table.add_row(numbered(j), num(skip.dL_dout[j]), num(skip.through_block[j]), num(skip.dL_dx[j]))
    return Group(
        Text(
            f"  residual block {skip.key}: the gradient reaching its input x comes along two paths",
            style="bold magenta",
        ),
        table,
        Text(
            "  ∂L/∂out arrives whole along the skip, however small the block's own share: "
            "this is why skip connections keep deep networks' gradients from vanishing",
            style="dim",
        ),
    )


def loss_gradient(result, j):
    a, layer = result.output, result.layers[-1]
    if result.loss_name == "cross_entropy":
        is_target = j == int(result.target[0])
        return f"p{sub(j)} − {1 if is_target else 0} = {num(layer.dL_da[j])}"
    t = result.target[j]
    n = len(a)
    if result.loss_name == "bce":
        return f"(a − t)/(a(1 − a))/{n} = {num(layer.dL_da[j])}"
    return f"2(a − t)/{n} = 2({num(a[j])} − {num(t)})/{n} = {num(layer.dL_da[j])}"


def back_sum(weights, deltas, value, j):
    """ "Σₖ wₖⱼ δₖ" written out, or its value and biggest terms for a wide next layer."""
    terms = weights * deltas
    if len(terms) <= MAX_TERMS:
        written = " + ".join(f"{factor(w)}·{factor(d)}" for w, d in zip(weights, deltas))
        return f"{written} = {num(value)}"
    biggest = np.argsort(-np.abs(terms), kind="stable")[:BIGGEST_TERMS]
    named = ", ".join(f"w{sub(k)}{sub(j)}δ{sub(k)} = {num(terms[k])}" for k in biggest)
    return Text.assemble(f"Σ of {len(terms)} wₖ{sub(j)}·δₖ = {num(value)}", (f"\nbiggest: {named}", "dim"))


def update_table(layer, lr):
    """A row per weight (and bias) of each neuron shown: its gradient δⱼ·aᵢ, and the weight
    before and after the step −η·gradient. Wide layers show each neuron's largest few."""
    table = neuron_table("", "∂L/∂w = δ·a_prev", "w  →  w − η·∂L/∂w")
    rows, cols = layer.weight.shape
    for j in shown_neurons(rows):
        if j is None:
            skipped(table, rows)
            continue
        if cols <= MAX_TERMS:
            inputs = range(cols)
        else:
            inputs = np.argsort(-np.abs(layer.weight_grad[j]), kind="stable")[:BIGGEST_TERMS]
        for k, i in enumerate(inputs):
            grad = layer.weight_grad[j, i]
            table.add_row(
                numbered(j) if k == 0 else "",
                f"w{sub(i)}",
                f"{factor(layer.delta[j])}·{factor(layer.inputs[i])} = {num(grad)}",
                f"{num(layer.weight[j, i])} → {num(layer.weight[j, i] - lr * grad)}",
            )
        if cols > MAX_TERMS:
            table.add_row("", Text(f"… {cols - BIGGEST_TERMS} smaller", style="dim"), "", "")
        if layer.bias is not None:
            grad = layer.bias_grad[j]
            table.add_row("", "b", f"δ = {num(grad)}", f"{num(layer.bias[j])} → {num(layer.bias[j] - lr * grad)}")
        if layer.norm is not None:
            norm = layer.norm
            grad = norm.gamma_grad[j]
            written = f"∂L/∂ẑ·x̂ = {factor(norm.dL_dz_hat[j])}·{factor(norm.normalised[j])} = {num(grad)}"
            table.add_row("", "γ", written, _step(norm.gamma[j], grad, lr))
            grad = norm.beta_grad[j]
            table.add_row("", "β", f"∂L/∂ẑ = {num(grad)}", _step(norm.beta[j], grad, lr))
    return table


def _step(value, grad, lr):
    return f"{num(value)} → {num(value - lr * grad)}"
