"""Digit images from files, and a drawing made into the image a digit network reads.

`read_image(path)` reads a Netpbm image (PBM P1/P4, PGM P2/P5, PPM P3/P6, colour taken as
the mean of red, green and blue) or a plain text grid of numbers, of any size up to
MAX_PIXELS, and returns its ink: a float array in [0, 1], 0 where nothing is written.
Paper is told from ink by the border: an image whose edge is mostly light (dark writing on
white, as scanned) is inverted; one whose edge is dark (light writing on black, as MNIST
stores its digits) is not. A grid's numbers are ink as they stand (0 blank, larger
darker, as the digits data count them), divided by the largest.

`digit_pixels(ink, side, box, centring)` turns ink of any size into the side × side image
the network reads, as its training digits were made: cropped to the ink, scaled (keeping
its shape, each new pixel the mean of the ink it covers) to fill a box × box square, and
placed in the side × side image by that square ("box": centred) or by its centre of mass
("mass": the centre of mass at the image's centre, as MNIST's digits were placed).
"""

import os

import numpy as np

from nncli.errors import DataError
from nncli.text import inert

MAX_PIXELS = 2048 * 2048  # an image's pixels are read into float64: at most 32 MB
MAX_FILE_BYTES = 64 * 1024 * 1024  # a plain-text image of MAX_PIXELS needs less
NETPBM = {"P1", "P2", "P3", "P4", "P5", "P6"}


def read_image(path):
    """The ink of the image file at `path` (see the module's docstring); DataError, one
    line naming the file, for anything that is not one of the formats or is damaged."""
    name = inert(path)
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            raise DataError(f"{name}: {size:,} bytes is too large for a digit image (at most {MAX_FILE_BYTES:,})")
        with open(path, "rb") as file:
            content = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise DataError(f"{name}: {error.strerror or error}") from None
    if content[:2].decode("ascii", "replace") in NETPBM:
        levels = netpbm_levels(content, name)
        return levels if border_mean(levels) <= 0.5 else 1.0 - levels
    return grid_ink(content, name)


def netpbm_levels(content, name):
    """Brightness in [0, 1] (0 black) of each pixel of a Netpbm image's bytes."""
    magic = content[:2].decode("ascii")
    fields, at = header(content, 3 if magic in ("P1", "P4") else 4, name)
    width, height = fields[1], fields[2]
    maximum = 1 if magic in ("P1", "P4") else fields[3]
    if width < 1 or height < 1:
        raise DataError(f"{name}: a {width}×{height} image has no pixels")
    if width * height > MAX_PIXELS:
        raise DataError(f"{name}: claims {width:,}×{height:,} pixels; a digit image may have at most {MAX_PIXELS:,}")
    if not 1 <= maximum <= 65535:
        raise DataError(f"{name}: its maximum value {maximum} is outside 1–65535")
    channels = 3 if magic in ("P3", "P6") else 1
    count = width * height * channels
    raster = content[at:]
    if magic == "P4":
        row_bytes = (width + 7) // 8
        if len(raster) < row_bytes * height:
            raise DataError(f"{name}: truncated: {len(raster):,} bytes of pixels, {row_bytes * height:,} needed")
        bits = np.frombuffer(raster, np.uint8, row_bytes * height).reshape(height, row_bytes)
        values = np.unpackbits(bits, axis=1)[:, :width]
    elif magic in ("P5", "P6"):
        dtype = np.dtype(">u2") if maximum > 255 else np.dtype(np.uint8)
        if len(raster) < count * dtype.itemsize:
            raise DataError(f"{name}: truncated: {len(raster) // dtype.itemsize:,} of its {count:,} values")
        values = np.frombuffer(raster, dtype, count)
    else:
        values = plain_values(raster, count, magic == "P1", name)
    values = values.reshape(height, width, channels).astype(np.float64).mean(axis=2)
    over = np.argwhere(values > maximum)
    if len(over):
        row, column = over[0]
        raise DataError(
            f"{name}: the pixel at row {row + 1}, column {column + 1} is {values[row, column]:g}, "
            f"past the image's maximum {maximum}"
        )
    levels = values / maximum
    return 1.0 - levels if magic in ("P1", "P4") else levels  # in a bitmap 1 is black


def header(content, count, name):
    """([magic, width, height(, maximum)], where the pixels start): whitespace-separated
    numbers after the magic, '#' comments to the end of a line, one whitespace byte after
    the last."""
    fields, at = [content[:2].decode("ascii")], 2
    while len(fields) < count:
        while at < len(content) and (content[at : at + 1].isspace() or content[at : at + 1] == b"#"):
            if content[at : at + 1] == b"#":
                end = content.find(b"\n", at)
                at = len(content) if end < 0 else end
            at += 1
        start = at
        while at < len(content) and content[at : at + 1].isdigit():
            at += 1
        if start == at:
            raise DataError(f"{name}: not a valid {fields[0]} image: its header ends before its size")
        if at - start > 9:
            raise DataError(f"{name}: claims a size or maximum of {int(content[start:at]):,}: far too large")
        fields.append(int(content[start:at]))
    return fields, at + 1


def plain_values(raster, count, bitmap, name):
    """The first `count` numbers of a plain (text) raster; a plain bitmap's pixels are the
    characters 0 and 1, with or without space between them."""
    text = raster.decode("ascii", "replace")
    text = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    tokens = list("".join(text.split())) if bitmap else text.split()
    if len(tokens) < count:
        raise DataError(f"{name}: truncated: {len(tokens):,} of its {count:,} values")
    try:
        values = np.array(tokens[:count], dtype=np.int64)
    except (ValueError, OverflowError):
        bad = next(t for t in tokens[:count] if not t.isdigit())
        raise DataError(f"{name}: '{inert(bad, 20)}' is not a pixel value") from None
    return values


def grid_ink(content, name):
    """The ink of a text grid: rows of numbers (spaces or commas between them), all as
    long, each number 0 or more; divided by the largest."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        raise DataError(f"{name}: not an image nncli reads: give a PGM or PBM file (P1–P6) or a text grid of numbers")
    rows = [line.replace(",", " ").split() for line in text.splitlines()]
    rows = [row for row in rows if row]
    if not rows:
        raise DataError(f"{name}: an empty grid: give rows of numbers, one row of pixels per line")
    width = len(rows[0])
    if len(rows) * width > MAX_PIXELS:
        raise DataError(f"{name}: {len(rows):,}×{width:,} numbers; a digit image may have at most {MAX_PIXELS:,}")
    for number, row in enumerate(rows, start=1):
        if len(row) != width:
            raise DataError(f"{name}: row {number} has {len(row)} numbers and row 1 has {width}: a grid is rectangular")
    try:
        ink = np.array(rows, dtype=np.float64)
    except ValueError:
        bad = next(cell for row in rows for cell in row if not is_number(cell))
        raise DataError(
            f"{name}: '{inert(bad, 20)}' is not a number: not a PGM or PBM image (P1–P6) or a grid of numbers"
        ) from None
    if not np.isfinite(ink).all() or (ink < 0).any():
        row, column = np.argwhere(~np.isfinite(ink) | (ink < 0))[0]
        raise DataError(f"{name}: row {row + 1}, column {column + 1} is {ink[row, column]:g}: ink is a number ≥ 0")
    largest = ink.max()
    return ink / largest if largest > 0 else ink


def is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def border_mean(levels):
    """The mean of the outermost pixels: the paper's brightness, if the writing keeps off the edge."""
    edge = np.concatenate([levels[0], levels[-1], levels[:, 0], levels[:, -1]])
    return float(edge.mean())


# --- what the network reads --------------------------------------------------------------


def digit_pixels(ink, side, box, centring):
    """The side × side image (values in [0, 1]) a network trained on digits made as the
    module's docstring says reads for `ink` (a 2-D array in [0, 1]); blank for no ink."""
    ink = np.asarray(ink, dtype=np.float64)
    image = np.zeros((side, side))
    rows, columns = np.nonzero(ink > 0)
    if len(rows) == 0:
        return image
    cropped = ink[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1]
    square = np.zeros((max(cropped.shape),) * 2)
    top, left = (len(square) - cropped.shape[0]) // 2, (len(square) - cropped.shape[1]) // 2
    square[top : top + cropped.shape[0], left : left + cropped.shape[1]] = cropped
    weights = area_weights(len(square), box)
    scaled = weights @ square @ weights.T
    if centring == "mass":
        top, left = (mass_offset(scaled.sum(axis=axis), side) for axis in (1, 0))
    else:
        top = left = (side - box) // 2
    image[top : top + box, left : left + box] = scaled
    return image


def area_weights(n, m):
    """The m × n matrix that averages n pixels down (or spreads them up) to m: row i holds
    how much of each source pixel the i-th new pixel covers, as a fraction of its width."""
    edges = np.arange(m + 1) * (n / m)
    starts, ends = edges[:-1, None], edges[1:, None]
    source = np.arange(n)[None, :]
    overlap = np.clip(np.minimum(ends, source + 1) - np.maximum(starts, source), 0, None)
    return overlap / (n / m)


def mass_offset(profile, side):
    """Where a box with this ink `profile` (summed along one axis) starts so that its centre
    of mass falls at the centre of `side` pixels — rounded, and kept inside."""
    centre = float((np.arange(len(profile)) + 0.5) @ profile / profile.sum())
    return int(np.clip(round(side / 2 - centre), 0, side - len(profile)))
