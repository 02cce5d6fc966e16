"""Views of a function approximation: the target against the network's curve (and the
error between them), and the neurons one by one — each neuron's own curve, the sum built
neuron by neuron, and every neuron's weights and switch point."""

from dataclasses import dataclass

import numpy as np

from nncli.tasks.approx import DISCONTINUOUS, curves
from nncli.tasks.approx import neurons as neuron_parts
from nncli.views import Numbers

NEURON_POINTS = 256  # x values the neuron curves are drawn at
MAX_CURVES = 12  # neuron curves shown on one chart: of many, an evenly spaced few
STAGES = (1 / 8, 1 / 4, 1 / 2, 1)  # the shares of the neurons the partial sums stop at


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
    """`curves[k]` is neuron shown[k]'s weighted curve v·h(x) over `x`; `sums[k]` the bias
    plus the first `stages[k]` neurons (taken left to right by switch point, when they have
    one); `table` every neuron's numbers, in that order."""

    x: list
    target: list
    one_layer: bool  # then each neuron is v·σ(w·x + b) of the raw x, with a switch point
    count: int
    shown: list
    curves: list
    stages: list
    sums: list
    table: list  # [{"neuron", "w", "b", "v", "switch"}] (one layer) or [{"neuron", "v"}]
    errors: list = None  # the largest |sum − target| of each stage
    order: str = "switch point"  # how the neurons were taken: "switch point" or "closest to the target"


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
    target = dataset.extra["target"]
    x = np.linspace(target.lo, target.hi, NEURON_POINTS)
    base, contributions, table = neuron_parts(network, dataset, x)
    wanted = target(x)
    if config.method == "construct" or len(table) > GREEDY_LIMIT:
        how = "switch point"
        order = sorted(range(len(table)), key=lambda j: (table[j].get("switch") is None, table[j].get("switch") or 0.0))
    else:
        how, order = "closest to the target", closest_first(base, contributions, wanted)
    ordered = contributions[order]
    n = len(order)
    shown = np.unique(np.linspace(0, n - 1, min(n, MAX_CURVES)).round().astype(int)).tolist()
    stages = sorted({max(1, round(n * share)) for share in STAGES})
    running = base + np.cumsum(ordered, axis=0)
    return NeuronCurves(
        x=x.tolist(),
        target=target(x).tolist(),
        one_layer="w" in table[0],
        count=n,
        shown=shown,
        curves=ordered[shown].tolist(),
        stages=stages,
        sums=running[[k - 1 for k in stages]].tolist(),
        table=[table[j] for j in order],
        errors=[float(np.abs(running[k - 1] - wanted).max()) for k in stages],
        order=how,
    )


GREEDY_LIMIT = 256  # above this many neurons, ordering them greedily costs more than it shows


def closest_first(base, contributions, target):
    """Neuron indices, each next the one whose curve brings the running sum (from `base`)
    closest to `target`, in mean squared distance."""
    left, order, running = list(range(len(contributions))), [], np.asarray(base, dtype=float)
    while left:
        errors = [float(((running + contributions[j] - target) ** 2).mean()) for j in left]
        best = left.pop(int(np.argmin(errors)))
        order.append(best)
        running = running + contributions[best]
    return order


def describe(config, epochs):
    """ "32 tanh neurons, trained for 4,000 epochs" and the like."""
    sizes = list(config.hidden)
    count = f"{sizes[0]}" if len(sizes) == 1 else "×".join(map(str, sizes))
    layers = "" if len(sizes) == 1 else f" in {len(sizes)} layers"
    plural = "neuron" if sizes == [1] else "neurons"
    how = "built by hand" if config.method == "construct" else f"trained for {epochs:,} epochs"
    return f"{count} {config.activation} {plural}{layers}, {how}"
