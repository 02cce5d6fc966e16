"""Draws views' numbers (see nncli.views): one draw function per kind of Numbers, found
through one registry keyed by the numbers' type.

A draw function `draw_x(numbers, width)` returns a Rich renderable, sized to fit `width`
columns; it never runs a network, never reads a task's name and never decides what to
show. It is registered with `@draws(NumbersType)` in the render module named like the view
module the type comes from (nncli.views.plane.Boundary → nncli.render.plane), which
`draw` imports the first time it meets such numbers.
"""

import importlib
import inspect

DRAWERS = {}  # Numbers type → its draw function
SIZED = set()  # the draw functions that also take a `height` (rows of a chart, in the live panel)


def draws(numbers_type):
    """Register the decorated function as the way to draw `numbers_type`."""

    def register(function):
        DRAWERS[numbers_type] = function
        if "height" in inspect.signature(function).parameters:
            SIZED.add(function)
        return function

    return register


def prepare(view):
    """Import the render module that draws the numbers of `view` (a view function), so that
    a live panel's first frame is not also the moment its modules load."""
    importlib.import_module("nncli.render." + view.__module__.rsplit(".", 1)[1])


def draw(numbers, width=80, height=None):
    """The renderable of one view's numbers, `width` columns wide at most; `height` asks
    for a compact picture with charts that many rows tall (the live panel's), where the
    draw function offers one."""
    kind = type(numbers)
    if kind not in DRAWERS:
        importlib.import_module("nncli.render." + kind.__module__.rsplit(".", 1)[1])
    function = DRAWERS[kind]
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
