"""Drawing a comparison: every run's losses on one chart, each run marked by its own
letter (so the runs are told apart without colour too), the table of how each run
ended, and the live view of the runs as they train."""

import math

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from nncli.render import animates, draws
from nncli.render.charts import Series, format_number, line_chart
from nncli.render.numbers import counted
from nncli.render.synchronized import SynchronizedLive
from nncli.views.compare import Comparison

LETTERS = "ABCDEFGHIJKLMNOP"  # one per run: capital on its training loss, small on its validation loss
COLOURS = ("cyan", "magenta", "yellow", "green", "blue", "red", "bright_cyan", "bright_magenta")
STATUS_STYLES = {"diverged": "red", "stalled": "yellow", "interrupted": "yellow", "not run": "dim"}
CHART_HEIGHT = 14
KEYS = ("loss", "val_loss")
ROOMY = 100  # columns from which the table's cells get a space either side
ZOOM = 1.5  # the validation close-up shows losses up to at least this many times the lowest
REFRESHES_PER_SECOND = 8


def letter(index):
    return LETTERS[index % len(LETTERS)]


def colour(index):
    return COLOURS[index % len(COLOURS)]


def loss_chart(curves, labels, epochs, width, height=CHART_HEIGHT, title="Loss per epoch", keys=KEYS, y_range=None):
    """Every run's training loss (and validation loss, where there is one) per epoch on
    one chart: run k's lines in its colour, its letter on them — the capital on the
    training loss, the small letter on the validation loss — a few times along each
    line and where it ends. A run whose loss shot off the top is cut at the chart's
    edge, its letter where it left. Log-scaled when every loss is positive. `keys` picks
    the losses drawn; `y_range` (default: see `_y_range`) the losses shown."""
    series, marks = [], []
    values = [v for curve in curves for key in keys for v in curve[key] if _finite(v)]
    if not values:
        return Text("no epochs yet", style="dim")
    log_y = min(values) > 0
    y_range = y_range or _y_range(curves, values)
    along = max(1, len(curves))
    for k, curve in enumerate(curves):
        for key in keys:
            char = letter(k) if key == "loss" else letter(k).lower()
            points = [(e, v) for e, v in zip(curve["epochs"], curve[key]) if _finite(v)]
            if not points:
                continue
            xs, ys = [e for e, _ in points], [v for _, v in points]
            series.append(Series(f"{char} {labels[k]}", xs, ys, colour(k)))
            marks.extend(_letters(xs, ys, char, colour(k), y_range, (k + 0.5) / along))
    chart = line_chart(
        series,
        width=max(20, min(72, width - 12)),
        height=height,
        x_range=(1, max(epochs, 2)),
        y_range=y_range,
        title=title + (" (log scale)" if log_y else ""),
        x_label="epoch",
        log_y=log_y,
        marks=marks,
        legend=False,
    )
    return chart


def legend(labels, has_validation):
    """Which letter is which run, one run a line."""
    lines = [Text.assemble((f" {letter(k)} ", f"bold {colour(k)}"), label) for k, label in enumerate(labels)]
    if has_validation:
        lines.append(Text(" capital letters: training loss · small letters: validation loss", style="dim"))
    return Group(*lines)


def _finite(v):
    return v is not None and math.isfinite(v)


def _y_range(curves, values):
    """From the lowest loss to the highest of the runs that did not blow up — a run that
    did would flatten every other line against the floor. A run blows up here if its
    loss ends above where it started."""
    kept = []
    for curve in curves:
        losses = [v for v in curve["loss"] if _finite(v)]
        if losses and losses[-1] <= losses[0]:
            kept.extend(v for key in ("loss", "val_loss") for v in curve[key] if _finite(v))
    kept = kept or [v for curve in curves for v in curve["loss"][:1] if _finite(v)] or values
    return min(values), max(kept)


def _letters(xs, ys, char, style, y_range, fraction):
    """Where a line's letter goes: at a point `fraction` of the way along it (each run at
    its own place, so letters do not pile up), and at its end — or where it first leaves
    the chart, on the edge."""
    low, high = y_range
    inside = [i for i, y in enumerate(ys) if low <= y <= high]
    out = next((i for i, y in enumerate(ys) if not low <= y <= high), None)
    marks = []
    if inside:
        middle = inside[min(len(inside) - 1, int(fraction * len(inside)))]
        marks.append((xs[middle], ys[middle], char, style))
    if out is not None:
        marks.append((xs[out], high if ys[out] > high else low, char, style))
    elif inside:
        marks.append((xs[inside[-1]], ys[inside[-1]], char, style))
    return marks


def validation_close_up(curves, labels, epochs, width):
    """The validation losses alone, from the lowest to the highest any run reached after
    its own lowest point: where a network starts to overfit, its validation loss turns
    and climbs while its training loss still falls — a rise the full chart squashes flat.
    None if no run has validation losses."""
    lows = []
    for curve in curves:
        values = [v for v in curve["val_loss"] if _finite(v)]
        if values:
            lowest = values.index(min(values))
            lows.append((values[lowest], max(values[lowest:])))
    if not lows:
        return None
    low = min(lowest for lowest, _ in lows)
    high = max(max(later for _, later in lows), low * ZOOM)
    title = "Validation loss near its lowest"
    return loss_chart(curves, labels, epochs, width, height=10, title=title, keys=("val_loss",), y_range=(low, high))


@draws(Comparison)
def draw_comparison(numbers, width):
    """The chart of every run's losses, its legend, the validation close-up where there
    is one, and the table."""
    labels = [_label(numbers, row) for row in numbers.runs]
    close_up = validation_close_up(numbers.curves, labels, numbers.epochs, width)
    parts = [loss_chart(numbers.curves, labels, numbers.epochs, width), legend(labels, close_up is not None)]
    if close_up is not None:
        parts += [Text(""), close_up]
    return Group(*parts, Text(""), comparison_table(numbers, width))


def _label(numbers, row):
    return " ".join(f"{name}={_value(row['settings'][name])}" for name in numbers.varied)


def _value(value):
    if isinstance(value, list):
        return ",".join(map(str, value)) or "none"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def comparison_table(numbers, width):
    """One row per run: its settings, its final training and held-out losses and the gap
    between them, the epoch of its lowest validation loss, the task's metric, its epochs,
    its time, and a word for a run that diverged, stalled or stopped early."""
    rows = numbers.runs
    has = lambda key: any(row.get(key) is not None for row in rows)  # noqa: E731
    columns = [("", "left", lambda row: Text(letter(row["run"]), style=f"bold {colour(row['run'])}"))]
    columns += [(name, "right", lambda row, name=name: _value(row["settings"][name])) for name in numbers.varied]
    columns.append(("training\nloss", "right", lambda row: _number(row["loss"])))
    if has("test_loss"):
        columns.append(("held-out\nloss", "right", lambda row: _number(row["test_loss"])))
        columns.append(("gap", "right", lambda row: _number(row["gap"], signed=True)))
    if has("best_epoch"):
        columns.append(("lowest\nval at", "right", lambda row: _count(row["best_epoch"])))
    if numbers.metric is not None:
        columns.append((numbers.metric, "right", lambda row: _metric(numbers.metric, row.get(numbers.metric))))
    columns.append(("epochs", "right", lambda row: _count(row["epochs"])))
    columns.append(("time", "right", lambda row: f"{row['elapsed_s']:.2f} s"))
    if any(_note(row) for row in rows):
        columns.append(("", "left", _note))
    title = f"{numbers.task}: " + ", ".join(numbers.varied) + " compared"
    padding = (0, 1) if width >= ROOMY else 0  # at 80 columns every column counts
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, padding=padding)
    for name, justify, _ in columns:
        table.add_column(name, justify=justify)
    for row in rows:
        table.add_row(*(cell(row) for _, _, cell in columns))
    notes = []
    if has("test_loss"):
        notes.append("gap: held-out loss minus training loss — how much worse the network does on data it never saw")
    if has("best_epoch"):
        notes.append("lowest val at: the epoch of the lowest validation loss; after it, the network overfits")
    table.caption, table.caption_justify = "\n".join(notes) or None, "left"
    return table


def _note(row):
    status = row["status"]
    if status != "done":  # a diverged run's epochs say where
        return Text(status, style=STATUS_STYLES[status])
    return Text("stopped early", style="dim") if row["stopped_early"] else ""


def _number(v, signed=False):
    if v is None:
        return "—"
    text = f"{v:.4g}"
    return f"+{text}" if signed and v > 0 else text


def _count(v):
    return "—" if v is None else f"{v:,}"


def _metric(name, v):
    if v is None:
        return "—"
    return f"{v:.2%}" if "accuracy" in name else f"{v:.4g}"


class LiveComparison:
    """An event sink for a comparison's runs: on a terminal, a live chart of every run's
    losses so far and which run is training; elsewhere, one plain line per finished run.
    Use as a context manager."""

    def __init__(self, console, title, labels, epochs):
        self.console, self.title, self.labels, self.epochs = console, title, labels, epochs
        self.curves = [{"epochs": [], "loss": [], "val_loss": []} for _ in labels]
        self.current, self.epoch = 0, 0
        self.live = None

    def __enter__(self):
        self.console.print(f"[bold]{self.title}[/]: {len(self.labels)} runs", highlight=False)
        if animates(self.console):
            # Transient: the finished chart and the table take the last frame's place.
            self.live = SynchronizedLive(
                get_renderable=self.frame, console=self.console, refresh_per_second=REFRESHES_PER_SECOND, transient=True
            )
            self.live.start()
        return self

    def __exit__(self, *exc_info):
        if self.live is not None:
            self.live.stop()

    def __call__(self, event):
        kind, k = event["event"], event.get("run", 0)
        if kind == "start":
            self.current, self.epoch = k, 0
        elif kind == "epoch":
            curve = self.curves[k]
            curve["epochs"].append(event["epoch"])
            curve["loss"].append(event["loss"])
            curve["val_loss"].append(event.get("val_loss"))
            self.epoch = event["epoch"]
        elif kind in ("summary", "diverged") and self.live is None:
            how = f"diverged at epoch {event['epoch']}" if kind == "diverged" else self._ended(event)
            self.console.print(f"{letter(k)} {self.labels[k]}: {how}", highlight=False)

    @staticmethod
    def _ended(summary):
        return (
            f"loss {format_number(summary['loss'])} after {counted(summary['epochs'], 'epoch')} "
            f"({summary['elapsed_s']:.2f} s)"
        )

    def frame(self):
        k = self.current
        head = Text.assemble(
            (f"run {k + 1} of {len(self.labels)} ", "bold"),
            (letter(k), f"bold {colour(k)}"),
            f" {self.labels[k]} · epoch {self.epoch:,}/{self.epochs:,}",
        )
        curves = [
            {key: list(values) for key, values in curve.items()} for curve in self.curves[: k + 1]
        ]  # a snapshot: the refresh thread draws while training appends
        has_validation = any(_finite(v) for curve in curves for v in curve["val_loss"])
        return Group(
            head, loss_chart(curves, self.labels, self.epochs, self.console.width), legend(self.labels, has_validation)
        )
