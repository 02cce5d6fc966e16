"""Views of a function approximation: the target against the network's curve (and the
error between them), and the neurons one by one — each neuron's own curve, the sum built
neuron by neuron, and every neuron's weights and switch point."""

from dataclasses import dataclass

import numpy as np

from nncli.tasks.approx import DISCONTINUOUS, curves
from nncli.tasks.approx import neurons as neuron_parts
from nncli.views import Numbers

NEURON_POINTS = 256  # x values the neuron curves are drawn at
MAX_CURVES = 12  # neuron curves shown on one chart: of many, the ones that contribute most


# How the sum's neurons are ordered, in words (NeuronCurves.order).
ORDER_WORDS = {
    "switch": "left to right by switch point",
    "greedy": "each next neuron the one nearest the target",
}


@dataclass
class CurveFit(Numbers):
    formula: str
    description: str  # "32 tanh neurons, trained for 4,000 epochs"
    x: list
    target: list
    output: list
    max_abs_error: float
    mse: float
    discontinuous: bool  # the target jumps: no continuous sum follows it exactly


@dataclass
class NeuronCurves(Numbers):
    """The neurons in the order their sum is built: `order` says how ("switch" — left to
    right by switch point, as a hand-built staircase or polyline is; "greedy" — each next
    neuron the one that brings the partial sum closest to the target, in mean squared
    error). `curves[k]` is neuron shown[k]'s weighted curve v·h(x) over `x` (shown: the
    MAX_CURVES with the largest swing, when there are more); `sums[k]` the output bias plus
    the first `stages[k]` neurons (1, 2, 4, … all), and `errors[k]` its max |sum − target|;
    `table` every neuron's numbers, in that order."""

    x: list
    target: list
    one_layer: bool  # then each neuron is v·σ(w·x + b) of the raw x, with a switch point
    count: int
    order: str  # "switch" or "greedy"
    shown: list
    curves: list
    stages: list
    sums: list
    errors: list
    table: list  # [{"neuron", "w", "b", "v", "switch"}] (one layer) or [{"neuron", "v"}]


def fit(network, dataset, config, history):
    x, target, output = curves(network, dataset)
    error = output - target
    return CurveFit(
        formula=config.formula,
        description=describe(config, history.epoch),
        x=x.tolist(),
        target=target.tolist(),
        output=output.tolist(),
        max_abs_error=float(np.abs(error).max()),
        mse=float((error**2).mean()),
        discontinuous=config.target in DISCONTINUOUS,
    )


def neurons(network, dataset, config, history):
    target = dataset.target
    x = np.linspace(target.lo, target.hi, NEURON_POINTS)
    base, contributions, table = neuron_parts(network, dataset, x)
    goal = target(x)
    if config.method == "construct" and "switch" in table[0]:
        how, order = "switch", sorted(range(len(table)), key=lambda j: table[j]["switch"])
    else:
        how, order = "greedy", greedy_order(base, contributions, goal)
    ordered = contributions[order]
    n = len(order)
    swing = ordered.max(axis=1) - ordered.min(axis=1)
    shown = sorted(np.argsort(-swing, kind="stable")[:MAX_CURVES].tolist())
    stages = sorted({min(2**i, n) for i in range(n.bit_length() + 1)})
    running = base + np.cumsum(ordered, axis=0)
    sums = running[[k - 1 for k in stages]]
    return NeuronCurves(
        x=x.tolist(),
        target=goal.tolist(),
        one_layer="w" in table[0],
        count=n,
        order=how,
        shown=shown,
        curves=ordered[shown].tolist(),
        stages=stages,
        sums=sums.tolist(),
        errors=[float(e) for e in np.abs(sums - goal).max(axis=1)],
        table=[table[j] for j in order],
    )


def greedy_order(base, contributions, goal):
    """Neuron indices, each next the one whose addition brings the partial sum (bias
    included) closest to the target in mean squared error: so the sum visibly approaches
    the target, where an arbitrary order can wander far from it (trained tanh neurons
    largely cancel one another)."""
    remaining = list(range(len(contributions)))
    order, partial = [], np.full_like(goal, base)
    while remaining:
        residual = goal - partial
        costs = ((residual - contributions[remaining]) ** 2).mean(axis=1)
        best = remaining.pop(int(np.argmin(costs)))
        order.append(best)
        partial = partial + contributions[best]
    return order


def describe(config, epochs):
    """ "32 tanh neurons, trained for 4,000 epochs" and the like."""
    sizes = list(config.hidden)
    count = f"{sizes[0]}" if len(sizes) == 1 else "×".join(map(str, sizes))
    layers = "" if len(sizes) == 1 else f" in {len(sizes)} layers"
    plural = "neuron" if sizes == [1] else "neurons"
    how = "built by hand" if config.method == "construct" else f"trained for {epochs:,} epochs"
    return f"{count} {config.activation} {plural}{layers}, {how}"
