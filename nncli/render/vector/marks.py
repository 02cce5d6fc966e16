"""The building blocks of vector pictures: escaped text, colour scales that read on a light
and a dark page and for the colour-blind, heatmap grids as PNG images, round axis ticks,
and a Figure that collects the shapes of one picture.

A PNG is written here from its definition (signature, IHDR, IDAT compressed with zlib,
IEND, each chunk with its CRC): a 24×24 grid is then a few hundred bytes, where the same
grid as 576 rectangles would be tens of kilobytes in every frame of a replay.
"""

import base64
import html
import math
import struct
import zlib

import numpy as np

from nncli.text import inert

# Blue – grey – orange: the two ends told apart by every common kind of colour blindness,
# and the middle (a value of nothing: an output of 0.5, a neuron at 0) a mid grey that
# stays visible on a white page and on a black one, where white would vanish on white.
DIVERGING = [(33, 102, 172), (103, 150, 200), (150, 150, 150), (215, 150, 80), (179, 88, 6)]
# viridis, for values that only grow (a loss surface, a confidence).
SEQUENTIAL = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
# Ink on paper, for images (digits): a light tile with dark strokes, framed, reads on both themes.
GREY = [(250, 250, 250), (15, 15, 15)]
SCALES = {"diverging": DIVERGING, "sequential": SEQUENTIAL, "grey": GREY}

# Colours that follow the theme, as CSS variables: a page sets them once, a standalone
# SVG file carries this same block. Series colours are Okabe and Ito's, lightened on dark.
THEME_CSS = """
.nncli-theme, :root { --paper: #ffffff; --ink: #1a1a1a; --faint: #767676;
  --s0: #0072b2; --s1: #d55e00; --s2: #009e73; --s3: #cc79a7; --s4: #e69f00; --s5: #56b4e9; }
@media (prefers-color-scheme: dark) {
  .nncli-theme, :root { --paper: #161616; --ink: #ececec; --faint: #9a9a9a;
    --s0: #56b4e9; --s1: #f08a4b; --s2: #3fd0a0; --s3: #e09ac4; --s4: #f0c040; --s5: #9fd3f5; }
}
[data-theme=light] { --paper: #ffffff; --ink: #1a1a1a; --faint: #767676;
  --s0: #0072b2; --s1: #d55e00; --s2: #009e73; --s3: #cc79a7; --s4: #e69f00; --s5: #56b4e9; }
[data-theme=dark] { --paper: #161616; --ink: #ececec; --faint: #9a9a9a;
  --s0: #56b4e9; --s1: #f08a4b; --s2: #3fd0a0; --s3: #e09ac4; --s4: #f0c040; --s5: #9fd3f5; }
svg.view { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
svg.view text { fill: var(--ink); }
svg.view .faint { fill: var(--faint); }
svg.view .pre { white-space: pre; }
svg.view .axis { stroke: var(--ink); stroke-width: 1.5; fill: none; }
svg.view .tick { stroke: var(--faint); stroke-width: 1; }
svg.view .contour { stroke: var(--ink); stroke-width: 2.5; fill: none; }
svg.view .mark { stroke: var(--ink); stroke-width: 2; }
svg.view .hollow { fill: var(--paper); }
svg.view .node { fill: var(--paper); stroke: var(--ink); stroke-width: 2.5; }
svg.view .frame { stroke: var(--faint); stroke-width: 1; fill: none; }
svg.view .right { fill: var(--s2); }
svg.view .wrong { fill: var(--s1); font-weight: 600; }
"""
# Series are told apart by dash as well as by colour: a print in grey still separates them.
DASHES = ["", "8 5", "2 4", "10 4 2 4", "4 4", "12 6", "14 4 2 4 2 4"]  # 7 against 6 colours: 42 pairs


def escape(text, limit=200):
    """`text` from outside as inert XML text, safe in an element or a quoted attribute."""
    return html.escape(inert(text, limit), quote=True)


def colours(values, scale="diverging"):
    """An (…, 3) uint8 array: the colour of each value in [0, 1] on `scale` (NaN: grey)."""
    stops = np.asarray(SCALES[scale], dtype=float)
    values = np.nan_to_num(np.clip(np.asarray(values, dtype=float), 0.0, 1.0), nan=0.5)
    position = values * (len(stops) - 1)
    low = np.minimum(position.astype(int), len(stops) - 2)
    share = (position - low)[..., np.newaxis]
    return np.rint(stops[low] * (1 - share) + stops[low + 1] * share).astype(np.uint8)


def hex_colour(value, scale="diverging"):
    r, g, b = colours([value], scale)[0]
    return f"#{r:02x}{g:02x}{b:02x}"


def png(rgb):
    """The bytes of a PNG image of `rgb`, an (rows, cols, 3) uint8 array."""
    rows, cols, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[i].tobytes() for i in range(rows))  # filter 0 (none) per row

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", cols, rows, 8, 2, 0, 0, 0)  # 8 bits, truecolour, no interlace
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def round_ticks(low, high, count=5):
    """About `count` round numbers (1, 2 or 5 × a power of ten apart) from low to high."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low] if math.isfinite(low) else []
    rough = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    first = math.ceil(low / step - 1e-9)
    ticks = [(first + k) * step for k in range(int((high - low) / step + 1e-9) + 2)]
    return [round(t, 12) for t in ticks if low - 1e-9 * step <= t <= high + 1e-9 * step]


def tick_label(value):
    if value == 0:
        return "0"
    if abs(value) >= 1e5 or abs(value) < 1e-3:
        return f"{value:.0e}".replace("e-0", "e-").replace("e+0", "e")
    return f"{value:.3g}".replace("-", "−")


class Figure:
    """The shapes of one picture, `width` × `height` units, written as one `<svg>`."""

    def __init__(self, width, height, label):
        self.width, self.height, self.label = width, height, label
        self.parts = []

    def text(self, x, y, content, size=18, anchor="start", cls=""):
        klass = f' class="{cls}"' if cls else ""
        self.parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{klass}>{escape(content)}</text>'
        )

    def image(self, x, y, width, height, rgb):
        data = base64.b64encode(png(rgb)).decode("ascii")
        self.parts.append(
            f'<image x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" preserveAspectRatio="none"'
            f' style="image-rendering: pixelated" href="data:image/png;base64,{data}"/>'
        )

    def polyline(self, points, style):
        coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        self.parts.append(f'<polyline points="{coordinates}" fill="none" {style}/>')

    def add(self, markup):
        self.parts.append(markup)

    def svg(self):
        """The `<svg>` element, without a namespace: inline in a page it needs none, and
        `page.svg_file` declares it once on the file's root."""
        return (
            f'<svg class="view" viewBox="0 0 {self.width} {self.height}"'
            f' role="img" aria-label="{escape(self.label)}">' + "".join(self.parts) + "</svg>"
        )


class Plot:
    """A rectangle of `figure` holding data coordinates (x_range × y_range): maps them to
    the figure's units and draws the axes with round ticks and their names."""

    def __init__(self, figure, box, x_range, y_range, x_name="", y_name="", log_y=False):
        self.figure, self.box, self.log_y = figure, box, log_y
        self.x_range = x_range
        self.y_range = tuple(math.log10(v) for v in y_range) if log_y else y_range
        self.x_name, self.y_name = x_name, y_name

    def x(self, value):
        left, _, width, _ = self.box
        low, high = self.x_range
        return left + (value - low) / ((high - low) or 1.0) * width

    def y(self, value):
        _, top, _, height = self.box
        low, high = self.y_range
        value = math.log10(value) if self.log_y else value
        return top + height - (value - low) / ((high - low) or 1.0) * height

    def axes(self):
        left, top, width, height = self.box
        figure = self.figure
        figure.add(f'<path class="axis" d="M{left:.1f},{top:.1f} V{top + height:.1f} H{left + width:.1f}"/>')
        for value in round_ticks(*self.x_range):
            at = self.x(value)
            figure.add(f'<path class="tick" d="M{at:.1f},{top + height:.1f} v6"/>')
            figure.text(at, top + height + 22, tick_label(value), 17, "middle")
        if self.log_y:
            low, high = self.y_range
            values = [10.0**p for p in range(math.ceil(low - 1e-9), math.floor(high + 1e-9) + 1)] or [10**low]
        else:
            values = round_ticks(*self.y_range)
        for value in values:
            at = self.y(value)
            figure.add(f'<path class="tick" d="M{left - 6:.1f},{at:.1f} h6"/>')
            figure.text(left - 10, at + 5, tick_label(value), 17, "end")
        figure.text(left + width / 2, top + height + 46, self.x_name, 19, "middle")
        if self.y_name:
            figure.add(
                f'<text x="0" y="0" font-size="19" text-anchor="middle" transform="translate({left - 58:.1f},'
                f'{top + height / 2:.1f}) rotate(-90)">{escape(self.y_name)}</text>'
            )

    def line(self, xs, ys, series):
        points = [
            (self.x(a), self.y(b))
            for a, b in zip(xs, ys)
            if b is not None and math.isfinite(b) and (b > 0 or not self.log_y)
        ]
        dash = DASHES[series % len(DASHES)]
        style = f'stroke="var(--s{series % 6})" stroke-width="3" stroke-linejoin="round"'
        self.figure.polyline(points, style + (f' stroke-dasharray="{dash}"' if dash else ""))

    def key(self, names):
        """A key of the series by colour and dash, top right inside the plot."""
        left, top, width, _ = self.box
        self.figure.add(
            f'<rect x="{left + width - 330:.1f}" y="{top + 2:.1f}" width="328" height="{24 * len(names) + 8}"'
            ' fill="var(--paper)" opacity="0.85"/>'
        )
        for k, name in enumerate(names):
            y = top + 18 + 24 * k
            dash = DASHES[k % len(DASHES)]
            self.figure.add(
                f'<path d="M{left + width - 320:.1f},{y - 5:.1f} h40" stroke="var(--s{k % 6})" stroke-width="3"'
                + (f' stroke-dasharray="{dash}"' if dash else "")
                + "/>"
            )
            self.figure.text(left + width - 270, y, name, 18)


def series_key(figure, names, x, y, per_column, column_width, first_slot=0):
    """A key of series 0, 1, … by colour and dash, `per_column` to a column from (x, y);
    `first_slot` leaves that many places free first (for a line of another kind)."""
    for k, name in enumerate(names):
        column, row = divmod(k + first_slot, per_column)
        at_x, at_y = x + column_width * column, y + 26 * row
        dash = DASHES[k % len(DASHES)]
        figure.add(
            f'<path d="M{at_x:.1f},{at_y - 5:.1f} h40" stroke="var(--s{k % 6})" stroke-width="3"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + "/>"
        )
        figure.text(at_x + 50, at_y, name, 17)


def colour_key(figure, x, y, width, low_label, middle_label, high_label, scale="diverging"):
    """A horizontal bar of the colour scale with its ends and middle named."""
    figure.image(x, y, width, 14, colours(np.linspace(0, 1, 64)[np.newaxis, :], scale))
    figure.add(f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="14" fill="none" class="tick"/>')
    figure.text(x, y + 32, low_label, 17, "start")
    figure.text(x + width / 2, y + 32, middle_label, 17, "middle")
    figure.text(x + width, y + 32, high_label, 17, "end")


def image_tiles(figure, grids, captions, box, per_row, *, scale="grey", ranges=None, caption_classes=None):
    """Each 2-D grid of `grids` as a square image with its caption above it, `per_row` to
    a row inside `box` (left, top, width); each grid's values are scaled from its range in
    `ranges` ((low, high); default 0 to 1) to `scale`. The y below the last row."""
    left, top, width = box
    gap = 14
    side = (width - gap * (per_row - 1)) / per_row
    y = top
    for k, (grid, caption) in enumerate(zip(grids, captions)):
        x = left + (k % per_row) * (side + gap)
        y = top + (k // per_row) * (side + 34)
        low, high = ranges[k] if ranges else (0.0, 1.0)
        values = (np.asarray(grid, dtype=float) - low) / ((high - low) or 1.0)
        figure.text(x, y + 20, caption, min(17, side / 6), cls=caption_classes[k] if caption_classes else "")
        figure.image(x, y + 28, side, side, colours(values, scale))
        figure.add(f'<rect x="{x:.1f}" y="{y + 28:.1f}" width="{side:.1f}" height="{side:.1f}" class="frame"/>')
    return y + side + 34 if grids else top
