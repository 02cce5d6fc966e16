"""A trainable network, whichever engine runs it.

The training loop, the tasks and the commands all talk to a `Network`: it builds the model
from a layer spec, computes a batch's loss, predicts, and hands out its state dict. The
Tensor engine runs the whole batch as matrices; the scalar engine builds a graph of single
Values per example — the same mathematics, one number at a time.
"""

from contextlib import contextmanager, nullcontext

import numpy as np

from nncli import nn
from nncli.autograd import Tensor, no_grad
from nncli.nn import scalar

LOSSES = ("mse", "bce", "cross_entropy")


def build_network(spec, loss, engine="tensor", dtype="float32", seed=0, init_scheme="pytorch"):
    """Build a network from layer specs; the same seed gives both engines the same start."""
    rng = np.random.default_rng(seed)
    if engine == "tensor":
        return TensorNetwork(nn.from_spec(spec, np.dtype(dtype), rng, init_scheme), loss)
    if engine == "scalar":
        return ScalarNetwork(_scalar_mlp(spec, rng, init_scheme), loss)
    raise ValueError(f"unknown engine {engine!r}")


def _scalar_mlp(spec, rng, init_scheme):
    """The scalar MLP for a spec of Linear layers, each followed by at most one activation."""
    linear = [entry for entry in spec if entry["type"] == "linear"]
    if any(entry["type"] not in scalar.ACTIVATIONS and entry["type"] != "linear" for entry in spec):
        kinds = sorted({e["type"] for e in spec} - set(scalar.ACTIVATIONS) - {"linear"})
        raise ValueError(f"the scalar engine cannot run {', '.join(kinds)} layers; use --engine tensor")
    activations = [entry["type"] for entry in spec if entry["type"] != "linear"]
    hidden = activations[0] if len(linear) > 1 and activations else "identity"
    last = spec[-1]["type"] if spec[-1]["type"] != "linear" else "identity"
    mlp = scalar.MLP(linear[0]["in"], [entry["out"] for entry in linear], hidden, last, rng, init_scheme)
    if mlp.spec() != spec:
        raise ValueError("the scalar engine runs networks with one activation for all hidden layers")
    return mlp


class Network:
    """What both engines share: everything about the weights is the model's own."""

    def parameters(self):
        return self.model.parameters()

    def state_dict(self):
        return self.model.state_dict()

    def load_state_dict(self, state):
        self.model.load_state_dict(state)

    def num_parameters(self):
        return self.model.num_parameters()

    def spec(self):
        return self.model.spec()

    def remembering_outputs(self):
        """A context in which the outputs for one array of inputs are computed only once,
        however many losses and metrics are read off them; the weights must not change."""
        return nullcontext()


class TensorNetwork(Network):
    engine = "tensor"

    def __init__(self, model, loss):
        self.model, self.loss_name = model, loss
        self.dtype = model.parameters()[0].dtype
        self._remembered = None  # {id(X): (X, outputs)} inside remembering_outputs()

    @contextmanager
    def remembering_outputs(self):
        self._remembered = {}
        try:
            yield
        finally:
            self._remembered = None

    def loss(self, X, y):
        return self.output_loss(self.model(Tensor(X.astype(self.dtype, copy=False))), y)

    def output_loss(self, output, y):
        """The loss of the network's `output` (a Tensor) against the targets y."""
        if self.loss_name == "cross_entropy":
            return nn.cross_entropy(output, y)
        target = y.astype(self.dtype, copy=False)
        if self.loss_name == "bce":
            return nn.binary_cross_entropy(output, target)
        return nn.mse_loss(output, target)

    def evaluate_loss(self, X, y):
        """The loss on (X, y) as a float, with dropout switched off and no graph recorded."""
        with no_grad():
            return float(self.output_loss(Tensor(self._outputs(X)), y).item())

    def predict(self, X):
        """The network's outputs for X, as a float64 array, with dropout switched off."""
        return self._outputs(X).astype(np.float64)

    def _outputs(self, X):
        if self._remembered is not None and id(X) in self._remembered:
            return self._remembered[id(X)][1]
        self.model.eval()
        with no_grad():
            out = self.model(Tensor(np.asarray(X, dtype=self.dtype))).data
        self.model.train()
        if self._remembered is not None:
            self._remembered[id(X)] = (X, out)  # X kept alive, so its id can't be reused
        return out


class ScalarNetwork(Network):
    engine = "scalar"
    dtype = np.dtype(np.float64)

    def __init__(self, mlp, loss):
        if loss not in ("mse", "bce"):
            raise ValueError(f"the scalar engine supports mse and bce losses, not {loss}")
        self.model, self.loss_name = mlp, loss

    def _outputs(self, X):
        rows = []
        for x in np.asarray(X, dtype=np.float64).tolist():
            out = self.model(x)
            rows.append(out if isinstance(out, list) else [out])
        return rows

    def loss(self, X, y):
        outputs = [v for row in self._outputs(X) for v in row]
        targets = np.asarray(y, dtype=np.float64).ravel().tolist()
        if self.loss_name == "bce":
            terms = [-(t * p.log() + (1 - t) * (1 - p).log()) for p, t in zip(outputs, targets)]
            return sum(terms[1:], terms[0]) / len(terms)
        return scalar.mse_loss(outputs, targets)

    def evaluate_loss(self, X, y):
        return float(self.loss(X, y).data)

    def predict(self, X):
        return np.array([[v.data for v in row] for row in self._outputs(X)])
