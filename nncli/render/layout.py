"""Where the live panel puts its views: a layout of cells in the terminal's area.

Views come in order of importance (the task's headline view first). The layout shows as
many of them as fit, from the first, each in a cell at least as large as the smallest it
declares; among the ways to place them (rows of views side by side), it takes the one
that comes nearest every view's preferred size. What it cannot place it leaves for the
panel to name — never dropped silently.
"""

from itertools import combinations

GAP = 3  # columns between views side by side (and a line between rows)


def arrange(sizes, width, height):
    """Rows of cells for the first views of `sizes` (each a render.Size) that fit
    `width` × `height`: a list of rows, each a list of (index, columns, lines). Empty if
    not even the first view fits."""
    for count in range(len(sizes), 0, -1):
        candidates = [rows for rows in _splits(count) if _fits(rows, sizes, width, height)]
        if candidates:
            best = max(candidates, key=lambda rows: (_score(rows, sizes, width, height), -len(rows)))
            return _cells(best, sizes, width, height)
    return []


def _splits(count):
    """Every way to cut views 0 … count-1, in order, into rows."""
    for cuts in range(count):
        for where in combinations(range(1, count), cuts):
            bounds = (0, *where, count)
            yield [list(range(a, b)) for a, b in zip(bounds, bounds[1:])]


def _fits(rows, sizes, width, height):
    wide = all(sum(sizes[i].smallest[0] for i in row) + GAP * (len(row) - 1) <= width for row in rows)
    tall = sum(max(sizes[i].smallest[1] for i in row) for row in rows) + len(rows) - 1 <= height
    return wide and tall


def _cells(rows, sizes, width, height):
    """Each row's share of the height and each view's share of its row's width: what a
    view needs first, then the room left over in proportion to what more it would like."""
    tall = [max(sizes[i].smallest[1] for i in row) for row in rows]
    want = [max(sizes[i].preferred[1] for i in row) for row in rows]
    heights = _share(tall, want, height - (len(rows) - 1))
    placed = []
    for row, lines in zip(rows, heights):
        smallest = [sizes[i].smallest[0] for i in row]
        preferred = [sizes[i].preferred[0] for i in row]
        widths = _share(smallest, preferred, width - GAP * (len(row) - 1))
        placed.append([(i, columns, lines) for i, columns in zip(row, widths)])
    return placed


def _share(least, wanted, total):
    """`total` split into whole parts of at least `least`, the rest handed out towards
    `wanted` (and no further: a picture gains nothing from more, and the room is left to
    what is printed below the panel)."""
    parts = list(least)
    room = total - sum(parts)
    growth = [max(w - p, 0) for w, p in zip(wanted, parts)]
    if sum(growth):
        parts = [p + min(g, room * g // sum(growth)) for p, g in zip(parts, growth)]
    return parts


def _score(rows, sizes, width, height):
    """How near the views come to their preferred sizes: the sum of the shares of their
    preferred width and height that they get (each at most 1)."""
    score = 0.0
    for row in _cells(rows, sizes, width, height):
        for index, columns, lines in row:
            want_columns, want_lines = sizes[index].preferred
            score += min(columns / want_columns, 1.0) * min(lines / want_lines, 1.0)
    return score
