"""Several runs of one task, side by side: the library behind `nncli compare`.

A comparison is the product of a few settings' values — `lr` 0.01, 0.5 and 1.1, say, or
`dropout` 0 and 0.5 — each combination one run. Every run trains through the runner of
`nncli train` with the same seed, so it starts from the same data, the same starting
weights and the same order of batches, unless the setting it varies changes them (a
different seed, network or initialisation does): what differs between the runs is the
varied setting's doing.

The runs train one after another. A run that diverges is recorded and the next one
starts; Ctrl-C ends the run in progress and the comparison with it. Each run's events
are emitted as `nncli train` emits them, tagged with the run's index ("run"), its start
event also with the settings it varies. Nothing is printed.
"""

import itertools
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from nncli import store
from nncli.errors import DivergedError, NncliError
from nncli.session.runner import train_task

STALLED = 0.95  # a run whose last epoch's loss is above this share of its first's learned (almost) nothing…
BLEW_UP = 2.0  # …and one whose last epoch's loss is this many times its first's diverged


@dataclass
class Run:
    """One run: the settings it varies, the RunConfig they make, and how it went."""

    index: int
    settings: dict  # {option name: value}, e.g. {"lr": 0.5}
    config: object  # the RunConfig
    status: str = "not run"  # then "done", "stalled", "diverged" or "interrupted"
    summary: dict = field(default_factory=dict)  # the final metrics, as train's summary event has them
    metrics: dict = field(default_factory=dict)  # the task's own metrics on the held-out data
    history: dict = field(default_factory=dict)  # "loss" (and "val_loss") of every epoch
    logged: list = field(default_factory=list)  # (epoch, loss, validation loss or None) of each logged epoch
    diverged_at: int | None = None
    elapsed_s: float = 0.0

    @property
    def label(self):
        return describe(self.settings)


def describe(settings):
    """Settings as the command line writes them: "lr=0.5 hidden=16,8"."""
    return " ".join(f"{name}={show(value)}" for name, value in settings.items())


def show(value):
    if isinstance(value, (tuple, list)):
        return ",".join(map(str, value)) or "none"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def combinations(varied):
    """The settings of every run: the product of the values of each (name, values) pair,
    the first name's values changing slowest."""
    names = [name for name, _ in varied]
    return [dict(zip(names, values)) for values in itertools.product(*(values for _, values in varied))]


def model_paths(task, runs, save_dir):
    """Where `--save-dir` keeps each run's model: DIR/<task>-<run>-<settings>.npz."""
    folder = Path(save_dir).expanduser().absolute()
    slug = lambda run: re.sub(r"[^A-Za-z0-9.=,_-]+", "_", run.label.replace(" ", "_"))  # noqa: E731
    return [folder / f"{task.name}-{run.index + 1}-{slug(run)}.npz" for run in runs]


def compare(task, runs, emit, save_dir=None):
    """Train every run of `runs` (a list of Run) in turn, recording into each how it went.
    With `save_dir`, each run's model is saved there (the folder is made if need be),
    never as the store's most recent model. Returns the runs."""
    paths = [None] * len(runs)
    if save_dir is not None:
        paths = model_paths(task, runs, save_dir)
        paths[0].parent.mkdir(parents=True, exist_ok=True)
        for path in paths:
            store.check_writable(path)  # before any training: a long comparison must not end in "cannot save"
    for run, path in zip(runs, paths):
        _train(task, run, path, emit)
        if run.status == "interrupted":
            break
    return runs


def _train(task, run, save_path, emit):
    def tagged(event):
        kind = event["event"]
        if kind == "epoch":
            run.logged.append((event["epoch"], event["loss"], event.get("val_loss")))
        extra = {"settings": run.settings} if kind == "start" else {}
        emit({"event": kind, "run": run.index, **extra, **event})

    started = time.perf_counter()
    try:
        outcome = train_task(task, run.config, save_path, tagged, latest=False)
    except NncliError as error:
        if not isinstance(error, DivergedError):  # data or a network this run cannot have: say which run
            named = NncliError(f"run {run.index + 1} ({run.label}): {error}")
            named.exit_code = error.exit_code
            raise named from None
        run.status, run.diverged_at = "diverged", error.epoch
        run.elapsed_s = time.perf_counter() - started
        emit({"event": "diverged", "run": run.index, "epoch": error.epoch, "message": str(error)})
        return
    run.elapsed_s = time.perf_counter() - started
    run.summary, run.history = outcome.summary, outcome.result.history
    run.metrics = task.metrics(outcome.network, outcome.dataset.X_test, outcome.dataset.y_test)
    run.status = "interrupted" if outcome.result.interrupted else verdict(run.history["loss"])


def verdict(losses):
    """What became of a run: "diverged" if the loss ended far above where it started
    (each step overshot by more than the one before, short of overflowing), "stalled" if
    it hardly fell (or rose a little: mini-batches and dropout make the loss noisy), else
    "done"."""
    if len(losses) < 2:
        return "done"
    first, last = losses[0], losses[-1]
    if last > BLEW_UP * first:
        return "diverged"
    if last > STALLED * first:
        return "stalled"
    return "done"
