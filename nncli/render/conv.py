"""Pictures of a convolutional network: its kernels, and a digit's feature maps (numbers
from nncli.views.conv). Kernels are drawn with the diverging palette (red positive, blue
negative), maps in grey (black 0 up to the stage's brightest value)."""

from rich.columns import Columns
from rich.console import Group
from rich.text import Text

from nncli.render import draws
from nncli.render.digits import ColourKey
from nncli.render.heatmap import grayscale_image, heatmap
from nncli.views.conv import (
    NO_CONV,
    FeatureMaps,
    Kernels,
    kernel_captions,
    kernels_heading,
    map_captions,
    stage_heading,
)

KERNEL_KEY = ColourKey(
    "red: a weight that adds the pixel under it · blue: one that subtracts it · white: zero",
    "█: a weight that adds the pixel under it · blank: one that subtracts it · ▒: zero",
)


def _grid(tiles):
    return Columns(tiles, padding=(0, 2))


@draws(Kernels)
def draw_kernels(numbers, width):
    if not numbers.layers:
        return Text(NO_CONV, style="dim")
    parts = []
    for number, layer in enumerate(numbers.layers, start=1):
        kernels = [kernel for per_input in layer["kernels"] for kernel in per_input]
        tiles = [
            Group(Text(caption, style="dim"), heatmap(kernel))
            for caption, kernel in zip(kernel_captions(layer), kernels)
        ]
        parts += [Text(kernels_heading(number, layer), style="bold"), _grid(tiles)]
    return Group(*parts, KERNEL_KEY)


@draws(FeatureMaps)
def draw_feature_maps(numbers, width):
    if not numbers.stages:
        return Text(NO_CONV, style="dim")
    parts = [
        Text(f"A held-out {numbers.label}, read as {numbers.prediction}:", style="bold"),
        grayscale_image(numbers.image, vmin=0, vmax=1.0),
    ]
    for stage in numbers.stages:
        brightest = max((max(map(max, m)) for m in stage["maps"]), default=0.0) or 1.0
        tiles = [
            Group(Text(caption, style="dim"), grayscale_image(m, vmin=0, vmax=brightest))
            for caption, m in zip(map_captions(stage), stage["maps"])
        ]
        parts += [Text(stage_heading(stage), style="bold"), _grid(tiles)]
    return Group(*parts)
