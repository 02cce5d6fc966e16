"""How the PyTorch and ONNX exporters write the image layers — Unflatten, Conv2d,
MaxPool2d, Flatten. (An image layer's spec is shared by all three exporters: see
nncli.nn.conv; its JSON formula is its record's in nncli.layer_types.)"""


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
