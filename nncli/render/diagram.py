"""The network diagram in the terminal: a column of nodes per layer and a line for every
weight between them, drawn in braille dots (2 × 4 to a character cell) so lines can run
at any slope.

A line's colour says its weight's sign (red positive, blue negative) and its shade and
thickness its size: faint grey and one dot thin for weights near zero, full colour and
two dots thick for the largest (three shades in the terminal's own named colours, which every
colour system has). Without colour (NO_COLOR, or not a terminal) negative
weights are dashed and positive ones solid, so sign and size still read. Where lines
cross, the larger weight is drawn on top.
"""

from rich.console import Group
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from nncli.render import draws
from nncli.render.digits import FILTER_KEY, grid
from nncli.render.explain import num, sub
from nncli.render.heatmap import heatmap
from nncli.views.diagram import Diagram, RankedFilters

BRAILLE = 0x2800
DOTS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))  # [column][row] of a cell's 2 × 4 dots
# The terminal's own named colours: every colour system has them, and each terminal's theme
# keeps them readable on its background.
SHADES = {1: ("bright_black", "red", "bright_red"), -1: ("bright_black", "blue", "bright_blue")}
SHADE_STEPS = (0.2, 0.6)  # shares of the largest |weight| where the shade deepens
MIN_GAP, MAX_GAP = 4, 28  # columns of lines between two layers
THICK = 0.5  # lines of at least this share of the largest |weight| are two dots thick
DASH = (4, 2)  # dots on, dots off, for negative weights without colour
MARKER = "●"
HEADER_LINES = 3  # title, activation, a blank line (more when a note takes more than one)
SKIP_LABELS = (" + skip from {} ", " + skip ")  # on the arc over a residual block: the first that fits


@draws(Diagram)
def draw_diagram(numbers, width):
    return DiagramPicture(numbers)


class DiagramPicture:
    """A Rich renderable drawing a views.diagram.Diagram at the width it is given."""

    def __init__(self, diagram, no_color=None):
        self.diagram = diagram
        self.no_color = no_color

    def __rich_measure__(self, console, options):
        blocks = sum(self.block_widths())
        return Measurement(blocks, max(blocks, options.max_width))

    def __rich_console__(self, console, options):
        colour = not self.no_color if self.no_color is not None else not console.no_color and console.color_system
        for line in self.lines(options.max_width, bool(colour)):
            yield from line
            yield Segment.line()

    # --- layout ------------------------------------------------------------------------

    def label(self, column, i):
        return node_label(self.diagram, column, i)

    def block_widths(self):
        widths = []
        for column in self.diagram.columns:
            labels = [len(self.label(column, i)) + 2 for i in column.shown if i is not None]
            widths.append(max([*labels, len(f"⋮ {column.hidden} more") if column.hidden else 0]))
        return widths

    def lines(self, width, colour):
        columns = self.diagram.columns
        blocks = self.block_widths()
        gap = (width - sum(blocks)) // max(1, len(columns) - 1)
        gap = max(MIN_GAP, min(MAX_GAP, gap))
        starts = [sum(blocks[:c]) + gap * c for c in range(len(columns))]
        rooms = [b - a - 1 for a, b in zip(starts, starts[1:])] + [max(blocks[-1], len(columns[-1].note))]
        notes = [_wrapped(column.note, room) for column, room in zip(columns, rooms)]
        total = starts[-1] + rooms[-1]
        rows = max(len(c.shown) for c in columns)
        arcs = [(c.skip, k) for k, c in enumerate(columns) if c.skip is not None]
        top = 1 if arcs else 0  # a line above the titles for the arcs of residual blocks
        header = top + HEADER_LINES - 1 + max(len(lines) for lines in notes)
        height = header + 2 * rows - 1
        cells = [[(" ", None) for _ in range(total)] for _ in range(height)]

        def line_of(c, position):
            return header + (rows - len(columns[c].shown)) + 2 * position

        def put(y, x, text, style=None):
            for k, char in enumerate(text):
                if 0 <= x + k < total:
                    cells[y][x + k] = (char, style)

        for source, target in arcs:
            self.draw_arc(cells, starts[source], starts[target], columns[source].title, put)
        for c, column in enumerate(columns):
            put(top, starts[c], column.title, Style(bold=True))
            for k, note in enumerate(notes[c]):
                put(top + 1 + k, starts[c], note, Style(dim=True))
            for position, i in enumerate(column.shown):
                y = line_of(c, position)
                if i is None:
                    put(y, starts[c], f"⋮ {column.hidden} more", Style(dim=True))
                else:
                    put(y, starts[c], MARKER, Style(bold=True))
                    put(y, starts[c] + 2, self.label(column, i))

        dots = {}  # (line, x) → [bits, style]
        rows_of = [{i: p for p, i in enumerate(c.shown) if i is not None} for c in columns]
        order = sorted(self.diagram.edges, key=lambda e: abs(self.diagram.edge_value(e)))
        for edge in order:
            c = edge.column
            x0, x1 = starts[c] + blocks[c] + 1, starts[c + 1] - 2  # the gap, a space from each label
            y0 = line_of(c, rows_of[c][edge.source]) * 4 + 1
            y1 = line_of(c + 1, rows_of[c + 1][edge.target]) * 4 + 1
            self.draw_edge(dots, edge, (2 * x0, y0), (2 * x1 + 1, y1), (x0, x1), colour)
        for (y, x), (bits, style) in dots.items():
            cells[y][x] = (chr(BRAILLE + bits), style)
        out = [_segments(row) for row in cells]
        return out + [[Segment(text, style) for text, style in part] for part in self.legend(colour)]

    def draw_arc(self, cells, x0, x1, source, put):
        """╭── + skip from hidden 1 ──╮ over the titles, from the column a residual block's
        input came from to the block's last column, where that input is added back. Where
        one block's arc ends and the next one's begins, the two corners meet as ┬."""
        style = Style(bold=True)
        start = "┬" if cells[0][x0][0] == "╮" else "╭"
        put(0, x0, start + "─" * (x1 - x0 - 1) + "╮", style)
        for label in (text.format(source) for text in SKIP_LABELS):
            if x1 - x0 > len(label) + 2:
                put(0, x0 + (x1 - x0 - len(label) + 1) // 2, label, style)
                break

    def draw_edge(self, dots, edge, start, end, gap, colour):
        value = self.diagram.edge_value(edge)
        strength = min(1.0, abs(value) / self.diagram.largest)
        style = Style(color=_shade(value, strength)) if colour else None
        thickness = 2 if strength >= THICK else 1
        dashed = not colour and value < 0
        (px0, py0), (px1, py1) = start, end
        steps = max(abs(px1 - px0), abs(py1 - py0), 1)
        steep = abs(py1 - py0) > abs(px1 - px0)
        for step in range(steps + 1):
            if dashed and step % sum(DASH) >= DASH[0]:
                continue
            px = round(px0 + (px1 - px0) * step / steps)
            py = round(py0 + (py1 - py0) * step / steps)
            for offset in range(thickness):
                x, y = (px + offset, py) if steep else (px, py + offset)
                cell = (y // 4, x // 2)
                if not gap[0] <= cell[1] <= gap[1]:
                    continue
                bits = dots.get(cell, (0, None))[0] | DOTS[x % 2][y % 4]
                dots[cell] = (bits, style)

    def legend(self, colour):
        what = "gradient ∂L/∂w" if self.diagram.mode == "gradients" else "weight"
        largest = f"largest |{'∂L/∂w' if self.diagram.mode == 'gradients' else 'w'}| = {num(self.diagram.largest)}"
        if colour:
            key = [
                ("━━ ", Style(color="bright_red")),
                (f"positive {what}  ", None),
                ("━━ ", Style(color="bright_blue")),
                ("negative  ", None),
                (f"deeper and thicker: larger ({largest})", Style(dim=True)),
            ]
        else:
            key = [
                ("⠒⠒⠒ ", None),
                (f"solid: positive {what}  ", None),
                ("⠒ ⠒ ", None),
                ("dashed: negative  ", None),
                (f"thicker: larger ({largest})", Style(dim=True)),
            ]
        note = legend_note(self.diagram)
        lines = [[("", None)], key[:4], key[4:]]
        lines.append([(note, Style(dim=True))])
        return lines


def node_label(diagram, column, i):
    """A node's text: what it is (x₁) or holds — its bias b, activation a, or δ."""
    if column.bias is None:
        text = f"x{sub(i)}"
        return text if column.value is None else f"{text} {num(column.value[i])}"
    if column.value is None:
        return f"{column.bias_symbol} {num(column.bias[i])}"
    symbol = "δ" if diagram.mode == "gradients" else "a"
    return f"{symbol} {num(column.value[i])}"


def legend_note(diagram):
    """What the nodes' numbers are, and which lines are drawn."""
    biases = "b: each neuron's bias"
    if any(column.bias_symbol == "β" for column in diagram.columns):
        biases += ", or β: the shift of the batch norm that follows its bias-free layer"
    notes = {"weights": biases, "activations": "x: the input, a: each neuron's activation"}
    note = notes.get(diagram.mode, "x: the input, δ = ∂L/∂z of each neuron")
    if any(column.hidden for column in diagram.columns):
        note += " · lines are drawn between the neurons shown"
    return note


def _wrapped(note, room):
    """A column's note as lines of at most `room` characters, broken between its parts."""
    lines = []
    for part in note.split(" · "):
        if lines and len(lines[-1]) + 3 + len(part) <= room:
            lines[-1] += " · " + part
        else:
            lines.append(part)
    return lines


def _shade(value, strength):
    """Grey for a weight near zero, then a middling and a bright red (positive) or blue
    (negative): three steps that stay apart when a terminal has only 16 or 256 colours."""
    level = sum(strength >= step for step in SHADE_STEPS)
    return SHADES[1 if value >= 0 else -1][level]


def _segments(row):
    """One line of cells as segments, neighbours of the same style joined."""
    segments, text, style = [], "", None
    for char, cell_style in row:
        if cell_style != style and text:
            segments.append(Segment(text, style))
            text = ""
        text, style = text + char, cell_style
    if text:
        segments.append(Segment(text.rstrip() if style is None else text, style))
    return segments


@draws(RankedFilters)
def draw_filters(filters, width):
    """The first-layer neurons that matter most, each drawn on its own scale (±its largest
    weight), so each neuron's pattern shows whatever its size."""
    shape = filters.shape
    tiles = []
    for n, w in zip(filters.neurons, filters.weights):
        tiles.append(Group(Text(f"#{n + 1}", style="dim"), heatmap(w.reshape(shape))))  # counted from 1
    if filters.importance is not None:
        head = (
            f"What the first layer looks for: the {len(tiles)} of its {filters.total} neurons that pass on most "
            f"(‖weights in‖ × ‖weights out‖), each on its own scale, as {shape[0]}×{shape[1]} images"
        )
    else:
        head = f"What each neuron looks for: its {shape[0]}×{shape[1]} weights, each on its own scale"
    parts = [Text(head, style="bold"), FILTER_KEY]
    if filters.rare is not None and filters.rare.any():
        parts.append(
            Text(
                f"{int(filters.rare.sum())} pixels (mostly the edges) are blank in almost every training image: "
                "a weight's gradient is δ·x, and x = 0 there, so those weights keep their random start and "
                "are drawn as 'no effect'",
                style="dim",
            )
        )
    parts.append(grid(tiles))
    if len(tiles) < filters.total:
        parts.append(Text(f"(--neurons N draws more, up to all {filters.total})", style="dim"))
    return Group(*parts)
