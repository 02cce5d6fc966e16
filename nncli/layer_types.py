"""Every layer type, declared once: one record says what a model file's layer entry of
that type holds and what nncli writes about it.

The names a model file may use (`nncli.settings.LAYER_TYPES`), the arrays the store
expects for a layer (`nncli.store.state_shapes`), the count of numbers a network learns
(`nncli.nn.parameter_count`) and the JSON export's formulas (`nncli.export.json`) read
what they need from here. What a layer computes is the engine's to say, in its class in
`nncli.nn` (`nncli.nn.layers`, the image layers in `nncli.nn.conv`), which builds itself
from its entry under the same name (`LAYERS` there). The activations are layers too:
their records are `nncli.activations`'.

So adding a layer type is its record here plus its class there.

Plain Python, free of NumPy, so the command line's `--help` stays instant.
"""

from dataclasses import dataclass

from nncli.activations import REGISTRY as ACTIVATIONS


def _no_arrays(entry):
    return {}


@dataclass(frozen=True)
class LayerType:
    """What nncli says about one layer type.

    `parameters` and `buffers` are functions of a layer's entry giving the arrays it keeps
    in the model file (the learned ones, then those it only tracks), by the name after its
    key ("weight" for "0.weight"), with their shapes. `block`: the entry holds a list of
    layers under "layers", whose arrays sit under its key + ".module.".

    `onnx` is a function of the graph (`nncli.export.onnx.GraphBuilder`), the layer's entry,
    the model's state dict, the input's name and the layer's key, which adds the layer's
    nodes (named by its key) and returns the output's name.
    """

    name: str
    formula: str = ""  # what it computes, in ASCII, for the JSON export ("": its numbers say it)
    parameters: object = _no_arrays
    buffers: object = _no_arrays
    image: bool = False  # takes or gives images (nncli.nn.conv's layers)
    block: bool = False
    title: object = None  # a function of the entry: how `inspect model` names the layer; None: "relu()"
    torch: object = None  # a function of the entry: (the torch.nn code of the PyTorch export, a comment on it)
    onnx: object = None  # builds its ONNX nodes (see above)

    def arrays(self, entry):
        """Every array this layer keeps, learned ones first, with their shapes."""
        return {**self.parameters(entry), **self.buffers(entry)}

    def title_of(self, entry):
        """The layer's name in a model's summary: "Linear(2 → 4)", "dropout(p=0.5)"."""
        return self.title(entry) if self.title else f"{self.name}()"


def _weight_and_bias(entry):
    """A linear layer's weight (out × in) or a convolution's (out × in × kernel × kernel),
    and its bias if it has one."""
    kernel = (entry["kernel"],) * 2 if "kernel" in entry else ()
    shapes = {"weight": (entry["out"], entry["in"], *kernel)}
    if entry["bias"]:
        shapes["bias"] = (entry["out"],)
    return shapes


def _scale_and_shift(entry):
    return {"weight": (entry["features"],), "bias": (entry["features"],)}


def _running_statistics(entry):
    features = (entry["features"],)
    return {"running_mean": features, "running_var": features, "num_batches_tracked": ()}


def _plural(number, noun):
    return f"{number} {noun}" + ("s" if number != 1 else "")


def _linear_torch(entry):
    bias = "" if entry["bias"] else ", bias=False"
    comment = f"{_plural(entry['in'], 'input')} -> {_plural(entry['out'], 'neuron')}"
    return f"nn.Linear({entry['in']}, {entry['out']}{bias})", comment


def _batchnorm_torch(entry):
    code = f"nn.BatchNorm1d({entry['features']}, eps={entry['eps']!r}, momentum={entry['momentum']!r})"
    return code, "normalises each feature; predicts with running statistics"


def _unflatten_torch(entry):
    shape = tuple(entry["shape"])
    return f"nn.Unflatten(1, {shape})", f"rows of {entry['in']} numbers as {shape[0]}×{shape[1]}×{shape[2]} images"


def _conv_torch(entry):
    bias = "" if entry["bias"] else ", bias=False"
    code = (
        f"nn.Conv2d({entry['in']}, {entry['out']}, kernel_size={entry['kernel']}, "
        f"stride={entry['stride']}, padding={entry['padding']}{bias})"
    )
    return code, f"{entry['out']} kernels of {entry['kernel']}×{entry['kernel']}"


def _linear_onnx(graph, entry, state, x, key):
    """x · weightᵀ + bias, as torch.nn.Linear."""
    inputs = [x, graph.constant(f"{key}.weight", state[f"{key}.weight"])]
    if entry["bias"]:
        inputs.append(graph.constant(f"{key}.bias", state[f"{key}.bias"]))
    return graph.add("Gemm", inputs, key, transB=1)


def _batchnorm_onnx(graph, entry, state, x, key):
    """Evaluation: (x − running_mean) / sqrt(running_var + eps) · weight + bias, in nncli's
    own steps, not BatchNormalization, whose eps is a 32-bit attribute."""
    names = ("weight", "bias", "running_mean", "running_var")
    params = {name: graph.constant(f"{key}.{name}", state[f"{key}.{name}"]) for name in names}
    variance = graph.add("Add", [params["running_var"], graph.constant(f"{key}.eps", entry["eps"])], f"{key}.var")
    sigma = graph.add("Sqrt", [variance], f"{key}.sigma")
    centred = graph.add("Sub", [x, params["running_mean"]], f"{key}.centred")
    normalised = graph.add("Div", [centred, sigma], f"{key}.normalised")
    scaled = graph.add("Mul", [normalised, params["weight"]], f"{key}.scaled")
    return graph.add("Add", [scaled, params["bias"]], key)


def _residual_onnx(graph, entry, state, x, key):
    inner = graph.layers(entry["layers"], state, x, f"{key}.module.")
    return graph.add("Add", [x, inner], key)


def _unflatten_onnx(graph, entry, state, x, key):
    shape = graph.constant(f"{key}.shape", [-1, *entry["shape"]], "int64")
    return graph.add("Reshape", [x, shape], key)


def _conv_onnx(graph, entry, state, x, key):
    inputs = [x, graph.constant(f"{key}.weight", state[f"{key}.weight"])]
    if entry["bias"]:
        inputs.append(graph.constant(f"{key}.bias", state[f"{key}.bias"]))
    kernel, stride, padding = entry["kernel"], entry["stride"], entry["padding"]
    return graph.add("Conv", inputs, key, kernel_shape=[kernel, kernel], strides=[stride, stride], pads=[padding] * 4)


def _pool_onnx(graph, entry, state, x, key):
    kernel, stride = entry["kernel"], entry["stride"]
    return graph.add("MaxPool", [x], key, kernel_shape=[kernel, kernel], strides=[stride, stride])


def _conv_title(entry):
    return (
        f"Conv2d({entry['in']} → {entry['out']}, {entry['kernel']}×{entry['kernel']}"
        + (f", stride {entry['stride']}" if entry["stride"] != 1 else "")
        + (f", padding {entry['padding']}" if entry["padding"] else "")
        + ("" if entry["bias"] else ", no bias")
        + ")"
    )


def _pool_title(entry):
    stride = f", stride {entry['stride']}" if entry["stride"] != entry["kernel"] else ""
    return f"MaxPool2d({entry['kernel']}×{entry['kernel']}{stride})"


REGISTRY = {
    layer.name: layer
    for layer in (
        LayerType(
            "linear",
            parameters=_weight_and_bias,
            title=lambda entry: f"Linear({entry['in']} → {entry['out']})",
            torch=_linear_torch,
            onnx=_linear_onnx,
        ),
        LayerType(
            "batchnorm",
            formula="(x - running_mean) / sqrt(running_var + eps) * weight + bias",
            parameters=_scale_and_shift,
            buffers=_running_statistics,
            title=lambda entry: f"batchnorm({entry['features']})",
            torch=_batchnorm_torch,
            onnx=_batchnorm_onnx,
        ),
        LayerType(
            "residual",
            formula="x + layers(x)",
            block=True,
            onnx=_residual_onnx,
            title=lambda entry: "residual(x + " + " → ".join(inner["type"] for inner in entry["layers"]) + ")",
        ),
        LayerType(
            "dropout",
            formula="x (dropout only acts while training)",
            title=lambda entry: f"dropout(p={entry['p']})",
            torch=lambda entry: (f"nn.Dropout(p={entry['p']!r})", "only while training"),
            onnx=lambda graph, entry, state, x, key: x,  # dropout only acts while training
        ),
        LayerType(
            "unflatten",
            formula="each row of `in` numbers as an image of `shape` = [channels, height, width]",
            image=True,
            title=lambda entry: "Unflatten(" + "×".join(map(str, entry["shape"])) + ")",
            torch=_unflatten_torch,
            onnx=_unflatten_onnx,
        ),
        LayerType(
            "conv2d",
            formula="out[o, i, j] = bias[o] + sum over c, p, q of weight[o, c, p, q] "
            "* x[c, i*stride + p, j*stride + q] (x padded with `padding` zeros all round)",
            parameters=_weight_and_bias,
            image=True,
            title=_conv_title,
            torch=_conv_torch,
            onnx=_conv_onnx,
        ),
        LayerType(
            "maxpool2d",
            formula="out[c, i, j] = max over p, q < kernel of x[c, i*stride + p, j*stride + q]",
            image=True,
            title=_pool_title,
            torch=lambda entry: (f"nn.MaxPool2d(kernel_size={entry['kernel']}, stride={entry['stride']})", ""),
            onnx=_pool_onnx,
        ),
        LayerType(
            "flatten",
            formula="each image's channels, rows and columns as one row of numbers",
            image=True,
            title=lambda entry: "Flatten()",
            torch=lambda entry: ("nn.Flatten()", ""),
            onnx=lambda graph, entry, state, x, key: graph.add("Flatten", [x], key, axis=1),
        ),
    )
}


def _activation_layer(activation):
    """An activation is a layer with no arrays; what is written about it is its record's."""
    return LayerType(
        activation.name,
        formula=activation.plain,
        torch=lambda entry: (activation.torch_code(entry), activation.torch_note),
        onnx=lambda graph, entry, state, x, key: (
            activation.onnx_nodes(graph, entry, x, key)
            if activation.onnx_nodes
            else graph.add(activation.onnx, [x], key)
        ),
    )


REGISTRY.update({name: _activation_layer(activation) for name, activation in ACTIVATIONS.items()})

LAYER_TYPES = tuple(REGISTRY)  # every type a model file's layer entry may have
IMAGE_LAYERS = tuple(name for name, layer in REGISTRY.items() if layer.image)  # nncli.nn.conv's layers
BLOCKS = tuple(name for name, layer in REGISTRY.items() if layer.block)


def every_layer(layers):
    """Every layer entry of a list, those inside blocks (residual) included, in order. An
    entry that is not one is passed over, not opened: the store says what is wrong with it."""
    for entry in layers:
        yield entry
        if isinstance(entry, dict) and entry.get("type") in BLOCKS and isinstance(entry.get("layers"), list):
            yield from every_layer(entry["layers"])
