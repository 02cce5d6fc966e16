"""Heatmaps and grayscale images, two pixels to a character cell.

In colour, each cell is the upper-half block ▀: its foreground colour paints the top pixel
and its background colour the bottom one, so a 28 × 28 digit takes 28 columns and 14 lines.
Without colour (NO_COLOR, or output that is not a terminal) the same picture is drawn with
the shading glyphs ` ░▒▓█`, one per pixel row, each pixel two glyphs wide so it stays
roughly square. The choice is made when the picture is printed, by the console it goes to.
"""

import functools

import numpy as np
from rich.color import Color
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from nncli.render.axes import Row
from nncli.render.numbers import format_number

GLYPHS = " ░▒▓█"  # lowest value first
HALF_BLOCK = "▀"

# Colour stops, evenly spaced from the lowest value (first) to the highest (last).
PALETTES = {
    # blue - white - red (ColorBrewer RdBu): white is zero, blue negative, red positive.
    "diverging": [(33, 102, 172), (103, 169, 207), (247, 247, 247), (239, 138, 98), (178, 24, 43)],
    # viridis: dark purple to yellow, for values that only grow (probabilities, counts).
    "sequential": [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)],
    "gray": [(0, 0, 0), (255, 255, 255)],
}

# On a 256-colour terminal (tmux's default) a true colour is rounded to the nearest of the
# xterm palette, and the pale tints either side of white round to pinks and lilacs: a
# red–blue ramp bands into magenta stripes. So there each palette is a ramp of xterm
# colours chosen by hand, every one on the path from its first colour to its last (and
# the sequential one brighter at each step, as viridis is: the higher, the lighter).
XTERM_RAMPS = {
    "diverging": [18, 19, 25, 67, 68, 110, 153, 189, 231, 224, 217, 210, 167, 160, 124, 88],
    "sequential": [53, 54, 25, 31, 36, 71, 107, 149, 185, 220, 226],
    "gray": [16, *range(232, 256), 231],
}
LEVELS = 256  # a palette is looked up at this many levels (plus one), not computed per pixel


def heatmap(values, *, vmin=None, vmax=None, palette="diverging", no_color=None, marks=None) -> "Picture":
    """A 2-D array as a picture, rows top to bottom.

    "diverging" centres white on 0 and, unless told, uses symmetric limits ±max|value|;
    "sequential" (or "gray") runs from the smallest value to the largest. `marks` maps
    (row, col) to a character drawn over that pixel, e.g. the four XOR inputs on a decision
    boundary. `no_color` forces the glyph (True) or colour (False) drawing; None asks the
    console at print time.
    """
    values = _as_2d(values)
    finite = values[np.isfinite(values)]
    if palette == "diverging":
        limit = float(np.abs(finite).max(initial=0.0)) or 1.0
        low, high = -limit, limit
    else:
        low, high = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    vmin = low if vmin is None else vmin
    vmax = high if vmax is None else vmax
    return Picture(_normalise(values, vmin, vmax), palette, no_color, marks)


def grayscale_image(pixels, *, vmin=0, vmax=None, no_color=None) -> "Picture":
    """An image (e.g. an 8 × 8 or 28 × 28 digit): `vmin` black, `vmax` (default: the
    brightest pixel) white; glyphs ` ░▒▓█` without colour."""
    pixels = _as_2d(pixels)
    if vmax is None:
        vmax = float(np.nanmax(pixels, initial=vmin))
    return Picture(_normalise(pixels, vmin, vmax), "gray", no_color, None)


@functools.lru_cache(maxsize=32)
def colorbar(vmin, vmax, palette="diverging", *, width=20, no_color=None) -> Row:
    """A one-line legend: `vmin`, the palette's colours (or glyphs) in order, `vmax` — the
    same Row for the same ones, drawn once for the frames of a live panel."""
    ramp = Picture(np.linspace(0.0, 1.0, width)[np.newaxis, :], palette, no_color, None)
    return Row(Text(format_number(vmin)), ramp, Text(format_number(vmax)))


class Picture:
    """A grid of levels in [0, 1] (NaN = no value) drawn with a palette.

    A Rich renderable: it decides between colour half-blocks and glyphs when printed.
    """

    def __init__(self, levels, palette, no_color, marks):
        if palette not in PALETTES:
            raise ValueError(f"unknown palette {palette!r}; choose from {', '.join(PALETTES)}")
        self.levels = levels
        self.palette = palette
        self.no_color = no_color
        self.marks = dict(marks or {})
        self.box = None  # (columns, lines) to fit into, if told: see `fit`
        self.drawn = {}  # (colour, 256 colours) → the lines: Rich asks for them again for each measure

    def fit(self, columns, lines):
        """Draw the picture scaled to fill at most `columns` × `lines` (pixels stay square:
        one column by half a line in colour, two columns by a line in glyphs)."""
        self.box = (columns, lines)
        return self

    def width(self, console):
        """The columns the picture takes on `console`."""
        colour = in_colour(console, self.no_color)
        return fitted_shape(self.levels.shape, self.box, colour)[1] * (1 if colour else 2)

    def __rich_measure__(self, console, options):
        width = self.width(console)
        return Measurement(width, width)

    def __rich_console__(self, console, options):
        for line in self.drawn_lines(console):
            yield from line
            yield Segment.line()

    def drawn_lines(self, console):
        """The picture drawn for `console`, as lines of Segments (each as wide as the
        picture): what a picture around it (its axes) takes without Rich splitting them
        out of a stream again. Drawn once for each kind of console."""
        key = (in_colour(console, self.no_color), console.color_system == "256")
        if key not in self.drawn:
            colour, xterm = key
            shape = fitted_shape(self.levels.shape, self.box, colour)
            levels, marks = resample(self.levels, shape), resample_marks(self.marks, self.levels.shape, shape)
            if colour:
                self.drawn[key] = list(_half_blocks(levels, marks, self.palette, xterm))
            else:
                self.drawn[key] = list(_glyphs(levels, marks))
        return self.drawn[key]


def in_colour(console, no_color=None):
    """Whether pictures go to `console` in colour: not with NO_COLOR or without colours, and
    not with only 16 (their colours are no ramp: the shading glyphs say more), unless
    `no_color` decides."""
    if no_color is not None:
        return not no_color
    return not console.no_color and console.color_system in ("256", "truecolor")


def fitted_shape(shape, box, colour):
    """The (rows, columns) of pixels a picture of `shape` is drawn at to fill `box`
    (columns, lines) — or `shape` itself, with no box — keeping its pixels square."""
    if box is None:
        return shape
    rows, cols = shape
    columns, lines = box
    room_cols, room_rows = (columns, 2 * lines) if colour else (columns // 2, lines)
    scale = min(room_cols / cols, room_rows / rows)
    return max(1, int(rows * scale)), max(1, int(cols * scale))


def resample(grid, shape):
    """`grid` at `shape`, each new pixel the old one nearest its centre."""
    rows, cols = grid.shape
    if (rows, cols) == shape:
        return grid
    row_of = ((np.arange(shape[0]) + 0.5) * rows / shape[0]).astype(int)
    col_of = ((np.arange(shape[1]) + 0.5) * cols / shape[1]).astype(int)
    return grid[np.ix_(row_of, col_of)]


def resample_marks(marks, old, new):
    """Marks at (row, col) of a grid of shape `old` moved to a grid of shape `new`."""
    if old == new:
        return marks
    return {(row * new[0] // old[0], col * new[1] // old[1]): mark for (row, col), mark in marks.items()}


def _half_blocks(levels, marks, palette, xterm):
    """Lines of half blocks ▀: each cell's top pixel in its foreground colour, the one
    below in its background (a missing pixel — NaN, or the last row of an odd count —
    left unpainted); a mark replaces its cell, on its pixel's colour."""
    rows, cols = levels.shape
    colours = palette_colours(palette, xterm)
    index = np.where(np.isnan(levels), -1, np.round(np.nan_to_num(levels) * LEVELS)).astype(int)
    index = np.where(index < 0, -1, first_levels(palette, xterm)[index.clip(0)])
    if rows % 2:
        index = np.vstack([index, np.full((1, cols), -1)])
    marked = marked_cells(marks, rows, cols)
    for top in range(0, rows, 2):
        line = []
        for start, stop in runs(index[top], index[top + 1], marked[top // 2]):
            upper, lower = int(index[top, start]), int(index[top + 1, start])
            if marked[top // 2, start]:
                at = (top, start) if (top, start) in marks else (top + 1, start)
                level = upper if at[0] == top else lower
                line.append(Segment(marks[at], _mark_style(colours[level] if level >= 0 else None)))
            elif upper < 0:  # no top pixel: paint only the bottom half
                line.append(Segment(" " * (stop - start), _block_style(palette, xterm, -1, lower)))
            else:
                line.append(Segment(HALF_BLOCK * (stop - start), _block_style(palette, xterm, upper, lower)))
        yield line


def marked_cells(marks, rows, cols):
    """Which character cells of a half-block picture of rows × cols pixels carry a mark
    (cells × columns, a cell being two pixel rows)."""
    marked = np.zeros(((rows + 1) // 2, cols), dtype=bool)
    for row, col in marks:
        if 0 <= row < rows and 0 <= col < cols:
            marked[row // 2, col] = True
    return marked


def runs(upper, lower, marked):
    """(start, stop) of the runs of one line of half blocks: neighbouring cells whose top
    pixels are alike and whose bottom pixels are alike make one run (one Segment for
    Rich to carry, however wide); a marked cell is a run of its own."""
    change = (upper[1:] != upper[:-1]) | (lower[1:] != lower[:-1]) | marked[1:] | marked[:-1]
    bounds = [0, *(np.flatnonzero(change) + 1).tolist(), len(upper)]
    return zip(bounds, bounds[1:])


def _glyphs(levels, marks):
    """Lines of shading glyphs, each pixel two wide (a mark takes the first of its two)."""
    rows, cols = levels.shape
    for row in range(rows):
        line = []
        for col in range(cols):
            glyph = _glyph(levels[row, col])
            mark = marks.get((row, col))
            line.append(Segment(mark + glyph if mark else glyph * 2))
        yield merged_runs(line)


@functools.lru_cache(maxsize=65536)
def _block_style(palette, xterm, upper, lower):
    """The style of a half block (upper, lower: levels of the palette, -1 for none), made
    once: the frames of a live panel reuse the same few hundred."""
    colours = palette_colours(palette, xterm)
    return Style(color=colours[upper] if upper >= 0 else None, bgcolor=colours[lower] if lower >= 0 else None)


@functools.cache
def palette_colours(palette, xterm):
    """The palette's colours at LEVELS + 1 evenly spaced levels: interpolated between its
    stops, or (`xterm`: a 256-colour terminal) the nearest step of its xterm ramp. A tuple,
    so that styles made of them can be cached."""
    if xterm:
        ramp = XTERM_RAMPS[palette]
        return tuple(Color.from_ansi(ramp[round(k / LEVELS * (len(ramp) - 1))]) for k in range(LEVELS + 1))
    return tuple(_interpolate(PALETTES[palette], k / LEVELS) for k in range(LEVELS + 1))


@functools.cache
def first_levels(palette, xterm):
    """For each level, the first level drawn in the same colour: a 256-colour terminal's
    ramp has a few dozen colours for LEVELS levels, and cells alike on screen then make
    one run."""
    first = {}
    return np.array([first.setdefault(colour, level) for level, colour in enumerate(palette_colours(palette, xterm))])


def merged_runs(line):
    """Neighbouring segments of one style joined into one: a saturated region is then a
    few segments instead of one per pixel, and the live panel redraws it that much faster."""
    merged = []
    for segment in line:
        if merged and merged[-1].style is segment.style:
            merged[-1] = Segment(merged[-1].text + segment.text, segment.style)
        else:
            merged.append(segment)
    return merged


def _as_2d(values):
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"a picture needs a 2-D array, got shape {values.shape}")
    return values


def _normalise(values, vmin, vmax):
    """Values → levels in [0, 1] (clipped); everything mid-level if vmin == vmax."""
    if vmax == vmin:
        return np.where(np.isnan(values), np.nan, 0.5)
    return np.clip((values - vmin) / (vmax - vmin), 0.0, 1.0)


def _interpolate(stops, level) -> Color:
    """The colour a fraction `level` of the way along the palette's stops."""
    position = level * (len(stops) - 1)
    i = min(int(position), len(stops) - 2)
    f = position - i
    r, g, b = (round(lo + (hi - lo) * f) for lo, hi in zip(stops[i], stops[i + 1]))
    return Color.from_rgb(r, g, b)


def _glyph(level) -> str:
    return " " if np.isnan(level) else GLYPHS[round(level * (len(GLYPHS) - 1))]


def _mark_style(background):
    """A bold mark on the pixel's colour, black on light pixels and white on dark ones."""
    r, g, b = background.get_truecolor() if background else (0, 0, 0)
    brightness = 0.299 * r + 0.587 * g + 0.114 * b
    return Style(color="#000000" if brightness > 128 else "#ffffff", bgcolor=background, bold=True)
