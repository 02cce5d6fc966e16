"""Function approximation: universal approximation you can watch.

One hidden layer of enough neurons can approximate any continuous function on an
interval, because its output is a sum of neuron curves, b + Σ v·σ(w·x + b_i), and such
sums can trace anything. nncli shows it two ways:

- `train`: gradient descent (Adam) fits the network to samples of the target.
- `construct`: no training — the weights are set by hand, as the textbook argument goes.
  With step-like neurons (step, a steep sigmoid, a steep tanh) N neurons place N steps
  whose heights are the target's increments, giving a staircase through it; with relu,
  N kinks give the piecewise-linear interpolant. More neurons, smaller error.

The network sees x scaled to [-1, 1] and a target scaled to about [-1, 1] (recorded in
the model's input_scaling); errors are reported in the target's own units, measured on a
dense grid of the domain rather than only at the training samples.
"""

import difflib
from dataclasses import dataclass

import numpy as np

from nncli import nn
from nncli.errors import OptionError
from nncli.formula import FormulaError, parse
from nncli.settings import SETTINGS
from nncli.tasks.base import Dataset, Task, preprocessing, scale_inputs, unscale_outputs

# name → (formula, default domain); any other formula comes with --expr (domain -2, 2)
TARGETS = {
    "sin": ("sin(x)", ("-pi", "pi")),
    "cos": ("cos(x)", ("-pi", "pi")),
    "abs": ("abs(x)", ("-1", "1")),
    "square": ("x**2", ("-1", "1")),
    "cube": ("x**3", ("-1", "1")),
    "step": ("step(x)", ("-1", "1")),
    "sawtooth": ("x - floor(x)", ("0", "3")),
    "gaussian": ("exp(-x**2)", ("-3", "3")),
    "bump": ("exp(-x**2)", ("-3", "3")),
    "relu": ("relu(x)", ("-1", "1")),
}
DEFAULT_TARGET = "sin"  # with neither a function nor a formula
TRAIN_ACTIVATION, CONSTRUCT_ACTIVATION = "tanh", "step"  # with no --activation, for each --method
MAX_NEURONS = 10_000  # per layer: every picture evaluates each neuron on a fine grid
DISCONTINUOUS = {"step", "sawtooth"}  # targets with jumps, which no continuous sum follows exactly
EXPR_DOMAIN = ("-2", "2")  # for --expr without --domain
GRID_POINTS = 2001  # the dense grid the error is measured on
STEP_LIKE = ("step", "sigmoid", "tanh")
CONSTRUCTIBLE = STEP_LIKE + ("relu",)
STEEPNESS = 10.0  # w = STEEPNESS / gap: a built sigmoid does 3/4 of its rise within 0.4 gap


@dataclass(frozen=True)
class Target:
    """The function to approximate: a registered name (or None for --expr), its formula
    and its domain [lo, hi]."""

    name: str | None
    formula: str
    lo: float
    hi: float

    def __call__(self, x):
        return parse(self.formula)(x=x)

    def label(self):
        return f"{self.formula} on [{self.lo:.4g}, {self.hi:.4g}]"


def resolve_target(name=None, expr=None, domain=None):
    """The Target for a registered `name` or a formula `expr`, on `domain` (lo, hi) or the
    default one. Raises FormulaError for a bad formula and ValueError for a bad name or
    domain, or a target that is not a finite number everywhere on the domain."""
    if (name is None) == (expr is None):
        raise ValueError("give a function name or a formula, not both")
    if name is not None and name not in TARGETS:
        raise ValueError(f"no function {name!r}; choose one of {', '.join(TARGETS)}, or give a formula")
    formula, default_domain = TARGETS[name] if name is not None else (expr, EXPR_DOMAIN)
    parse(formula)  # FormulaError, with the column, before anything else
    lo, hi = domain if domain is not None else (evaluate_number(text) for text in default_domain)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi and np.isfinite(hi - lo)):
        raise ValueError(f"the domain [{lo:g}, {hi:g}] is not an interval: give LO,HI with LO < HI, both finite")
    target = Target(name, formula, float(lo), float(hi))
    x = np.linspace(target.lo, target.hi, GRID_POINTS)
    y = target(x)
    bad = ~np.isfinite(y)
    if bad.all():
        raise ValueError(f"{formula} is not a finite number anywhere on [{target.lo:.4g}, {target.hi:.4g}]")
    if bad.any():
        where = ", ".join(f"{v:.4g}" for v in x[bad][:3]) + (", …" if bad.sum() > 3 else "")
        raise ValueError(f"{formula} is not a finite number at x = {where}; choose another domain (--domain LO,HI)")
    return target


def evaluate_number(text):
    """A number written as a formula without x ("pi", "-2*pi", "1e3")."""
    return float(parse(text, variables=())())


class ApproxTask(Task):
    views = {"fit": "curve.fit", "neurons": "curve.neurons", "loss": "loss.history", "health": "health.layers"}
    watch = ("fit", "neurons")
    result = ("curve.fit",)
    loss = "mse"

    def __init__(self):
        self.scaling = None  # how the current data was scaled: needed for errors in user units

    def settle(self, settings, given):
        """The function (a name, else the formula; sin if neither), its domain and the
        neurons' activation (tanh to train, step to build by hand), checked together."""
        name, formula, domain = settings.get("target"), settings.get("formula"), settings.get("domain")
        if name is not None and formula is not None:
            raise OptionError(f"give a function ({', '.join(TARGETS)}) or a formula with --expr: not both")
        if name is not None and name not in TARGETS:
            close = difflib.get_close_matches(name, TARGETS, n=1, cutoff=0.6)
            guess = f"did you mean {close[0]}? " if close else ""
            raise OptionError(
                f"no function {name!r}: {guess}choose one of {', '.join(TARGETS)}, or give a formula with --expr"
            )
        method = settings.get("method", "train")
        activation = settings.get("activation") or (CONSTRUCT_ACTIVATION if method == "construct" else TRAIN_ACTIVATION)
        _check_network(method, activation, settings.get("hidden", ()), given)
        try:
            target = resolve_target(name or (None if formula is not None else DEFAULT_TARGET), formula, domain)
        except FormulaError as error:
            raise OptionError(f"--expr: {error}\n{error.pointer()}") from None
        except ValueError as error:
            raise OptionError(f"{'--domain' if domain else '--expr'}: {error}") from None
        return {
            **settings,
            "target": target.name,
            "formula": target.formula,
            "domain": [target.lo, target.hi],
            "method": method,
            "activation": activation,
        }

    def heading(self, config):
        return Target(config.target, config.formula, *config.domain).label()

    def load_data(self, config):
        target = Target(config.target, config.formula, *config.domain)
        x = np.linspace(target.lo, target.hi, config.samples)[:, None]
        grid = np.linspace(target.lo, target.hi, GRID_POINTS)[:, None]
        y, y_grid = target(x), target(grid)
        y_lo, y_hi = y_grid.min(), y_grid.max()
        self.scaling = {
            "x_mean": [(target.lo + target.hi) / 2],
            "x_std": [(target.hi - target.lo) / 2],
            "y_mean": [float(y_lo + y_hi) / 2],
            "y_std": [float(y_hi - y_lo) / 2 if y_hi > y_lo else 1.0],
        }
        scale_y = lambda values: (values - self.scaling["y_mean"][0]) / self.scaling["y_std"][0]  # noqa: E731
        return Dataset(
            scale_inputs(x, self.scaling),
            scale_y(y),
            scale_inputs(grid, self.scaling),
            scale_y(y_grid),
            input_scaling=self.scaling,
            source=f"{len(x)} samples of {target.label()}",
            target=target,
        )

    def layer_spec(self, config, dataset):
        return nn.mlp_spec([1, *config.hidden, 1], config.activation, "identity")

    def metrics(self, network, X, y):
        """The largest and the mean squared error, in the target's own units."""
        error = (network.predict(X) - y) * self.scaling["y_std"][0]
        return {"max_abs_error": float(np.abs(error).max()), "mse": float((error**2).mean())}

    def labelled_file(self, path, meta, drop_missing=False):
        self.scaling = meta["input_scaling"]
        return super().labelled_file(path, meta, drop_missing)

    def extra_meta(self, config, dataset):
        target = dataset.target
        return {
            "target": {"name": target.name, "formula": target.formula, "domain": [target.lo, target.hi]},
            "method": config.method,
        }

    def construct(self, config, dataset):
        return construct_state(dataset, config.hidden[0], config.activation)

    def describe(self, network, dataset, config):
        """What was approximated, how, and by which neurons."""
        target = dataset.target
        return {
            "target": target.name or "expr",
            "formula": target.formula,
            "domain": [target.lo, target.hi],
            "method": config.method,
            "activation": config.activation,
            "hidden": list(config.hidden),
            "neurons": neurons(network, dataset, np.array([target.lo]))[2],
        }

    def predict(self, network, X, meta):
        prep = preprocessing(meta)
        outputs = prep.outputs(network.predict(prep.inputs(X)))[:, 0]
        targets = parse(meta["target"]["formula"])(x=X[:, 0]) if "target" in meta else None
        rows = []
        for i, (row, out) in enumerate(zip(X, outputs)):
            entry = {"input": row.tolist(), "output": float(out)}
            if targets is not None and np.isfinite(targets[i]):
                entry.update(target=float(targets[i]), error=float(out - targets[i]))
            rows.append(entry)
        return rows


# --- the neurons, one by one -------------------------------------------------------------


def curves(network, dataset, points=GRID_POINTS):
    """x, the target and the network's output over the domain, in the user's units."""
    target = dataset.target
    x = np.linspace(target.lo, target.hi, points)
    scaling = dataset.input_scaling
    output = unscale_outputs(network.predict(scale_inputs(x[:, None], scaling)), scaling)[:, 0]
    return x, target(x), output


def neurons(network, dataset, x):
    """The last hidden layer, neuron by neuron, in the user's units.

    Returns (base, contributions, table): the network's output at x is exactly
    base + Σ_j contributions[j], where contributions[j] = v_j·h_j(x) is neuron j's own
    curve weighted by its outgoing weight. With one hidden layer h_j(x) = σ(w_j·x + b_j),
    and each row of the table gives w, b (for the raw x), v and the switch point −b/w,
    where w·x + b crosses zero: the centre of a step, the kink of a relu.
    """
    model = _tensor_model(network)
    scaling = dataset.input_scaling
    x_mean, x_std = scaling["x_mean"][0], scaling["x_std"][0]
    y_mean, y_std = scaling["y_mean"][0], scaling["y_std"][0]
    layers = list(model.layers)
    last = max(i for i, layer in enumerate(layers) if isinstance(layer, nn.Linear))
    from nncli.autograd import Tensor, no_grad

    with no_grad():
        hidden = nn.Sequential(*layers[:last])(Tensor((x[:, None] - x_mean) / x_std)).data
    v = layers[last].weight.data[0] * y_std
    base = float(layers[last].bias.data[0] * y_std + y_mean)
    contributions = (hidden * v).T
    one_layer = sum(isinstance(layer, nn.Linear) for layer in layers) == 2
    table = []
    for j in range(len(v)):
        row = {"neuron": j, "v": float(v[j])}
        if one_layer:  # undo the input scaling: w'·(x − mean)/std + b' = w·x + b
            w_net, b_net = float(layers[0].weight.data[j, 0]), float(layers[0].bias.data[j])
            w, b = w_net / x_std, b_net - w_net * x_mean / x_std
            row = {"neuron": j, "w": w, "b": b, "v": float(v[j]), "switch": -b / w if w != 0 else None}
        table.append(row)
    return base, contributions, table


def _tensor_model(network):
    """The network's Sequential on the Tensor engine in float64, whichever engine trained it."""
    from nncli.nn.network import build_network

    twin = build_network(network.spec(), "mse", "tensor", "float64")
    twin.load_state_dict(network.state_dict())
    return twin.model


# --- building a network by hand ----------------------------------------------------------


def construct_state(dataset, hidden, activation):
    """The weights (net units, float64) of a 1-`hidden`-1 network of `activation` neurons
    that traces the target: a staircase of steps or the piecewise-linear interpolant.

    The network sees x' in [-1, 1] and must output the scaled target g(x').
    Step-like neurons: N steps at t_k = -1 + k·h (k = 1…N, h = 2/(N+1)) cut [-1, 1] into
    N + 1 pieces; the staircase takes the target's value c_k at each piece's midpoint, so
    step k rises by the increment c_k − c_(k−1). Relu neurons: kinks at the N + 1 - 1 nodes
    t_k = -1 + k·h (k = 0…N−1, h = 2/N); neuron k adds the change of slope there, so the
    sum runs straight from node to node.
    """
    target, scaling = dataset.target, dataset.input_scaling
    x_mean, x_std = scaling["x_mean"][0], scaling["x_std"][0]
    y_mean, y_std = scaling["y_mean"][0], scaling["y_std"][0]

    def g(x_net):
        return (target(x_mean + x_std * x_net) - y_mean) / y_std

    n = hidden
    if activation in STEP_LIKE:
        h = 2.0 / (n + 1)
        switches = -1.0 + h * np.arange(1, n + 1)
        levels = g(-1.0 + h * (np.arange(n + 1) + 0.5))  # the target at each piece's midpoint
        rises = np.diff(levels)
        w = np.full(n, STEEPNESS / h)
        bias_out = levels[0]
        v = rises
        if activation == "tanh":  # tanh runs from −1 to 1: half the height, and lift the start
            v = rises / 2
            bias_out = levels[0] + rises.sum() / 2
    elif activation == "relu":
        h = 2.0 / n
        nodes = -1.0 + h * np.arange(n + 1)
        values = g(nodes)
        slopes = np.diff(values) / h
        switches = nodes[:-1]
        w = np.ones(n)
        v = np.diff(slopes, prepend=0.0)
        bias_out = values[0]
    else:
        raise ValueError(
            f"cannot build a network of {activation} neurons by hand; use one of {', '.join(CONSTRUCTIBLE)}"
        )
    return {
        "0.weight": w[:, None],
        "0.bias": -w * switches,
        "2.weight": v[None, :],
        "2.bias": np.array([bias_out]),
    }


# --- the checks of a command -------------------------------------------------------------


def _check_network(method, activation, hidden, given):
    """Usage errors for networks the method cannot make (`given`: the settings the
    command line gave)."""
    if not hidden:
        raise OptionError("--hidden: a function approximator needs at least one hidden layer, e.g. --hidden 32")
    if max(hidden) > MAX_NEURONS:
        raise OptionError(f"--hidden: at most {MAX_NEURONS:,} neurons per layer")
    if method == "train" and activation == "step":
        raise OptionError(
            "a step neuron cannot be trained by gradient descent: its slope is zero everywhere "
            "(and undefined at the jump), so no gradient ever reaches its weights.\n"
            "Build the network by hand instead: --method construct --activation step"
        )
    if method == "construct":
        if activation not in CONSTRUCTIBLE:
            raise OptionError(
                f"--activation: --method construct builds {', '.join(CONSTRUCTIBLE)} neurons, not {activation}"
            )
        if len(hidden) != 1:
            raise OptionError("--hidden: --method construct builds one hidden layer: give one size, e.g. --hidden 50")
        trained = [SETTINGS[name].option for name in SETTINGS if name in given and SETTINGS[name].training_only]
        if trained:
            raise OptionError(
                f"{', '.join(trained)}: nothing is trained with --method construct (the weights are set by hand)"
            )
