"""Views of a convolutional network: its kernels (`filters`), and what each channel sees
of one held-out digit after every convolution and every pool (`feature_maps`).

A network without convolutions has neither: both views then hold no layers, and say so."""

from dataclasses import dataclass

import numpy as np

from nncli.autograd import Tensor, no_grad
from nncli.views import Numbers

MAX_OUT, MAX_IN = 16, 4  # kernels shown per layer: of the first 16 output channels, the first 4 input channels
MAX_MAPS = 16  # channels shown per stage of the feature maps
NO_CONV = "this network has no convolutional layers (train one with --conv 8,16)"


@dataclass
class Kernels(Numbers):
    """Each convolution's kernels: `layers` holds, per conv layer, its state-dict key, its
    channel counts, and `kernels[o][c]`, the k × k weights output channel o gives input
    channel c (the first MAX_OUT × MAX_IN of them)."""

    layers: list  # [{"key", "in", "out", "kernel", "kernels"}]


@dataclass
class FeatureMaps(Numbers):
    """One held-out digit through the convolutional layers: the image, then after each
    convolution (with its activation) and each pool, every channel's map (the first
    MAX_MAPS), and what the network says the digit is."""

    image: list  # side × side, the pixels as the network sees them
    label: int
    prediction: int
    stages: list  # [{"after", "key", "channels", "maps"}], maps: channels × height × width


# Headings and captions as a student counts — conv layers and channels from 1 — for both
# back ends; the JSON keeps each layer's state-dict key and its lists indexed from 0.


def kernels_heading(number, layer):
    """What conv layer `number` (from 1) holds, and which of its kernels are shown."""
    outs, ins = len(layer["kernels"]), len(layer["kernels"][0])
    head = f"conv layer {number}: {layer['out']} kernels of {layer['kernel']}×{layer['kernel']}"
    if layer["in"] > 1:
        head += f" over {layer['in']} channels"
    if outs < layer["out"] or ins < layer["in"]:
        head += f" (shown: output channels 1–{outs}, input channels 1–{ins})"
    return head


def kernel_captions(layer):
    """Each kernel's channel: `o`, or `o←c` (output channel o from input channel c) where
    the layer takes several channels."""
    outs, ins = len(layer["kernels"]), len(layer["kernels"][0])
    return [f"{o}" if layer["in"] == 1 else f"{o}←{c}" for o in range(1, outs + 1) for c in range(1, ins + 1)]


def stage_heading(stage):
    """After which conv or pool (counted from 1) a stage's maps are, and how many are shown."""
    head = f"after {stage['after']}: {stage['channels']} channels"
    if len(stage["maps"]) < stage["channels"]:
        head += f", the first {len(stage['maps'])}"
    return head


def map_captions(stage):
    return [str(c) for c in range(1, len(stage["maps"]) + 1)]


def filters(network, dataset, config, history):
    state = network.state_dict()
    layers = [
        {
            "key": str(index),
            "in": entry["in"],
            "out": entry["out"],
            "kernel": entry["kernel"],
            "kernels": state[f"{index}.weight"][:MAX_OUT, :MAX_IN].astype(float).tolist(),
        }
        for index, entry in enumerate(network.spec())
        if entry["type"] == "conv2d"
    ]
    return Kernels(layers)


def feature_maps(network, dataset, config, history):
    """The first held-out digit's maps, from one forward pass in evaluation mode."""
    spec, model = network.spec(), network.model
    if not any(entry["type"] == "conv2d" for entry in spec):
        return FeatureMaps([], -1, -1, [])
    x = Tensor(dataset.X_test[:1].astype(network.dtype))
    stages, convs = [], 0
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            for index, (entry, layer) in enumerate(zip(spec, model.layers)):
                x = layer(x)
                following = spec[index + 1]["type"] if index + 1 < len(spec) else None
                if entry["type"] == "conv2d":
                    convs += 1
                if x.ndim == 4 and following in ("maxpool2d", "flatten", "conv2d") and entry["type"] != "unflatten":
                    after = f"pool {convs}" if entry["type"] == "maxpool2d" else f"conv {convs}"
                    if entry["type"] not in ("conv2d", "maxpool2d"):
                        after += f" + {entry['type']}"
                    stages.append(
                        {
                            "after": after,
                            "key": str(index),
                            "channels": int(x.shape[1]),
                            "maps": x.data[0, :MAX_MAPS].astype(float).tolist(),
                        }
                    )
            prediction = int(np.argmax(x.data[0]))
    finally:
        model.train(was_training)
    side = spec[0]["shape"][1]
    image = dataset.X_test[0].astype(float).reshape(side, -1).tolist()
    return FeatureMaps(image, int(dataset.y_test[0]), prediction, stages)
