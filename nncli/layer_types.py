"""Every layer type, declared once: one record says what a model file's layer entry of
that type holds and what nncli writes about it.

The names a model file may use (`nncli.settings.LAYER_TYPES`), how the store checks a
layer's entry and what width or image shape it gives (`nncli.store.check_layers`), the
arrays the store expects for a layer (`nncli.store.state_shapes`) and the memory it
budgets for it (`nncli.store.memory_needed`), the count of numbers a network learns
(`nncli.nn.parameter_count`) and the JSON export's formulas (`nncli.export.json`) read
what they need from here. What a layer computes is the engine's to say, in its class in
`nncli.nn` (`nncli.nn.layers`, the image layers in `nncli.nn.conv`), which builds itself
from its entry under the same name (`LAYERS` there). The activations are layers too:
their records are `nncli.activations`'.

So adding a layer type is its record here plus its class there.

Plain Python, free of NumPy, so the command line's `--help` stays instant.
"""

import math
from dataclasses import dataclass

from nncli.activations import REGISTRY as ACTIVATIONS
from nncli.settings import MAX_CHANNELS, MAX_LAYER

MAX_KERNEL = 64  # pixels across a convolution's kernel, its stride and a pool's stride
MAX_POOL = 16  # the widest max-pool window: its 256 pixels numbered in one byte


def _no_arrays(entry):
    return {}


def _as_wide_as_its_input(entry, takes, where, walk):
    return takes


def _holds_nothing(entry, takes, gives):
    return 0


@dataclass(frozen=True)
class LayerType:
    """What nncli says about one layer type.

    `parameters` and `buffers` are functions of a layer's entry giving the arrays it keeps
    in the model file (the learned ones, then those it only tracks), by the name after its
    key ("weight" for "0.weight"), with their shapes. `block`: the entry holds a list of
    layers under "layers", whose arrays sit under its key + ".module.".

    `check(entry, takes, where, walk)` checks an entry read from a model file, given what
    the layer before it gives (`takes`: None at the network's start, a whole number for
    rows of that many numbers, (channels, height, width) for images), and returns what
    this layer gives; it raises ValueError starting with `where` ("layer 2 (linear)") if
    the entry is wrong. A block checks its inner layers with `walk(layers, takes)`, the
    store's own walk, which returns what they give.

    `holds(entry, takes, gives)` is how many numbers the layer keeps per example while a
    batch goes through it (the store's memory budget adds them up, and the network's output).

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
    check: object = _as_wide_as_its_input
    holds: object = _holds_nothing
    width_in: object = None  # a function of the entry: the width of rows it says it takes (None: says none)
    dense: bool = False  # maps every input to every output: a network needs one such layer
    units: str = ""  # what its "out" counts, for a network too big to run ("neurons", "channels")
    title: object = None  # a function of the entry: how `inspect model` names the layer; None: "relu()"
    torch: object = None  # a function of the entry: (the torch.nn code of the PyTorch export, a comment on it)
    torch_class: str = ""  # the class the PyTorch export defines for it, where torch.nn has none
    onnx: object = None  # builds its ONNX nodes (see above)

    def arrays(self, entry):
        """Every array this layer keeps, learned ones first, with their shapes."""
        return {**self.parameters(entry), **self.buffers(entry)}

    def title_of(self, entry):
        """The layer's name in a model's summary: "Linear(2 → 4)", "dropout(p=0.5)"."""
        return self.title(entry) if self.title else f"{self.name}()"


# --- checking a model file's entry -------------------------------------------------------


def is_int(x):
    """A whole number (JSON's true and false are not numbers here)."""
    return isinstance(x, int) and not isinstance(x, bool)


def is_number(x):
    """A finite number (not true or false)."""
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _rows(takes, where):
    if isinstance(takes, tuple):
        raise ValueError(f"{where} takes rows of numbers, but the layer before it gives images")


def _images(takes, where):
    if not isinstance(takes, tuple):
        raise ValueError(f"{where} takes images, but its input is not one (an unflatten layer must come first)")


def _check_linear(entry, takes, where, walk):
    _rows(takes, where)
    for field in ("in", "out"):
        if not is_int(entry.get(field)) or not 1 <= entry[field] <= MAX_LAYER:
            raise ValueError(f"{where}: {field!r} must be a whole number from 1 to {MAX_LAYER:,}")
    if not isinstance(entry.get("bias"), bool):
        raise ValueError(f"{where}: 'bias' must be true or false")
    if takes is not None and entry["in"] != takes:
        raise ValueError(f"{where} takes {entry['in']} inputs but the linear layer before it gives {takes}")
    return entry["out"]


def _check_batchnorm(entry, takes, where, walk):
    _rows(takes, where)
    if not is_int(entry.get("features")) or not 1 <= entry["features"] <= MAX_LAYER:
        raise ValueError(f"{where}: 'features' must be a whole number from 1 to {MAX_LAYER:,}")
    if not (is_number(entry.get("eps")) and entry["eps"] > 0):
        raise ValueError(f"{where}: 'eps' must be a number greater than 0")
    if not (is_number(entry.get("momentum")) and 0 <= entry["momentum"] <= 1):
        raise ValueError(f"{where}: 'momentum' must be a number in [0, 1]")
    if takes is not None and entry["features"] != takes:
        raise ValueError(f"{where} normalises {entry['features']} features, but the layer before it gives {takes}")
    return entry["features"]


def _check_residual(entry, takes, where, walk):
    _rows(takes, where)
    inner = entry.get("layers")
    if not isinstance(inner, list) or not inner:
        raise ValueError(f"{where}: 'layers' must be a non-empty list")
    if takes is None:  # a block that opens the network: as wide as the first of its layers that says
        first = next((layer for layer in inner if _says_its_width(layer)), None)
        takes = REGISTRY[first["type"]].width_in(first) if first else None
    gives = walk(inner, takes)
    if gives != takes:
        raise ValueError(f"{where} turns {takes} features into {gives}: x + f(x) needs equal widths")
    return takes


def _says_its_width(entry):
    return isinstance(entry, dict) and entry.get("type") in LAYER_TYPES and REGISTRY[entry["type"]].width_in


def _check_dropout(entry, takes, where, walk):
    if not (is_number(entry.get("p")) and 0 <= entry["p"] < 1):
        raise ValueError(f"{where}: 'p' must be a number in [0, 1)")
    return takes


def _check_unflatten(entry, takes, where, walk):
    dims = entry.get("shape")
    if not (isinstance(dims, list) and len(dims) == 3 and all(is_int(d) and 1 <= d <= MAX_LAYER for d in dims)):
        raise ValueError(f"{where}: 'shape' must be [channels, height, width], whole numbers from 1")
    if not is_int(entry.get("in")) or entry["in"] != math.prod(dims) or entry["in"] > MAX_LAYER:
        raise ValueError(f"{where}: 'in' must be channels × height × width, at most {MAX_LAYER:,}")
    if takes is not None:
        raise ValueError(f"{where}: an unflatten layer comes first in a network, or not at all")
    return tuple(dims)


def _check_flatten(entry, takes, where, walk):
    _images(takes, where)
    return _image_shape(entry, takes)


def _check_window(entry, takes, where, largest):
    """What a convolution and a max-pool share: a kernel sliding by a stride over images."""
    _images(takes, where)
    kernel, stride = entry.get("kernel"), entry.get("stride")
    if not (is_int(kernel) and 1 <= kernel <= largest and is_int(stride) and 1 <= stride <= MAX_KERNEL):
        raise ValueError(
            f"{where}: 'kernel' must be a whole number from 1 to {largest}, 'stride' from 1 to {MAX_KERNEL}"
        )


def _fitted(entry, takes, where):
    """The window's output shape, if the window fits in its input."""
    out = _image_shape(entry, takes)
    if min(out[1:]) < 1:
        kernel, (_, height, width) = entry["kernel"], takes
        raise ValueError(f"{where}: a {kernel}×{kernel} window does not fit in its {height}×{width} input")
    return out


def _check_conv(entry, takes, where, walk):
    _check_window(entry, takes, where, MAX_KERNEL)
    for field in ("in", "out"):
        if not is_int(entry.get(field)) or not 1 <= entry[field] <= MAX_CHANNELS:
            raise ValueError(f"{where}: {field!r} must be a whole number of channels from 1 to {MAX_CHANNELS:,}")
    if not (is_int(entry.get("padding")) and 0 <= entry["padding"] < entry["kernel"]):
        raise ValueError(f"{where}: 'padding' must be a whole number from 0 to the kernel's size less 1")
    if not isinstance(entry.get("bias"), bool):
        raise ValueError(f"{where}: 'bias' must be true or false")
    if entry["in"] != takes[0]:
        raise ValueError(f"{where} takes {entry['in']} channels, but the layer before it gives {takes[0]}")
    return _fitted(entry, takes, where)


def _check_pool(entry, takes, where, walk):
    _check_window(entry, takes, where, MAX_POOL)
    return _fitted(entry, takes, where)


def output_size(size, kernel, stride=1, padding=0):
    """Positions a window of `kernel` takes along `size` (+ padding both sides), as PyTorch
    counts them: a window that would stick out past the edge is not taken."""
    return (size + 2 * padding - kernel) // stride + 1


def _image_shape(entry, shape):
    """The shape of one image layer's output (a checked entry) for one input of `shape`:
    (channels, height, width) for an image, a whole number for a row."""
    kind = entry["type"]
    if kind == "unflatten":
        return tuple(entry["shape"])
    channels, height, width = shape
    if kind == "flatten":
        return channels * height * width
    kernel, stride, padding = entry["kernel"], entry["stride"], entry.get("padding", 0)
    rows, columns = (output_size(side, kernel, stride, padding) for side in (height, width))
    return (entry["out"] if kind == "conv2d" else channels), rows, columns


def _activation_check(activation):
    """An activation's entry holds a number for each of its parameters (leaky_relu's slope)."""

    def check(entry, takes, where, walk):
        unset = [name for name in activation.parameters if not is_number(entry.get(name))]
        if unset:
            raise ValueError(f"{where}: '{unset[0]}' must be a number")
        return takes

    return check


# --- what a layer keeps and what nncli writes about it -----------------------------------


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


RESIDUAL_CLASS = '''

class Residual(nn.Module):
    """A skip connection: x + module(x), where the layers inside keep the width."""

    def __init__(self, *layers):
        super().__init__()
        self.module = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.module(x)
'''


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
            check=_check_linear,
            holds=lambda entry, takes, gives: entry["in"],  # its input, kept for the backward pass
            width_in=lambda entry: entry.get("in"),
            dense=True,
            units="neurons",
            parameters=_weight_and_bias,
            title=lambda entry: f"Linear({entry['in']} → {entry['out']})",
            torch=_linear_torch,
            onnx=_linear_onnx,
        ),
        LayerType(
            "batchnorm",
            formula="(x - running_mean) / sqrt(running_var + eps) * weight + bias",
            check=_check_batchnorm,
            holds=lambda entry, takes, gives: 2 * entry["features"],  # its input and the normalised copy
            width_in=lambda entry: entry.get("features"),
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
            check=_check_residual,
            torch=lambda entry: ("Residual(", "x + these layers of x"),  # the block's layers follow inside
            torch_class=RESIDUAL_CLASS,
            onnx=_residual_onnx,
            title=lambda entry: "residual(x + " + " → ".join(inner["type"] for inner in entry["layers"]) + ")",
        ),
        LayerType(
            "dropout",
            formula="x (dropout only acts while training)",
            check=_check_dropout,
            title=lambda entry: f"dropout(p={entry['p']})",
            torch=lambda entry: (f"nn.Dropout(p={entry['p']!r})", "only while training"),
            onnx=lambda graph, entry, state, x, key: x,  # dropout only acts while training
        ),
        LayerType(
            "unflatten",
            formula="each row of `in` numbers as an image of `shape` = [channels, height, width]",
            image=True,
            check=_check_unflatten,
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
            check=_check_conv,
            # its patches as columns (in·kernel² numbers for each output position), and its output
            holds=lambda entry, takes, gives: (entry["in"] * entry["kernel"] ** 2 + entry["out"]) * gives[1] * gives[2],
            units="channels",
            title=_conv_title,
            torch=_conv_torch,
            onnx=_conv_onnx,
        ),
        LayerType(
            "maxpool2d",
            formula="out[c, i, j] = max over p, q < kernel of x[c, i*stride + p, j*stride + q]",
            image=True,
            check=_check_pool,
            holds=lambda entry, takes, gives: math.prod(takes),  # its input
            title=_pool_title,
            torch=lambda entry: (f"nn.MaxPool2d(kernel_size={entry['kernel']}, stride={entry['stride']})", ""),
            onnx=_pool_onnx,
        ),
        LayerType(
            "flatten",
            formula="each image's channels, rows and columns as one row of numbers",
            image=True,
            check=_check_flatten,
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
        check=_activation_check(activation),
        torch=lambda entry: (activation.torch_code(entry), activation.torch_note),
        torch_class=activation.torch_class,
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
