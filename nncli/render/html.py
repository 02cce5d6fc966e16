"""Terminal pictures as HTML, for the pages' views that have no vector drawing yet
(see nncli.render.vector): the Rich rendering of a view turned into HTML spans, its styles
shared by all frames through one stylesheet of classes.
"""

import html
from io import StringIO

from rich.console import Console, Group
from rich.terminal_theme import MONOKAI

FRAME_WIDTH = 120


class StyleSheet:
    """CSS classes for the Rich styles met so far: the same style, the same class."""

    def __init__(self):
        self.classes = {}

    def class_of(self, style):
        css = style.get_html_style(MONOKAI) if style else ""
        if not css:
            return None
        return self.classes.setdefault(css, f"s{len(self.classes)}")

    def css(self):
        return "\n".join(f".{name} {{{css}}}" for css, name in self.classes.items())


def frame_html(renderables, sheet, width=FRAME_WIDTH):
    """The renderables drawn as the inner HTML of a <pre>."""
    console = Console(file=StringIO(), width=width, color_system="truecolor", force_terminal=True, legacy_windows=False)
    runs = []  # [class, text]: neighbouring segments of one style become one span
    for segment in console.render(Group(*renderables), console.options):
        name = sheet.class_of(segment.style)
        if runs and runs[-1][0] == name:
            runs[-1][1] += segment.text
        else:
            runs.append([name, segment.text])
    return "".join(
        f'<span class="{name}">{html.escape(text)}</span>' if name else html.escape(text) for name, text in runs
    )
