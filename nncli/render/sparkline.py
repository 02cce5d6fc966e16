"""Sparklines: a row of numbers as one line of block glyphs ▁▂▃▄▅▆▇█.

They fit inside a table cell, so `nncli inspect weights` can show a whole layer's weight
distribution (`histogram_bar` of its counts) next to its shape and statistics.
"""

import numpy as np

LEVELS = "▁▂▃▄▅▆▇█"


def sparkline(values, width=None) -> str:
    """One glyph per value, lowest value ▁, highest █.

    With `width`, the values are first averaged into (or stretched over) `width` slots.
    NaN and ±inf become a space (a gap); a constant series sits at the middle level.
    """
    v = np.asarray(values, dtype=float).ravel()
    if width is not None:
        v = _resample(v, width)
    finite = np.isfinite(v)
    if not finite.any():
        return " " * len(v)
    lo, hi = v[finite].min(), v[finite].max()
    if hi == lo:
        levels = np.full(len(v), len(LEVELS) // 2 - 1)
    else:
        levels = np.rint((np.where(finite, v, lo) - lo) / (hi - lo) * (len(LEVELS) - 1))
    return "".join(LEVELS[int(k)] if ok else " " for k, ok in zip(levels, finite))


def histogram_bar(counts) -> str:
    """A histogram's bin `counts` as bars, the tallest bin █ and empty bins blank.

    Unlike `sparkline`, bar heights start from zero, so two bins of similar count look
    alike and an empty bin is visibly empty.
    """
    tallest = max(counts, default=0)
    if tallest == 0:
        return " " * len(counts)
    heights = [-(-c * len(LEVELS) // tallest) for c in counts]  # rounded up: a non-empty bin shows
    return "".join(LEVELS[h - 1] if h else " " for h in heights)


def _resample(v, width):
    """`width` values: the mean of each of `width` equal slices of `v` (repeating values
    when `v` is shorter). A slice with no finite value stays NaN, so gaps survive."""
    if len(v) == 0:
        return np.full(width, np.nan)
    edges = (np.arange(width + 1) * len(v)) // width
    slots = np.full(width, np.nan)
    for i, (start, stop) in enumerate(zip(edges[:-1], edges[1:])):
        chunk = v[start : max(stop, start + 1)]
        chunk = chunk[np.isfinite(chunk)]
        if len(chunk):
            slots[i] = chunk.mean()
    return slots
