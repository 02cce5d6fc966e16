"""How each exporter writes the image layers — Unflatten, Conv2d, MaxPool2d, Flatten — as
PyTorch code, ONNX nodes and JSON formulas. (An image layer's spec is shared by all three:
see nncli.nn.conv.)"""

from nncli.nn.conv import IMAGE_LAYERS  # noqa: F401 (the exporters ask this module which layers it writes)

FORMULAS = {
    "unflatten": "each row of `in` numbers as an image of `shape` = [channels, height, width]",
    "conv2d": "out[o, i, j] = bias[o] + sum over c, p, q of weight[o, c, p, q] * x[c, i*stride + p, j*stride + q] "
    "(x padded with `padding` zeros all round)",
    "maxpool2d": "out[c, i, j] = max over p, q < kernel of x[c, i*stride + p, j*stride + q]",
    "flatten": "each image's channels, rows and columns as one row of numbers",
}


def torch_layer(entry):
    """(the torch.nn code for one image layer, a comment on it)."""
    kind = entry["type"]
    if kind == "unflatten":
        shape = tuple(entry["shape"])
        return f"nn.Unflatten(1, {shape})", f"rows of {entry['in']} numbers as {shape[0]}×{shape[1]}×{shape[2]} images"
    if kind == "conv2d":
        bias = "" if entry["bias"] else ", bias=False"
        code = (
            f"nn.Conv2d({entry['in']}, {entry['out']}, kernel_size={entry['kernel']}, "
            f"stride={entry['stride']}, padding={entry['padding']}{bias})"
        )
        return code, f"{entry['out']} kernels of {entry['kernel']}×{entry['kernel']}"
    if kind == "maxpool2d":
        return f"nn.MaxPool2d(kernel_size={entry['kernel']}, stride={entry['stride']})", ""
    return "nn.Flatten()", ""


def onnx_layer(graph, entry, state, x, key):
    """The ONNX node(s) of one image layer applied to the value named `x` (see
    nncli.export.onnx.GraphBuilder); returns the name of its output."""
    kind = entry["type"]
    if kind == "unflatten":
        shape = graph.constant(f"{key}.shape", [-1, *entry["shape"]], "int64")
        return graph.add("Reshape", [x, shape], key)
    if kind == "conv2d":
        inputs = [x, graph.constant(f"{key}.weight", state[f"{key}.weight"])]
        if entry["bias"]:
            inputs.append(graph.constant(f"{key}.bias", state[f"{key}.bias"]))
        kernel, stride, padding = entry["kernel"], entry["stride"], entry["padding"]
        return graph.add(
            "Conv", inputs, key, kernel_shape=[kernel, kernel], strides=[stride, stride], pads=[padding] * 4
        )
    if kind == "maxpool2d":
        kernel, stride = entry["kernel"], entry["stride"]
        return graph.add("MaxPool", [x], key, kernel_shape=[kernel, kernel], strides=[stride, stride])
    return graph.add("Flatten", [x], key, axis=1)
