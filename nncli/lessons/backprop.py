"""Lesson 5: backpropagation is the chain rule — one forward and one backward pass of a
2-2-1 network, every number written out and checked against the autograd engine."""

import functools

import numpy as np
from rich.console import Group

from nncli import nn
from nncli.lessons import Screen
from nncli.nn.network import build_network
from nncli.render.diagram import DiagramPicture
from nncli.render.explain import backward_table, factor, forward_table, layer_heading, loss_lines, num, update_table
from nncli.tasks import defaults
from nncli.views.diagram import network_diagram
from nncli.views.explain import backprop_pass

NAME = "backprop"
TITLE = "Backpropagation is the chain rule"
SUMMARY = "a 2-2-1 network forward and backward, every number checked"

INPUT, TARGET = (1.0, 0.0), 1.0
LEARNING_RATE = defaults.XOR["lr"]  # the rate `nncli train xor` steps at
NUDGE = 1e-6


@functools.cache
def tiny():
    """(spec, state, the pass): XOR's network shape with two hidden neurons, seed 0."""
    spec = nn.mlp_spec([2, 2, 1], "sigmoid", "sigmoid")
    network = build_network(spec, "mse", "tensor", "float64", seed=0)
    state = network.state_dict()
    return spec, state, backprop_pass(spec, state, "mse", INPUT, TARGET, LEARNING_RATE)


def loss_of(spec, state):
    network = build_network(spec, "mse", "tensor", "float64")
    network.load_state_dict(state)
    return network.evaluate_loss(np.array([INPUT]), np.array([[TARGET]]))


def tables(result, table, backwards=False):
    parts = []
    numbered = list(enumerate(result.layers, start=1))
    for number, layer in reversed(numbered) if backwards else numbered:
        parts += [layer_heading(number, layer, len(result.layers)), table(number, layer)]
    return parts


# --- the screens -------------------------------------------------------------------------


def forward(settings):
    spec, state, result = tiny()
    hidden, output = result.layers
    w, b, z, a = hidden.weight[0], hidden.bias[0], hidden.z[0], hidden.a[0]
    text = (
        f"A network of 2 inputs, 2 hidden sigmoid neurons and 1 output, with its starting weights (seed 0). "
        f"Give it x = ({num(INPUT[0])}, {num(INPUT[1])}). Each neuron computes z = w·x + b, then a = σ(z). "
        "Hidden neuron 1:\n\n"
        f"    z = {factor(w[0])}·{num(INPUT[0])} + {factor(w[1])}·{num(INPUT[1])} + {factor(b)} = {num(z)}"
        f"      a = σ({num(z)}) = {num(a)}\n\n"
        f"The output neuron does the same with the hidden neurons' a as its inputs: it answers "
        f"{num(output.a[0])}. That is the forward pass."
    )
    diagram = DiagramPicture(network_diagram(spec, state, example=result))
    picture = Group(diagram, *tables(result, lambda number, layer: forward_table(layer)))
    numbers = {"hidden_z": hidden.z.tolist(), "hidden_a": hidden.a.tolist(), "output": float(output.a[0])}
    return Screen("Forward", text, [picture], numbers)


def loss(settings):
    spec, state, result = tiny()
    out = result.layers[-1]
    text = (
        f"The answer should be {num(TARGET)}. The loss measures how far off it is — here the squared error:\n\n"
        f"    L = (a − t)² = ({num(out.a[0])} − {num(TARGET)})² = {num(result.loss)}\n\n"
        "Learning asks: how does L change when each weight changes? Start at the end, with the output:\n\n"
        f"    ∂L/∂a = 2(a − t) = {num(out.dL_da[0])}\n\n"
        f"so raising a by a little, say 0.01, would change L by about {num(out.dL_da[0] * 0.01)}."
    )
    return Screen("The loss", text, loss_lines(result), {"loss": result.loss, "dL_da": float(out.dL_da[0])})


def backward(settings):
    spec, state, result = tiny()
    hidden, out = result.layers
    v = out.weight[0, 0]
    grad = hidden.weight_grad[0, 0]
    chain = out.dL_da[0] * out.derivative[0] * v * hidden.derivative[0] * INPUT[0]
    nudged = {key: value.copy() for key, value in state.items()}
    nudged["0.weight"][0, 0] += NUDGE
    measured = (loss_of(spec, nudged) - result.loss) / NUDGE
    text = (
        "The chain rule multiplies the rates of change along the path from a weight to the loss. For the "
        "weight from x₁ to hidden neuron 1:\n\n"
        "    ∂L/∂w = ∂L/∂a_out · σ'(z_out) · v₁ · σ'(z₁) · x₁\n"
        f"          = {num(out.dL_da[0])} · {num(out.derivative[0])} · {num(v)} · {num(hidden.derivative[0])}"
        f" · {num(INPUT[0])} = {num(chain)}\n"
        "          (v₁: the weight from hidden neuron 1 to the output; σ'(z) = a(1 − a) for a sigmoid)\n\n"
        f"Check it: nudge that weight by {NUDGE:g} and the engine's forward pass says L changes by "
        f"{num(measured * NUDGE)} — a rate of {num(measured)}. Backpropagation computes every weight's rate "
        "this way in one pass backwards: δ = ∂L/∂z for each neuron, from the last layer to the first. Every "
        "number below was checked against the autograd engine's backward pass ✓"
    )
    following = {1: result.layers[1], 2: None}
    gradients = DiagramPicture(network_diagram(spec, state, example=result, gradients=True))
    picture = Group(
        gradients, *tables(result, lambda number, layer: backward_table(layer, following[number], result), True)
    )
    numbers = {"chain": float(chain), "engine": float(grad), "nudged": measured}
    return Screen("Backward", text, [picture], numbers)


def update(settings):
    spec, state, result = tiny()
    stepped = dict(state)
    for layer in result.layers:
        stepped[f"{layer.index}.weight"] = layer.weight - LEARNING_RATE * layer.weight_grad
        stepped[f"{layer.index}.bias"] = layer.bias - LEARNING_RATE * layer.bias_grad
    after = loss_of(spec, stepped)
    text = (
        f"Each weight moves against its gradient, w ← w − η·∂L/∂w, here with η = {num(LEARNING_RATE)} "
        f"(what `nncli train xor` uses). After this one step the same example's loss is {num(after)}, "
        f"down from {num(result.loss)}.\n\n"
        "Training is this, over and over: forward, loss, backward, update — for every batch of examples."
    )
    picture = Group(*tables(result, lambda number, layer: update_table(layer, LEARNING_RATE)))
    return Screen("The update", text, [picture], {"loss_before": result.loss, "loss_after": after})


SCREENS = (forward, loss, backward, update)
TRY = (
    ("nncli train xor", "train the 2-4-1 network on XOR"),
    ("nncli explain backprop --input 1,0", "the same pass through the trained network"),
    ("nncli inspect network --input 1,0 --grad", "each weight's gradient on the diagram"),
    ("nncli gradcheck", "the engine checks itself against finite differences"),
)
