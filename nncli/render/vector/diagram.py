"""The network diagram in vector: a column of nodes per layer, each with its bias (or, on
an example, its activation or δ), and a line for every weight between the nodes shown —
its colour the sign (orange positive, blue negative, and dashed: told apart without colour
too), its width and strength the size; the largest weights are drawn last, on top. And
what an image network's first layer looks for, each neuron's weights as an image."""

import numpy as np

from nncli.data.tables import count
from nncli.render.diagram import legend_note, node_label
from nncli.render.explain import num
from nncli.render.vector import draws
from nncli.render.vector.digits import rows_height
from nncli.render.vector.marks import Figure, colour_key, hex_colour, image_tiles
from nncli.views.diagram import Diagram, RankedFilters

POSITIVE, NEGATIVE = hex_colour(1.0), hex_colour(0.0)  # the diverging scale's two ends
COLUMN_GAP = 260  # units between two columns
ROW = 64  # units between two nodes of a column
TOP = 120  # the first node's centre, under the titles and notes


@draws(Diagram)
def draw_diagram(diagram):
    columns = diagram.columns
    rows = max(len(c.shown) for c in columns)
    width = max(1000, 80 + COLUMN_GAP * (len(columns) - 1) + 200)  # room for the legend at least
    height = TOP + ROW * rows + 120
    title = "The network: " + " → ".join(str(c.size) for c in columns)
    figure = Figure(width, height, title)
    figure.text(20, 30, title, 22)

    def centre(c, position):
        offset = (rows - len(columns[c].shown)) * ROW / 2  # shorter columns centred
        return 60 + COLUMN_GAP * c, TOP + offset + ROW * position

    rows_of = [{i: p for p, i in enumerate(c.shown) if i is not None} for c in columns]
    largest = diagram.largest or 1.0
    for edge in sorted(diagram.edges, key=lambda e: abs(diagram.edge_value(e))):
        value = diagram.edge_value(edge)
        strength = min(1.0, abs(value) / largest)
        (x0, y0), (x1, y1) = (
            centre(edge.column, rows_of[edge.column][edge.source]),
            centre(edge.column + 1, rows_of[edge.column + 1][edge.target]),
        )
        dash = "" if value >= 0 else ' stroke-dasharray="9 5"'
        figure.add(
            f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" class="link"'
            f' stroke="{POSITIVE if value >= 0 else NEGATIVE}" stroke-width="{0.8 + 6 * strength:.2f}"'
            f' stroke-opacity="{0.25 + 0.75 * strength:.2f}"{dash}/>'
        )
    for c, column in enumerate(columns):
        x = 60 + COLUMN_GAP * c
        figure.text(x, 62, column.title, 19, "middle")
        if column.note:
            figure.text(x, 84, column.note, 15, "middle", "faint")
        if column.skip is not None:
            skip_arc(figure, 60 + COLUMN_GAP * column.skip, x, columns[column.skip].title)
        for position, i in enumerate(column.shown):
            cx, cy = centre(c, position)
            if i is None:
                figure.text(cx - 12, cy + 6, f"⋮ {column.hidden} more", 16, cls="faint")
                continue
            figure.add(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="13" class="node"/>')
            figure.text(cx + 20, cy - 14, node_label(diagram, column, i), 15)
    legend(figure, diagram, 20, height - 70)
    return figure.svg()


def skip_arc(figure, x0, x1, source):
    """An arc over the titles from where a residual block's input came to where it is added."""
    figure.add(f'<path d="M{x0},44 C{x0},14 {x1},14 {x1},44" class="axis"/>')
    figure.text((x0 + x1) / 2, 18, f"+ skip from {source}", 15, "middle")


def legend(figure, diagram, x, y):
    what = "gradient ∂L/∂w" if diagram.mode == "gradients" else "weight"
    symbol = "∂L/∂w" if diagram.mode == "gradients" else "w"
    figure.add(f'<line x1="{x}" y1="{y - 5}" x2="{x + 40}" y2="{y - 5}" stroke="{POSITIVE}" stroke-width="4"/>')
    figure.text(x + 50, y, f"positive {what}", 17)
    x2 = x + 260
    figure.add(
        f'<line x1="{x2}" y1="{y - 5}" x2="{x2 + 40}" y2="{y - 5}" stroke="{NEGATIVE}" stroke-width="4"'
        ' stroke-dasharray="9 5"/>'
    )
    figure.text(x2 + 50, y, "negative (dashed)", 17)
    largest = f"wider and stronger: larger (largest |{symbol}| = {num(diagram.largest)})"
    figure.text(x2 + 250, y, largest, 17, cls="faint")
    note = legend_note(diagram)
    figure.text(x, y + 30, note, 16, cls="faint")


@draws(RankedFilters)
def draw_filters(filters):
    """The first-layer neurons that matter most, each an image of its weights on its own
    scale (± its largest weight), so each neuron's pattern shows whatever its size."""
    title = f"What the first layer looks for: {len(filters.neurons)} of its {filters.total} neurons"
    weights = np.asarray(filters.weights, dtype=float)
    per_row = 8
    figure = Figure(900, rows_height(len(weights), per_row) + 150, title)
    figure.text(450, 26, title, 22, "middle")
    reaches = [float(np.nanmax(np.abs(w), initial=0.0)) or 1.0 for w in weights]
    grids = [w.reshape(filters.shape) for w in weights]
    captions = [f"#{n + 1}" for n in filters.neurons]  # counted from 1
    bottom = image_tiles(figure, grids, captions, (20, 40, 860), per_row, scale="diverging",
                         ranges=[(-r, r) for r in reaches])  # fmt: skip
    colour_key(figure, 20, bottom + 10, 300, "−largest", "0", "+largest")
    notes = ["orange: ink there excites the neuron · blue: inhibits it · each on its own scale"]
    if filters.importance is not None:
        notes.append("the neurons that pass on most first (‖weights in‖ × ‖weights out‖)")
    if filters.rare is not None and filters.rare.any():
        notes.append(f"{count(int(filters.rare.sum()), 'pixel')} almost never inked in training: drawn as no effect")
    for k, note in enumerate(notes):
        figure.text(340, bottom + 22 + 24 * k, note, 16, cls="faint")
    return figure.svg()
