"""Terminal pictures as SVG, for the pictures that have no vector drawing yet (see
nncli.render.vector): Rich records what it prints and exports it as SVG, colours, braille
and half-blocks included.

Rich's own template fetches the Fira Code font from a CDN; this one uses the system's
monospace fonts, so a file opened offline makes no request and looks the same.
"""

import io
import re

from rich.console import Console

from nncli.text import inert

SYSTEM_MONOSPACE = "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace"


def to_svg(renderables, title="nncli", *, width=100) -> str:
    """Print `renderables` (a list) on a `width`-column colour console; return the SVG text.

    Colour is always on, whatever NO_COLOR or the real terminal say: a file has no terminal.
    """
    console = Console(
        record=True,
        file=io.StringIO(),
        width=width,
        force_terminal=True,
        color_system="truecolor",
        no_color=False,
        legacy_windows=False,
    )
    for renderable in renderables:
        console.print(renderable)
    svg = console.export_svg(title=inert(title, 1000))  # XML has no place for control characters
    return offline(svg)


def offline(svg):
    """Rich's SVG without its web fonts and its comment naming a web address."""
    svg = re.sub(r"@font-face \{.*?\}\s*|<!--.*?-->\s*", "", svg, flags=re.S)
    return svg.replace("Fira Code, monospace", SYSTEM_MONOSPACE)
