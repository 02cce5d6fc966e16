"""Draws views' numbers (see nncli.views): one draw function per kind of Numbers, found
through one registry keyed by the numbers' type.

A draw function `draw_x(numbers, width)` returns a Rich renderable, sized to fit `width`
columns; it never runs a network, never reads a task's name and never decides what to
show. It is registered with `@draws(NumbersType)` in the render module named like the view
module the type comes from (nncli.views.plane.Boundary → nncli.render.plane), which
`draw` imports the first time it meets such numbers.
"""

import importlib

DRAWERS = {}  # Numbers type → its draw function


def draws(numbers_type):
    """Register the decorated function as the way to draw `numbers_type`."""

    def register(function):
        DRAWERS[numbers_type] = function
        return function

    return register


def draw(numbers, width=80):
    """The renderable of one view's numbers."""
    kind = type(numbers)
    if kind not in DRAWERS:
        importlib.import_module("nncli.render." + kind.__module__.rsplit(".", 1)[1])
    return DRAWERS[kind](numbers, width)
