"""Draws the health view: per-layer gradient std over the epochs (a grid, log colour scale)
and the layers' final profile. Colour or shading glyphs are chosen when it is printed."""

import math

import numpy as np
from rich.console import Group
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from nncli.render import draws
from nncli.render.charts import format_number
from nncli.render.heatmap import PALETTES, _interpolate, in_colour
from nncli.views.health import HEALTHY_RATIO, HealthView

MAX_COLUMNS = 32  # epochs drawn: each column one epoch (or the epoch nearest its place)
SHADES = "·░▒▓█"  # without colour, lowest first; a blank cell means no value


@draws(HealthView, smallest=(44, 8), preferred=(80, 14))
def health_picture(view, width=80, height=None):
    """The health view as one Rich renderable (at most 80 columns wide, whatever `width`);
    `height` given (the live panel), the grid alone, with as many layers as fit."""
    if not view.epochs:
        return Text(
            "this model has no layer statistics (the scalar engine, or an older nncli, measured none)", style="dim"
        )
    low, high = view.log_range
    columns = _columns(len(view.epochs))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right")
    grid.add_column()
    grid.add_row("", Text(_epoch_axis(view.epochs, columns), style="dim"))
    for label, line in zip(_labels(view.layers), view.grad_std):
        grid.add_row(Text(label), Strip([line[i] for i in columns], low, high))
    legend = Table.grid(padding=(0, 1))
    ramp = Strip(list(np.logspace(low, high, MAX_COLUMNS // 2)), low, high)
    legend.add_row(Text("grad std", style="dim"), _number(10**low), ramp, _number(10**high))
    if height is not None:
        return Group(Text("Gradient std per layer (log colour scale)", style="bold"), grid, legend)
    parts = [
        Text("Gradient std per layer, over training (log colour scale)", style="bold"),
        grid,
        legend,
        Text(""),
        Text(f"The layers at epoch {view.epochs[-1]}", style="bold"),
        profile_table(view),
    ]
    notes = [
        "mean ± std: of each layer's outputs after its activation",
        "update ratio: log10(std of a step / std of the weights); ┼ marks a healthy −3",
    ]
    if view.gradient_ratio is not None:
        notes.append(f"first layer's gradient std / last layer's: {format_number(view.gradient_ratio)}")
    parts.append(Text("\n".join(notes), style="dim"))
    return Group(*parts)


def profile_table(view):
    """Per layer at the last epoch: activation, its mean ± std, saturated share, gradient
    std, and the update ratio placed on a scale from −7 to +1 with the healthy −3 marked."""
    table = Table(box=None, padding=(0, 1), pad_edge=False, header_style="bold")
    for heading, justify in LAYOUT:
        table.add_column(heading, justify=justify, no_wrap=True)
    for label, activation, stats in zip(_labels(view.layers), view.activations, view.final):
        ratio = stats["update_ratio"]
        spread = "–" if stats["act_mean"] is None else f"{_number(stats['act_mean'])} ± {_number(stats['act_std'])}"
        table.add_row(
            label,
            activation,
            spread,
            "–" if stats["saturated"] is None else f"{stats['saturated']:.0%}",
            _number(stats["grad_std"]),
            "–" if ratio is None else f"{ratio:+.1f} {_ratio_bar(ratio)}",
        )
    return table


LAYOUT = (
    ("layer", "left"),
    ("activation", "left"),
    ("mean ± std", "right"),
    ("saturated", "right"),
    ("grad std", "right"),
    ("update ratio", "left"),
)


def _labels(names):
    return [f"hidden {i}" for i in range(1, len(names))] + ["output"]


class Strip:
    """One layer's row of the grid: a cell per drawn epoch, coloured (or shaded) by
    log10 of the value between `low` and `high`; blank where there is no value."""

    def __init__(self, values, low, high):
        self.levels = [_level(v, low, high) for v in values]

    def __rich_measure__(self, console, options):
        return Measurement(len(self.levels), len(self.levels))

    def __rich_console__(self, console, options):
        colour = in_colour(console)
        for level in self.levels:
            if level is None:
                yield Segment(" ")
            elif colour:
                yield Segment("█", Style(color=_interpolate(PALETTES["sequential"], level)))
            else:
                yield Segment(SHADES[round(level * (len(SHADES) - 1))])


def _level(value, low, high):
    if value is None or value <= 0:
        return None
    if high == low:
        return 0.5
    return float(np.clip((math.log10(value) - low) / (high - low), 0.0, 1.0))


def _columns(count):
    """Indices of the epochs drawn: all of them, or MAX_COLUMNS spread evenly."""
    if count <= MAX_COLUMNS:
        return list(range(count))
    return np.linspace(0, count - 1, MAX_COLUMNS).round().astype(int).tolist()


def _epoch_axis(epochs, columns):
    first, last = f"epoch {epochs[columns[0]]}", str(epochs[columns[-1]])
    return first + last.rjust(max(len(columns) - len(first), len(last) + 1))


def _ratio_bar(ratio, low=-7.0, high=1.0, width=11):
    """Where the ratio lies on [low, high], with the healthy −3 marked: ──┼──•──."""
    if ratio is None or not math.isfinite(ratio):
        return ""
    cells = ["─"] * width
    cells[round((HEALTHY_RATIO - low) / (high - low) * (width - 1))] = "┼"
    cells[round((min(max(ratio, low), high) - low) / (high - low) * (width - 1))] = "●"
    return "".join(cells)


def _number(value):
    return "–" if value is None else format_number(value)
