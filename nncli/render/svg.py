"""Pictures as SVG files (`nncli visualize --svg PATH`).

Rich records what it prints and can export it as SVG, so anything drawn for the terminal
can be saved as is: colours, braille and half-blocks included.
"""

import io

from rich.console import Console

from nncli.text import inert


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
    return console.export_svg(title=inert(title, 1000))  # XML has no place for control characters
