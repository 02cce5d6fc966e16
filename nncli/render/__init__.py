"""Draws views' numbers (see nncli.views): one draw function per kind of Numbers, found
through one registry keyed by the numbers' type.

A draw function `draw_x(numbers, width)` returns a Rich renderable, sized to fit `width`
columns; it never runs a network, never reads a task's name and never decides what to
show. One that also takes `height` fits the picture into that many lines as well (the
cell the live panel's layout gives it), down to the smallest size it declares. It is
registered with `@draws(NumbersType)` in the render module named like the view module
the type comes from (nncli.views.plane.Boundary → nncli.render.plane), which
`draw` imports the first time it meets such numbers.
"""

import importlib
import inspect
from dataclasses import dataclass

DRAWERS = {}  # Numbers type → its draw function
SIZED = set()  # the draw functions that also take a `height`: they fit a picture into a cell
SIZES = {}  # Numbers type → Size: the cell it needs at least, and the one it draws best in
RESOLUTIONS = {}  # Numbers type → the grid points across its picture in a cell (views sampled on a grid)
SMALL = (30, 8)  # columns × lines that a view declaring no size is given at least …
PREFERRED = (60, 16)  # … and the cell it is drawn in best


@dataclass(frozen=True)
class Size:
    """The cells a picture fits: `smallest` it can be drawn in whole, `preferred` where it
    looks its best (columns, lines)."""

    smallest: tuple = SMALL
    preferred: tuple = PREFERRED


def draws(numbers_type, smallest=SMALL, preferred=PREFERRED, resolution=None):
    """Register the decorated function as the way to draw `numbers_type`, in a cell of at
    least `smallest` (columns, lines) and best at `preferred`. Numbers sampled on a grid
    (a view computed with a `size`: grid points across) give `resolution(numbers, columns,
    lines, colour)`, the pixels across their picture in such a cell, so that the live
    panel can compute them at the resolution they are drawn at."""

    def register(function):
        DRAWERS[numbers_type] = function
        SIZES[numbers_type] = Size(smallest, preferred)
        if resolution is not None:
            RESOLUTIONS[numbers_type] = resolution
        if "height" in inspect.signature(function).parameters:
            SIZED.add(function)
        return function

    return register


def size_of(numbers):
    """The Size of the cell `numbers` are drawn in."""
    _drawer(type(numbers))
    return SIZES[type(numbers)]


def resolution(numbers, columns, lines, colour):
    """The pixels across the picture of `numbers` drawn in a cell of columns × lines (in
    colour or not), or None for numbers not sampled on a grid."""
    _drawer(type(numbers))
    found = RESOLUTIONS.get(type(numbers))
    return None if found is None else found(numbers, columns, lines, colour)


def prepare(view):
    """Import the render module that draws the numbers of `view` (a view function), so that
    a live panel's first frame is not also the moment its modules load."""
    importlib.import_module("nncli.render." + view.__module__.rsplit(".", 1)[1])


def draw(numbers, width=80, height=None):
    """The renderable of one view's numbers, `width` columns wide at most; `height` asks
    for a compact picture at most that many lines tall (a cell of the live panel), where
    the draw function offers one."""
    function = _drawer(type(numbers))
    if height is not None and function in SIZED:
        return function(numbers, width, height=height)
    return function(numbers, width)


def animates(console):
    """True if `console` may redraw in place (a live panel, a moving chart): where Rich sees
    a terminal — except a pipe or file that FORCE_COLOR (set by Jupyter and many CI systems)
    made Rich treat as one for colour: it gets plain lines, never redraw frames."""
    import os

    if not console.is_terminal or os.environ.get("FORCE_COLOR") is None:
        return console.is_terminal
    try:
        return console.file.isatty()
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed file
        return False


def _drawer(kind):
    if kind not in DRAWERS:
        importlib.import_module("nncli.render." + kind.__module__.rsplit(".", 1)[1])
    return DRAWERS[kind]
