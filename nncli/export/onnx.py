"""A trained model as an ONNX graph (opset 17), for onnxruntime and model viewers.

The graph computes what `nncli predict` does, the way nncli does it. Its input, named
"input", is rows of raw inputs (any number of rows) in the network's dtype — float32 for a
float32 model, as ONNX consumers expect, float64 for a float64 one — and so are its
outputs. The first nodes are the model's preprocessing, in float64 as in nncli: the
features computed from each raw point, then the input scaling; then comes one node per
layer, named by its state-dict key ("0" is a Gemm with initializers "0.weight" and
"0.bias"), so the graph reads like the model file. The outputs are named for what they
hold: "output" (a score, or a value in the targets' own units, unscaled by the last nodes,
again in float64), or for classifiers "logits" and "probabilities" (the softmax in float64).
The graph's doc string says what the input holds. Built with the `onnx` package (the
optional extra `nncli[onnx]`), checked with onnx.checker before it is written.
"""

import numpy as np

from nncli import __version__
from nncli.command import recorded_command
from nncli.export import OUTPUT_KINDS
from nncli.layer_types import REGISTRY as LAYER_TYPES

OPSET = 17
IR_VERSION = 8  # the IR version of opset 17, so older runtimes read the file too


class GraphBuilder:
    """Collects nodes and initializers; each `add` returns the name of its output."""

    def __init__(self, helper, numpy_helper, dtype):
        self.helper, self.numpy_helper, self.dtype = helper, numpy_helper, np.dtype(dtype)
        self.nodes, self.initializers = [], []

    def constant(self, name, values, dtype=None):
        """An initializer in the network's dtype (or `dtype`)."""
        array = np.asarray(values, dtype=dtype or self.dtype)
        self.initializers.append(self.numpy_helper.from_array(array, name))
        return name

    def add(self, op, inputs, name, output=None, **attributes):
        output = output or name
        self.nodes.append(self.helper.make_node(op, inputs, [output], name=name, **attributes))
        return output

    def layers(self, layers, state, x, prefix=""):
        """Nodes for a layer list applied to the value named `x`; returns the last output."""
        for index, entry in enumerate(layers):
            x = self.layer(entry, state, x, f"{prefix}{index}")
        return x

    def layer(self, entry, state, x, key):
        """The nodes of one layer, as its record in nncli.layer_types writes them."""
        return LAYER_TYPES[entry["type"]].onnx(self, entry, state, x, key)

    def cast(self, x, dtype, name):
        """A node casting the value named `x` to `dtype`."""
        return self.add("Cast", [x], name, to=self.helper.np_dtype_to_tensor_dtype(np.dtype(dtype)))

    def features(self, recipes, x):
        """Nodes computing the features (see nncli.data.features) of the raw points `x`, one
        column each, in order; returns the name of their (rows, features) matrix."""
        columns = {}

        def column(i):  # x1 or x2, as a (rows, 1) column
            if i not in columns:
                index = self.constant(f"x{i + 1}.index", [i], np.int64)
                columns[i] = self.add("Gather", [x, index], f"x{i + 1}", axis=1)
            return columns[i]

        made = []
        for name, (operation, *where) in recipes.items():
            if operation == "column":
                made.append(column(where[0]))
            elif operation == "product":
                made.append(self.add("Mul", [column(where[0]), column(where[1])], f"feature {name}"))
            else:
                made.append(self.add("Sin", [column(where[0])], f"feature {name}"))
        return self.add("Concat", made, "features", axis=1)


def render(model):
    """The serialized ONNX model (bytes) of `model` (an nncli.export.Exported)."""
    import onnx
    from onnx import helper, numpy_helper

    dtype, scaling = np.dtype(model.meta["dtype"]), model.scaling
    wide = dtype != np.float64  # the preprocessing and the output's unscaling run in float64
    graph = GraphBuilder(helper, numpy_helper, dtype)
    x = "input"
    if model.features or "x_mean" in scaling:
        x = graph.cast(x, np.float64, "input_float64") if wide else x
        if model.features:
            x = graph.features(model.features, x)
        if "x_mean" in scaling:
            centred = graph.add("Sub", [x, graph.constant("x_mean", scaling["x_mean"], np.float64)], "centre_input")
            x = graph.add("Div", [centred, graph.constant("x_std", scaling["x_std"], np.float64)], "scale_input")
        x = graph.cast(x, dtype, f"network_input_{dtype}") if wide else x
    x = graph.layers(model.layers, model.state, x)
    if model.output == "classes":
        logits = graph.add("Identity", [x], "logits")
        if wide:
            probabilities = graph.add("Softmax", [graph.cast(logits, np.float64, "logits_float64")], "softmax", axis=-1)
            graph.cast(probabilities, dtype, "probabilities")
        else:
            graph.add("Softmax", [logits], "probabilities", axis=-1)
        outputs = ["logits", "probabilities"]
    else:
        if model.output == "value" and "y_mean" in scaling:
            x = graph.cast(x, np.float64, "output_float64") if wide else x
            x = graph.add("Mul", [x, graph.constant("y_std", scaling["y_std"], np.float64)], "unscale_output")
            x = graph.add("Add", [x, graph.constant("y_mean", scaling["y_mean"], np.float64)], "shift_output")
            x = graph.cast(x, dtype, f"output_{dtype}") if wide else x
        graph.add("Identity", [x], "output")
        outputs = ["output"]

    element = helper.np_dtype_to_tensor_dtype(dtype)
    onnx_graph = helper.make_graph(
        graph.nodes,
        f"nncli_{model.meta['task']}",
        [helper.make_tensor_value_info("input", element, ["rows", model.inputs], doc_string=input_words(model))],
        [helper.make_tensor_value_info(name, element, ["rows", model.outputs]) for name in outputs],
        graph.initializers,
        doc_string=f"{model.meta['task']} model from nncli. {input_words(model)} "
        f"Outputs ({dtype}, rows × {model.outputs}): {OUTPUT_KINDS[model.output]}.",
    )
    onnx_model = helper.make_model(
        onnx_graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="nncli",
        producer_version=__version__,
        ir_version=IR_VERSION,
    )
    helper.set_model_props(
        onnx_model,
        {
            "task": model.meta["task"],
            "made_by": recorded_command(model.meta),
            "output_kind": model.output,
            "loss": model.loss,
        },
    )
    onnx.checker.check_model(onnx_model, full_check=True)
    return onnx_model.SerializeToString()


def input_words(model):
    """What the graph's input is: its name, dtype, shape and meaning."""
    from nncli.export import inert

    table = model.meta.get("table")
    if model.features:
        meaning = f"points (x1, x2), from which the graph computes the features {', '.join(model.features)}"
    elif isinstance(table, dict) and isinstance(table.get("inputs"), list):
        meaning = "the columns " + ", ".join(inert(name) for name in table["inputs"])
    else:
        meaning = "raw inputs, as `nncli predict` takes them"
    scaled = ", scaled inside the graph" if "x_mean" in model.scaling else ""
    return f'Input "input" ({model.meta["dtype"]}, rows × {model.inputs}): {meaning}{scaled}.'
