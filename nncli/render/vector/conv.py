"""A convolutional network in vector: its kernels on a diverging scale, each layer's as a
grid of small images, and one digit's feature maps after every convolution and pool."""

import numpy as np

from nncli.render.vector import draws
from nncli.render.vector.digits import not_an_image, rows_height
from nncli.render.vector.marks import Figure, colour_key, image_tiles, tick_label
from nncli.views.conv import (
    NO_CONV,
    FeatureMaps,
    Kernels,
    kernel_captions,
    kernels_heading,
    map_captions,
    stage_heading,
)

WIDTH = 1400  # wide, so a stage's 16 maps or a layer's kernels take a row or two, and a page fits them
PER_ROW = 16


@draws(Kernels)
def draw_kernels(numbers):
    title = "The convolutions' kernels"
    if not numbers.layers:
        return not_an_image(title, NO_CONV)
    layers = []
    for number, layer in enumerate(numbers.layers, start=1):
        kernels = np.asarray(layer["kernels"], dtype=float)  # out × in × k × k
        grids = list(kernels.reshape(-1, *kernels.shape[2:]))
        layers.append((kernels_heading(number, layer), grids, kernel_captions(layer)))
    # One scale for every kernel shown: their sizes compare.
    reach = max(float(np.nanmax(np.abs(kernel), initial=0.0)) for _, grids, _ in layers for kernel in grids) or 1.0
    height = 60 + sum(40 + rows_height(len(grids), PER_ROW, WIDTH - 40) for _, grids, _ in layers) + 90
    figure = Figure(WIDTH, height, title)
    figure.text(WIDTH / 2, 26, title, 22, "middle")
    top = 50
    for head, grids, captions in layers:
        figure.text(20, top + 20, head, 19)
        top = image_tiles(figure, grids, captions, (20, top + 28, WIDTH - 40), PER_ROW, scale="diverging",
                          ranges=[(-reach, reach)] * len(grids))  # fmt: skip
    colour_key(figure, 20, top + 10, 300, tick_label(-reach), "0", tick_label(reach))
    figure.text(340, top + 22, "orange: adds the pixel under it · blue: subtracts it · grey: zero", 17,
                cls="faint")  # fmt: skip
    return figure.svg()


@draws(FeatureMaps)
def draw_feature_maps(numbers):
    title = f"A held-out {numbers.label}, read as {numbers.prediction}: what each channel sees"
    if not numbers.stages:
        return not_an_image("Feature maps", NO_CONV)
    stages = []
    for stage in numbers.stages:
        stages.append((stage_heading(stage), np.asarray(stage["maps"], dtype=float), map_captions(stage)))
    # The digit on the left, the stages in rows to its right.
    digit, left = 200, 250
    across = WIDTH - left - 20
    height = 60 + max(digit + 40, sum(40 + rows_height(len(maps), PER_ROW, across) for _, maps, _ in stages)) + 40
    figure = Figure(WIDTH, height, title)
    figure.text(WIDTH / 2, 26, title, 22, "middle")
    image_tiles(figure, [numbers.image], ["the digit"], (20, 40, digit), 1)
    top = 40
    for head, maps, captions in stages:
        brightest = float(np.nanmax(maps, initial=0.0)) or 1.0  # each stage from 0 to its brightest
        figure.text(left, top + 20, head, 19)
        top = image_tiles(figure, list(maps), captions, (left, top + 28, across), PER_ROW,
                          ranges=[(0.0, brightest)] * len(maps))  # fmt: skip
    top = max(top, 40 + digit + 40)
    figure.text(20, top + 20, "dark: strong activation · light: none (each stage on its own scale)", 17, cls="faint")
    return figure.svg()
