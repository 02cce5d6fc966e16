"""Every activation, declared once: one record says all nncli writes about it.

The settings' choices (`nncli.settings`), the network's layers (`nncli.nn.layers`), the
model file's checks of a layer's parameters (`nncli.store`), the lessons' formulas
(`nncli.render.explain`), the network diagram (`nncli.render.plane`) and the three
exporters (`nncli.export`) read what they need from here. What an activation
computes — its forward pass on each engine, on a NumPy array, and its slope — is the
engine's to say, in its layer class in `nncli.nn.layers`, under the same name.

So adding an activation is its record here plus its layer class there.

Plain Python, free of NumPy, so the command line's `--help` stays instant.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Activation:
    """What nncli says about one activation, as text.

    `torch` may name the layer's parameters in braces ("{slope!r}"): they are filled from
    the layer's spec. `onnx` is the name of the one ONNX operator that computes it; where
    none computes it exactly (or onnxruntime lacks it in float64), `onnx_nodes` builds the
    nodes: a function of the graph (`nncli.export.onnx.GraphBuilder`), the layer's spec,
    the input's name and the layer's key, returning the output's name.
    """

    name: str
    formula: str  # the lessons' line: what a = σ(z) is
    derivative: str  # the lessons' line: what σ'(z) is
    plain: str  # the formula in ASCII, for the JSON export
    torch: str  # the torch.nn layer of the PyTorch export
    torch_note: str = ""  # the comment beside it
    torch_class: str = ""  # the class the script defines, where torch.nn has none
    onnx: str = ""
    onnx_nodes: object = None
    symbol: str | None = None  # how the diagram writes a neuron's σ(…); None: the name itself
    parameters: dict = field(default_factory=dict)  # a layer's numbers in its spec, with their defaults
    offered: bool = False  # `--activation` offers it
    hidden: bool = True  # a hidden layer may be built of it (softmax only ends a classifier)

    @property
    def shown(self):
        """Its name in a neuron's formula on the diagram: σ for sigmoid, nothing for identity."""
        return self.name if self.symbol is None else self.symbol

    def torch_code(self, spec):
        """The torch.nn layer, its parameters filled in from the layer's spec."""
        return self.torch.format(**{name: spec.get(name, default) for name, default in self.parameters.items()})


HEAVISIDE_CLASS = '''

class Heaviside(nn.Module):
    """nncli's step activation: 1 where x > 0, else 0. Its slope is zero wherever it is
    defined, so no gradient flows through it: training cannot change the layers before it."""

    def forward(self, x):
        return (x > 0).to(x.dtype)
'''


def _leaky_relu_nodes(graph, spec, x, key):
    """x where x > 0, else slope·x, the slope in the network's dtype (not LeakyRelu,
    whose slope is a 32-bit attribute: inexact for a float64 model)."""
    above = graph.add("Greater", [x, graph.constant(f"{key}.zero", 0.0)], f"{key}.above")
    sloped = graph.add("Mul", [x, graph.constant(f"{key}.slope", spec["slope"])], f"{key}.sloped")
    return graph.add("Where", [above, x, sloped], key)


def _step_nodes(graph, spec, x, key):
    """Heaviside: 1 where x > 0, else 0, in the network's dtype."""
    above = graph.add("Greater", [x, graph.constant(f"{key}.zero", 0.0)], f"{key}.above")
    return graph.cast(above, graph.dtype, key)


def _softmax_nodes(graph, spec, x, key):
    return graph.add("Softmax", [x], key, axis=-1)


def _identity_nodes(graph, spec, x, key):
    return x


REGISTRY = {
    activation.name: activation
    for activation in (
        Activation(
            "sigmoid",
            formula="σ(z) = 1/(1 + e⁻ᶻ)",
            derivative="σ'(z) = a(1 − a)",
            plain="1 / (1 + exp(-x))",
            torch="nn.Sigmoid()",
            onnx="Sigmoid",
            symbol="σ",
            offered=True,
        ),
        Activation(
            "tanh",
            formula="tanh(z)",
            derivative="tanh'(z) = 1 − a²",
            plain="tanh(x)",
            torch="nn.Tanh()",
            onnx="Tanh",
            offered=True,
        ),
        Activation(
            "relu",
            formula="relu(z) = max(0, z)",
            derivative="relu'(z) = 1 if z > 0 else 0",
            plain="max(0, x)",
            torch="nn.ReLU()",
            onnx="Relu",
            offered=True,
        ),
        Activation(
            "leaky_relu",
            formula="leaky_relu(z) = z if z > 0 else slope·z",
            derivative="1 if z > 0 else slope",
            plain="x if x > 0 else slope * x",
            torch="nn.LeakyReLU({slope!r})",
            onnx_nodes=_leaky_relu_nodes,
            parameters={"slope": 0.01},
            offered=True,
        ),
        Activation(
            "identity",
            formula="a = z (no activation)",
            derivative="1",
            plain="x",
            torch="nn.Identity()",
            onnx_nodes=_identity_nodes,
            symbol="",
        ),
        Activation(
            "step",
            formula="step(z) = 1 if z > 0 else 0",
            derivative="0 (a step has no slope: it cannot learn)",
            plain="1 if x > 0 else 0",
            torch="Heaviside()",
            torch_note="Heaviside: no gradient",
            torch_class=HEAVISIDE_CLASS,
            onnx_nodes=_step_nodes,
        ),
        Activation(
            "softmax",
            formula="softmax(z)ⱼ = eᶻʲ / Σₖ eᶻᵏ",
            derivative="a ⊙ (∂L/∂a − Σ a·∂L/∂a)",
            plain="exp(x_i) / sum_j exp(x_j)",
            torch="nn.Softmax(dim=-1)",
            onnx_nodes=_softmax_nodes,
            hidden=False,
        ),
    )
}

HIDDEN_ACTIVATIONS = tuple(name for name, a in REGISTRY.items() if a.offered)  # what --activation offers
ACTIVATIONS = tuple(name for name, a in REGISTRY.items() if a.hidden)  # what a hidden layer may be built of
