"""Pictures of a convolutional network: its kernels, and a digit's feature maps (numbers
from nncli.views.conv). Kernels are drawn with the diverging palette (red positive, blue
negative), maps in grey (black 0 up to the stage's brightest value)."""

from rich.columns import Columns
from rich.console import Group
from rich.text import Text

from nncli.render import draws
from nncli.render.digits import ColourKey
from nncli.render.heatmap import grayscale_image, heatmap
from nncli.views.conv import NO_CONV, FeatureMaps, Kernels

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
    for layer in numbers.layers:
        outs, ins = len(layer["kernels"]), len(layer["kernels"][0])
        head = f"layer {layer['key']}: {layer['out']} kernels of {layer['kernel']}×{layer['kernel']}"
        if layer["in"] > 1:
            head += f" over {layer['in']} channels"
        if outs < layer["out"] or ins < layer["in"]:
            head += f" (shown: output channels 0–{outs - 1}, input channels 0–{ins - 1})"
        tiles = [
            Group(Text(f"{o}" if layer["in"] == 1 else f"{o}←{c}", style="dim"), heatmap(kernel))
            for o, per_input in enumerate(layer["kernels"])
            for c, kernel in enumerate(per_input)
        ]
        parts += [Text(head, style="bold"), _grid(tiles)]
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
        shown = len(stage["maps"])
        head = f"after {stage['after']} (layer {stage['key']}): {stage['channels']} channels"
        if shown < stage["channels"]:
            head += f", the first {shown}"
        tiles = [
            Group(Text(str(c), style="dim"), grayscale_image(m, vmin=0, vmax=brightest))
            for c, m in enumerate(stage["maps"])
        ]
        parts += [Text(head, style="bold"), _grid(tiles)]
    return Group(*parts)
