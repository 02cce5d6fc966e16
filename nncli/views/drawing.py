"""A digit drawn by hand (`nncli draw`) or read from a file (`predict --image`), as the
network reads it: the image it is given and what it answers.

Both commands go through `reading`, so a drawing and the same ink saved as a file get the
same image and the same probabilities.
"""

import math
from dataclasses import dataclass

import numpy as np

from nncli.data.image import digit_pixels
from nncli.errors import NncliError
from nncli.tasks.base import preprocessing
from nncli.views import Numbers

PEN = 10  # a stroke of the pen (and of the eraser) is a tenth of the canvas wide, as thick for
# the canvas as the training digits' strokes are for theirs: thinner strokes are read faint


class NotADigitModel(NncliError):
    """A model whose inputs are not a square digit image."""


def image_side(task, meta):
    """The side of the square images `task`'s model reads; NotADigitModel for any other."""
    width = preprocessing(meta).width
    side = math.isqrt(width)
    if task.digit_box is None or side * side != width:
        raise NotADigitModel(
            f"a {task.name} model does not read images: only digit models do "
            "(nncli train digits, nncli train mnist, either with --conv)"
        )
    return side


@dataclass
class Reading(Numbers):
    """What the network reads and answers: `image` (side × side, 0 blank to 1 full ink),
    `row` (predict's row: the raw pixels as `input`, `prediction`, `confidence`,
    `probabilities`), and `how` the image was made."""

    image: list
    row: dict
    how: str


def reading(task, network, meta, ink):
    """The Reading of `ink` (a 2-D array in [0, 1], any size) by a digit model."""
    side = image_side(task, meta)
    image = digit_pixels(ink, side, task.digit_box, task.centring)
    row = task.predict(network, (image * task.pixel_max).reshape(1, -1), meta)[0]
    return Reading(image.tolist(), row, how_read(task, side))


def how_read(task, side):
    box = task.digit_box
    if task.centring == "mass":
        placed = f"its centre of mass at the centre of {side}×{side}"
    else:
        placed = f"centred in {side}×{side}"
    return f"cropped to its ink, fitted to {box}×{box} keeping its shape, {placed}, as its training digits were"


# --- the canvas of `nncli draw` ----------------------------------------------------------


@dataclass(frozen=True)
class Canvas:
    """The drawing: `ink`, an array of 0 or 1 (a pixel is a column by half a line of the
    terminal, so pixels are about square), and the keyboard's cursor (x, y in pixels)."""

    ink: np.ndarray
    cursor: tuple = (0, 0)

    @classmethod
    def blank(cls, width, height):
        return cls(np.zeros((height, width)), (width // 2, height // 4 * 2))  # y even: a whole cell

    def resized(self, width, height):
        """The drawing on a canvas of width × height, each new pixel the nearest old one."""
        old = self.ink
        rows = np.arange(height) * old.shape[0] // height
        columns = np.arange(width) * old.shape[1] // width
        x, y = self.cursor
        cursor = (min(x * width // old.shape[1], width - 1), min(y * height // old.shape[0], height - 1))
        return Canvas(old[np.ix_(rows, columns)], cursor)

    def reach(self):
        """How far the pen reaches beyond the 2 × 2 pixels (a cell, and the one to its
        right) at a point: a square pen of 2 + 2·reach pixels, an even number near a PEN-th
        of the canvas."""
        return max(0, len(self.ink) // (2 * PEN) - 1)

    def stroke(self, start, end, value):
        """Paint (`value` 1) or erase (0) a line from pixel `start` to `end` with the pen."""
        ink, reach = self.ink.copy(), self.reach()
        (x0, y0), (x1, y1) = start, end
        steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        for t in np.linspace(0, 1, steps + 1):
            x, y = round(x0 + t * (x1 - x0)), round(y0 + t * (y1 - y0))
            ink[max(y - reach, 0) : y + 2 + reach, max(x - reach, 0) : x + 2 + reach] = value
        return Canvas(ink, end)

    def moved(self, dx, dy):
        """The cursor moved by (dx, dy) pixels, kept on the canvas."""
        height, width = self.ink.shape
        x, y = self.cursor
        return Canvas(self.ink, (min(max(x + dx, 0), width - 2), min(max(y + dy, 0), height - 2)))
