"""What is shown, as numbers.

The contract
------------
A view is a pure function

    view(network, dataset, config, history) -> Numbers

- `network`: the trained (or training) network — read, never changed;
- `dataset`: the task's `Dataset`, as `task.load_data(config)` builds it;
- `config`: the run's `RunConfig`;
- `history`: a `History` — the loss per epoch so far, the epoch the weights are from, and
  the latest metrics (for a finished run, its summary).

It returns a small dataclass that subclasses `Numbers`: plain numbers only (floats, ints,
strings, and lists and dicts of them — grids, curves, tables, paths), no NumPy arrays, no
Rich, nothing printed. `numbers.to_json()` is the dict `visualize --json` prints.

A view costs a few milliseconds on the networks nncli trains — it evaluates the network on a
small grid or a data set's held-out part, never trains — so the live panel can recompute it
from the current weights about ten times a second. (linreg's landscape is the exception
that proves the rule: it retraces training from the model's starting weights, at most
1,000 epochs of a two-parameter network.)

How a task lists its views
--------------------------
A task module names them, in drawing order, as "module.function" under nncli.views:

    class XorTask(Task):
        views = {"boundary": "plane.boundary", "neurons": "plane.neurons", "loss": "loss.history"}
        watch = ("boundary", "neurons")     # what the live panel shows while it trains
        result = ("plane.truth_table",)     # what a finished `nncli train` shows

Two reports are not pictures of a network but of numbers a task computed, so their
functions take those numbers instead: `evaluation = "digits.evaluation"` (the metrics dict
of `evaluate`) and `prediction = "digits.predictions"` (the rows of `predict`); both
default to plain tables ("tables.metrics", "tables.answers").

The commands' own pictures are views as well — `explain` (DescentLesson, Backprop),
`descend` (DescentView, RaceResults), `lr-find` (LrCurve), `inspect` (Diagram, Graph,
WeightTable, Matrices, RankedFilters, ModelSummary), `probe`, `gradcheck` — their Numbers
built by the command from what it computed, then drawn, printed as JSON or written as SVG
through the same registries as the tasks' views.

Names, not imports, so that tasks stay below views (views may import tasks, never the
other way round) and the views' modules load only when a picture is wanted.

How render finds the draw function
----------------------------------
`nncli.render.draw(numbers, width)` dispatches on the dataclass's type through one
registry: the draw functions are registered with `@draws(NumbersType)` in the render
module of the same name as the view's (views/plane.py → render/plane.py), which draw()
imports on first use. Render never runs a network and never reads a task's name.

Adding a view is one function (and its Numbers class) here, one draw function in render/,
and one line in the task.
"""

import importlib
import math
from dataclasses import dataclass, field, fields, is_dataclass

import numpy as np


@dataclass
class History:
    """What a view may know about the run beyond the weights."""

    losses: dict = field(default_factory=dict)  # "loss" (and "val_loss"), thinned evenly over the epochs
    epoch: int = 0  # the epoch the weights are from
    metrics: dict = field(default_factory=dict)  # the latest metrics; a finished run's summary
    logged: list = field(default_factory=list)  # while training: every logged epoch event so far
    trajectory: list | None = None  # while training: the state dict after each epoch (epoch 0 first),
    #                                 kept for views marked `wants_trajectory` (a path on a landscape)
    loss_epochs: list | None = None  # the epoch of each loss value, when not evenly spread up to `epoch`
    layer_stats: list = field(default_factory=list)  # per-layer health at logged epochs (thinned in a model)

    @classmethod
    def of_model(cls, meta):
        """The History a model file records."""
        return cls(
            meta.get("history", {}),
            meta.get("epochs_run", 0),
            meta.get("metrics", {}),
            layer_stats=meta.get("layer_stats"),
        )

    def at(self, epoch):
        """This run's History as it stood at `epoch` (for a snapshot): the losses up to
        then, and no final metrics."""
        count = max((len(v) for v in self.losses.values()), default=0)
        epochs = self.loss_epochs or spread_epochs(count, self.epoch)
        keep = [i for i, e in enumerate(epochs) if e <= epoch]
        losses = {key: [values[i] for i in keep if i < len(values)] for key, values in self.losses.items()}
        return History(
            losses, epoch, loss_epochs=[epochs[i] for i in keep], layer_stats=_up_to(self.layer_stats, epoch)
        )


def _up_to(layer_stats, epoch):
    """The layer statistics measured by `epoch`; entries without a whole-number epoch are
    kept, for the health view to refuse."""
    if not isinstance(layer_stats, list):
        return layer_stats
    return [
        r for r in layer_stats if not (isinstance(r, dict) and isinstance(r.get("epoch"), int)) or r["epoch"] <= epoch
    ]


def spread_epochs(count, epochs_run):
    """The epoch of each kept point of a history thinned evenly from `epochs_run` values."""
    if count >= epochs_run or count < 2:
        return list(range(1, count + 1))
    return [int(e) for e in np.linspace(0, epochs_run - 1, count).round() + 1]


class Numbers:
    """The base of every view's result: a dataclass of plain numbers."""

    def to_json(self):
        return plain(self)


def plain(value):
    """`value` with NumPy arrays and scalars turned into lists and Python numbers,
    non-finite floats into None (JSON has no NaN) and dataclasses into dicts of their
    fields (converted as they are read: dataclasses.asdict would copy every list and array
    deeply first)."""
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.generic):
        return plain(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    return value


class Later:
    """A value computed on first use: the dataset, which a view of the loss never needs
    (so `visualize --view loss` works where the data are gone)."""

    def __init__(self, make):
        self._make, self._value = make, None

    def __getattr__(self, name):
        if self._value is None:
            self._value = self._make()
        return getattr(self._value, name)


def resolve(name):
    """The view function called "module.function" under nncli.views."""
    module, function = name.rsplit(".", 1)
    return getattr(importlib.import_module(f"nncli.views.{module}"), function)


def compute(task, view, network, dataset, config, history):
    """The numbers of the task's view called `view`."""
    return resolve(task.views[view])(network, dataset, config, history)
