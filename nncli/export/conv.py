"""How the ONNX exporter writes the image layers — Unflatten, Conv2d, MaxPool2d,
Flatten. (An image layer's spec is shared by all three exporters: see nncli.nn.conv; its
PyTorch code and JSON formula are its record's in nncli.layer_types.)"""


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
