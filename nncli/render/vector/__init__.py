"""The vector back end of the views: each view's numbers drawn as SVG shapes — heatmaps as
images of their grid, curves as polylines, axes with round ticks — for pages and SVG files.

A vector draw function `draw_x(numbers)` returns one `<svg>` element as text, with a
viewBox and no fixed size, so it scales to whatever box a page gives it. It is registered
with `@draws(NumbersType)` in the module of this package named like the view module the
type comes from (nncli.views.plane.Boundary → nncli.render.vector.plane), which `svg`
imports the first time it meets such numbers. Where no vector drawing exists yet, `svg`
returns None and the caller draws the terminal's picture instead, so nothing asked for is
dropped.

Colours come from the page's theme (CSS variables, light or dark, see `marks.THEME_CSS`),
except the heatmaps', whose scales are chosen to read on both.
"""

import importlib

DRAWERS = {}  # Numbers type → its vector draw function


def draws(numbers_type):
    """Register the decorated function as the vector drawing of `numbers_type`."""

    def register(function):
        DRAWERS[numbers_type] = function
        return function

    return register


def svg(numbers):
    """The `<svg>` element drawing `numbers`, or None where there is no vector drawing."""
    kind = type(numbers)
    if kind not in DRAWERS:
        module = "nncli.render.vector." + kind.__module__.rsplit(".", 1)[1]
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as missing:
            if missing.name != module:
                raise
            return None
    function = DRAWERS.get(kind)
    return None if function is None else function(numbers)
