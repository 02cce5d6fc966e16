"""Lesson 10: convolution — one kernel sliding over a digit, weights shared across every
place, and why that lets a network read a digit wherever it stands."""

import functools

import numpy as np
from rich.columns import Columns
from rich.console import Group
from rich.text import Text

from nncli import data, nn
from nncli.autograd import Tensor
from nncli.lessons import Screen
from nncli.lessons.scenes import config, train, view
from nncli.nn.conv import conv2d
from nncli.render import draw
from nncli.render.explain import num
from nncli.render.heatmap import grayscale_image, heatmap
from nncli.tasks.catalog import defaults
from nncli.views.conv import FeatureMaps, Kernels

NAME = "convolution"
TITLE = "Convolution: a kernel that slides"
SUMMARY = "edge detectors by hand, shared weights, digits read wherever they stand"
SIZE = (80, 40)

EDGES = {  # kernels by hand: + where ink should be, − where it should not
    "left edge": [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
    "top edge": [[-1, -1, -1], [0, 0, 0], [1, 1, 1]],
}
SHIFT = 4
EPOCHS, QUICK_EPOCHS, QUICK_LIMIT = 20, 3, 300
LEARNING_RATE = 0.003
CHANNELS = (8, 16)


def digit(label=7):
    """The first 8×8 digit of the shipped set with this label, pixels scaled to [0, 1]."""
    X, y = data.load_digits()
    return X[np.flatnonzero(y == label)[0]].reshape(8, 8) / 16


def slide(image, kernel):
    """The kernel slid over the image (padded by 1): nncli's own convolution, as a CNN runs it."""
    x = Tensor(image[None, None])
    weight = Tensor(np.asarray(kernel, dtype=np.float64)[None, None])
    return conv2d(x, weight, padding=1).data[0, 0]


def one_kernel(settings):
    image, kernel = digit(), EDGES["left edge"]
    maps = {name: slide(image, k) for name, k in EDGES.items()}
    row, column = np.unravel_index(np.argmax(maps["left edge"]), image.shape)
    patch = np.pad(image, 1)[row : row + 3, column : column + 3]
    products = " + ".join(f"{num(w)}·{num(x)}" for w, x in zip(np.ravel(kernel), patch.ravel()) if w != 0)
    text = (
        "A convolution slides a small grid of weights — a kernel — over the image, and at every place takes the "
        "weighted sum of the pixels under it. This 3×3 kernel is −1 on its left column and +1 on its right: its "
        "sum is large where ink begins to the right, a left edge of a stroke.\n\n"
        f"At row {row + 1}, column {column + 1} (counted from 1): {products} = "
        f"{num(maps['left edge'][row, column])}, the largest anywhere. "
        "Slid over the whole 7 it draws every left edge (red); turned on its side, every top edge."
    )
    tiles = [Group(Text("the digit"), grayscale_image(image, vmax=1.0))]
    tiles += [Group(Text(name), heatmap(values)) for name, values in maps.items()]
    numbers = {"position": [int(row), int(column)], "sum": float(maps["left edge"][row, column])}
    numbers["largest"] = {name: float(values.max()) for name, values in maps.items()}
    return Screen("One kernel, slid over a digit", text, [Columns(tiles, padding=(0, 3))], numbers)


def weight_sharing(settings):
    conv = nn.parameter_count(nn.cnn_spec(8, CHANNELS, (*defaults("digits")["hidden"], 10), "relu"))
    dense = nn.parameter_count(nn.mlp_spec([64, *defaults("digits")["hidden"], 10], "relu"))
    first = nn.parameter_count(nn.cnn_spec(8, CHANNELS[:1], (10,), "relu")[:2])
    text = (
        "The same 9 weights are used at all 64 places of an 8×8 image: 576 multiplications, 9 weights (and a "
        "bias) to learn. A dense layer from 64 pixels to 64 neurons has 64 × 64 = 4,096 weights, one for every "
        "pair of pixel and neuron, and what it learns about a stroke in one place it knows nowhere else.\n\n"
        f"A first convolution of {CHANNELS[0]} kernels learns {first} numbers. The whole of `nncli train digits "
        f"--conv {CHANNELS[0]},{CHANNELS[1]}` has {conv:,} parameters — two convolutions, each followed by ReLU "
        f"and a 2×2 max-pool that keeps the largest of four neighbours, then the dense layers — against {dense:,} "
        "for the fully connected digits network."
    )
    numbers = {"kernel_weights": 9, "dense_weights": 64 * 64, "cnn_parameters": conv, "dense_parameters": dense}
    return Screen("Weights shared", text, [], numbers)


@functools.cache
def shifted_runs(quick):
    """{"dense": (task, outcome, config), "conv": …}: `nncli train digits --shift 4` with and
    without `--conv 8,16`, the same epochs, seed and data."""
    settings = {"shift": SHIFT, "epochs": QUICK_EPOCHS if quick else EPOCHS, "lr": LEARNING_RATE, "patience": 0}
    if quick:
        settings["limit"] = QUICK_LIMIT
    runs = {}
    for name, conv in (("dense", ()), ("conv", CHANNELS)):
        run_config = config(defaults("digits"), **settings, conv=conv)
        runs[name] = (*train("digits", run_config), run_config)
    return runs


def moved(settings):
    runs = shifted_runs(settings.quick)
    accuracy = {name: outcome.summary["accuracy"] for name, (_, outcome, _) in runs.items()}
    epochs = runs["conv"][1].result.epochs_run
    text = (
        f"Now put each digit at a random place on a {8 + SHIFT}×{8 + SHIFT} canvas (`--shift {SHIFT}`), for the "
        f"digits it learns from and the held-out ones alike, and train both networks for {epochs} epochs.\n\n"
        f"    fully connected      {accuracy['dense']:>7.1%} held-out accuracy\n"
        f"    --conv {CHANNELS[0]},{CHANNELS[1]}          {accuracy['conv']:>7.1%}\n\n"
        "The dense network must learn each stroke again at every place it can stand. The kernels slide: a "
        "stroke is the same stroke wherever it is, and the pools let small moves through."
    )
    return Screen("Digits that move", text, [], {name: value for name, value in accuracy.items()})


def learned(settings):
    task, outcome, run_config = shifted_runs(settings.quick)["conv"]
    kernels = view(task, outcome, run_config, "filters")
    maps = view(task, outcome, run_config, "feature-maps")
    first_pool = [stage for stage in maps.stages if stage["after"].startswith("pool")][:1]
    text = (
        f"What the network learned: its first {CHANNELS[0]} kernels (red adds the pixel under it, blue "
        "subtracts it) — edge and stroke detectors no one drew by hand — and what each makes of a held-out "
        "digit after the first pool."
    )
    pictures = [
        draw(Kernels(kernels.layers[:1]), 80),
        draw(FeatureMaps(maps.image, maps.label, maps.prediction, first_pool), 80),
    ]
    numbers = {"kernels": kernels.layers[0]["kernels"], "label": maps.label, "prediction": maps.prediction}
    return Screen("Learned kernels, feature maps", text, pictures, numbers)


SCREENS = (one_kernel, weight_sharing, moved, learned)
TRY = (
    ("nncli compare digits --shift 4 --epochs 20 --lr 0.003 --patience 0 --vary conv=0/8,16", "dense against conv"),
    ("nncli train digits --conv 8,16 --watch feature-maps", "the feature maps changing as it learns"),
    ("nncli visualize --view filters", "every kernel of the model trained last"),
    ("nncli explain conv --input 3", "one convolution, forward and backward, every number"),
)
