"""A trained model as JSON, for reading the numbers or porting them to another language.

In the spirit of ConvNetJS's `toJSON`: the layers in order, each with its settings and its
parameters as nested lists (a linear layer's weight is `out` rows of `in` numbers, so
output = weight · input + bias), the activations named with their formulas, the input's
preprocessing (the features computed from each raw point, by name and formula in the
order the network takes them, then the scaling), what the outputs mean, and how the model
was made. Every number reads back as
exactly the value nncli holds (float32 numbers are written with the digits float32 needs).
"""

import json

from nncli.command import recorded_command
from nncli.export import OUTPUT_KINDS, literal, notes
from nncli.layer_types import REGISTRY as LAYER_TYPES

FORMAT_NAME = "nncli-json"
FORMAT_VERSION = 2  # 2: "input" names the features computed from raw points; "size" counts raw inputs

FORMULAS = {name: layer.formula for name, layer in LAYER_TYPES.items() if layer.formula}


def render(model):
    """The JSON text of `model` (an nncli.export.Exported)."""
    meta, dtype = model.meta, model.meta["dtype"]
    document = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "nncli_version": meta.get("nncli_version"),
        "task": meta["task"],
        "made_by": recorded_command(meta),
        "dtype": dtype,
        "input": {
            "size": model.inputs,
            "features": _features(model.features),
            "network_size": model.network_inputs,
            "scaling": _pick(model.scaling, "x_mean", "x_std"),
            "formula": _input_formula(model),
        },
        "output": {
            "size": model.outputs,
            "kind": model.output,
            "meaning": OUTPUT_KINDS[model.output],
            "scaling": _pick(model.scaling, "y_mean", "y_std"),
            "formula": "y = y_net * y_std + y_mean" if "y_mean" in model.scaling else "y = y_net",
        },
        "loss": model.loss,
        "training": {**model.training, "seed": meta["seed"]},
        "metrics": meta["metrics"],
        "notes": notes(model.layers),
        "layers": _layers(model.layers, model.state, ""),
    }
    return _dump(document, dtype, 0) + "\n"


FEATURE_FORMULAS = {"column": "{0}", "product": "{0} * {1}", "sin": "sin({0})"}  # a recipe, written out


def _features(recipes):
    """The features of a raw point (x1, x2), in the network's order; None for raw inputs."""
    if not recipes:
        return None
    return [
        {"name": name, "formula": FEATURE_FORMULAS[operation].format(*(("x1", "x2")[i] for i in where))}
        for name, (operation, *where) in recipes.items()
    ]


def _input_formula(model):
    x = "features(x)" if model.features else "x"
    return f"x_net = ({x} - x_mean) / x_std" if "x_mean" in model.scaling else f"x_net = {x}"


def _pick(scaling, *names):
    return {name: scaling[name] for name in names} if names[0] in scaling else None


def _layers(layers, state, prefix):
    """Each layer entry with its formula, its state-dict key and its parameters."""
    entries = []
    for index, entry in enumerate(layers):
        key = f"{prefix}{index}"
        described = {"key": key, **{name: value for name, value in entry.items() if name != "layers"}}
        if entry["type"] in FORMULAS:
            described["formula"] = FORMULAS[entry["type"]]
        if LAYER_TYPES[entry["type"]].block:
            described["layers"] = _layers(entry["layers"], state, f"{key}.module.")
        params = {name[len(key) + 1 :]: array for name, array in state.items() if name.rsplit(".", 1)[0] == key}
        if params:
            described["params"] = params
        entries.append(described)
    return entries


def _dump(value, dtype, indent):
    """JSON with one key per line but each list of numbers on one line, so a weight matrix
    reads as its rows; array numbers are written by `literal` (exact, and short)."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    if hasattr(value, "ndim"):  # a parameter array
        if value.ndim <= 1:
            return _numbers(value, dtype)
        return "[\n" + ",\n".join(inner + _dump(row, dtype, indent + 1) for row in value) + "\n" + pad + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = (f"{inner}{json.dumps(key)}: {_dump(item, dtype, indent + 1)}" for key, item in value.items())
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return "[\n" + ",\n".join(inner + _dump(item, dtype, indent + 1) for item in value) + "\n" + pad + "]"
    return json.dumps(value)


def _numbers(array, dtype):
    if array.ndim == 0:
        return literal(array, dtype)
    return "[" + ", ".join(literal(v, dtype) for v in array) + "]"
