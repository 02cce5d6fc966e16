"""A layer type's checks, shapes and memory are its record's (nncli.layer_types): the
store walks a layer list by the records alone, and what they say matches the engine."""

import ast
import json
from pathlib import Path

import numpy as np
import pytest

from nncli import store
from nncli.autograd import Tensor
from nncli.errors import ModelFileError
from nncli.layer_types import LAYER_TYPES
from nncli.nn import from_spec, mlp_spec
from nncli.nn.layers import cnn_spec


def linear(fan_in, fan_out, bias=True):
    return {"type": "linear", "in": fan_in, "out": fan_out, "bias": bias}


def batchnorm(features):
    return {"type": "batchnorm", "features": features, "eps": 1e-5, "momentum": 0.1}


DENSE = [linear(2, 4), {"type": "sigmoid"}, linear(4, 1), {"type": "sigmoid"}]
DEEP = [
    linear(3, 5),
    batchnorm(5),
    {"type": "residual", "layers": [linear(5, 5), {"type": "relu"}, batchnorm(5)]},
    {"type": "dropout", "p": 0.5},
    linear(5, 2),
]
CONV = [
    {"type": "unflatten", "in": 64, "shape": [1, 8, 8]},
    {"type": "conv2d", "in": 1, "out": 4, "kernel": 3, "stride": 1, "padding": 1, "bias": True},
    {"type": "relu"},
    {"type": "maxpool2d", "kernel": 2, "stride": 2},
    {"type": "flatten"},
    linear(64, 10),
]


# The budget, worked out by hand: 8 bytes × (the weights twice + `rows` × 2 × the numbers
# one example holds: each linear layer's input, each batch norm's input and normalised
# copy, each convolution's patch columns and output, each max-pool's input, the output).
@pytest.mark.parametrize(
    "layers,weights,numbers",
    [
        (DENSE, 2 * 4 + 4 + 4 * 1 + 1, 2 + 4 + 1),
        # linears 3·5+5, 5·5+5, 5·2+2; each batch norm: weight, bias, running mean, variance, count
        (DEEP, 20 + 30 + 12 + 2 * (4 * 5 + 1), (3 + 5 + 5) + 2 * (2 * 5) + 2),
        # conv 4·1·3·3+4, linear 64·10+10; conv (1·9 + 4)·8·8, pool 4·8·8, linear 64, output 10
        (CONV, 40 + 650, 13 * 64 + 256 + 64 + 10),
    ],
    ids=["dense", "deep", "conv"],
)
@pytest.mark.parametrize("rows", [1, 10_000])
def test_the_memory_budget_sums_what_each_layer_holds(layers, weights, numbers, rows):
    assert store.memory_needed(layers, rows) == 8 * (2 * weights + 2 * rows * numbers)


@pytest.mark.parametrize(
    "layers",
    [
        DENSE,
        DEEP,
        CONV,
        mlp_spec([3, 6, 6, 6, 2], "leaky_relu", batchnorm=True, residual=True, dropout=0.1),
        cnn_spec(12, [2, 3], [7, 3], "tanh"),
    ],
    ids=["dense", "deep", "conv", "mlp", "cnn"],
)
def test_what_each_record_says_a_layer_gives_is_what_the_engine_computes(layers):
    _, walked = store._walk_network(layers)
    said = {id(entry): gives for entry, _, gives in walked}
    network = from_spec(layers, np.float64, np.random.default_rng(0))
    network.eval()
    first = layers[0] if layers[0]["type"] != "residual" else layers[0]["layers"][0]
    x = Tensor(np.zeros((3, first["in"])))
    for entry, layer in zip(layers, network.layers):
        x = layer(x)
        shape = x.data.shape[1:]
        assert said[id(entry)] == (shape[0] if len(shape) == 1 else shape), entry["type"]


def test_a_residual_block_opening_a_network_says_which_field_its_first_layer_lacks(tmp_path):
    layers = [{"type": "residual", "layers": [{"type": "linear", "out": 2, "bias": True}]}, linear(2, 1)]
    with pytest.raises(ValueError, match=r"^layer 0\.0 \(linear\): 'in' must be a whole number from 1"):
        store.check_layers(layers)

    meta = {"format": store.FORMAT_NAME, "format_version": store.FORMAT_VERSION, "task": "xor"}
    meta.update(dtype="float32", layers=layers)
    path = tmp_path / "model.npz"
    np.savez(path, __meta__=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
    with pytest.raises(ModelFileError, match=r"bad model metadata: layer 0\.0 \(linear\): 'in' must be"):
        store.read_meta(path)


def test_a_network_too_big_to_run_names_its_widest_layer_in_that_layers_unit():
    wide = [*CONV[:-1], linear(64, 100_000), linear(100_000, 1)]
    with pytest.raises(ValueError, match=r"^a network with a layer of 100,000 neurons on 10,000 examples"):
        store.check_memory(wide, 10_000)
    channels = [*CONV[:1], {**CONV[1], "out": 4_096}, CONV[2], {"type": "flatten"}, linear(4_096 * 64, 1)]
    with pytest.raises(ValueError, match=r"^a network with a layer of 4,096 channels on 10,000 examples"):
        store.check_memory(channels, 10_000)


def test_the_store_names_no_layer_type():
    """Adding a layer type is its record and its class: no store code asks for a type by
    name (the docstrings' examples aside)."""
    folder = Path(store.__file__).parent
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        named = [
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value in LAYER_TYPES and id(node) not in docstrings
        ]
        assert not named, f"{path.name} names layer types {named}: say it in their records (nncli/layer_types.py)"
