"""The training loop: epochs of shuffled mini-batches, each a forward pass, a backward pass
and an optimiser step.

It never prints. It reports through `emit(event)` — plain dicts that the command line
shows as a progress bar or writes as JSON Lines — and returns what happened.
"""

import gc
import math
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from nncli import optim
from nncli.config import OPTIMIZERS
from nncli.data import batch_indices
from nncli.errors import DivergedError
from nncli.nn.layers import describe
from nncli.train.health import HealthMonitor

SCHEMA = 1
MAX_HISTORY = 4_000  # values kept per history series, whatever the number of epochs


@dataclass
class TrainConfig:
    epochs: int
    lr: float
    batch_size: int
    optimizer: str = "sgd"
    weight_decay: float = 0.0
    seed: int = 0
    log_every: int = 1
    patience: int = 0  # stop after this many epochs without a better validation loss; 0: never
    snapshot_epochs: frozenset = frozenset()  # keep the weights after these epochs (0: the start)
    layer_stats: bool = False  # measure each layer's health at logged epochs (Tensor engine)


@dataclass
class TrainResult:
    epochs_run: int
    history: dict = field(default_factory=dict)  # "loss" (and "val_loss"), evenly thinned epochs
    elapsed_s: float = 0.0
    interrupted: bool = False
    stopped_early: bool = False
    stopped_by_user: bool = False  # the control said stop (a `q` pressed on the live panel)
    best_epoch: int = 0
    snapshots: list = field(default_factory=list)  # (epoch, state dict) at the snapshot epochs
    layer_stats: list = field(default_factory=list)  # the layer_stats events, one per logged epoch
    history_stride: int = 1  # the history keeps every this-many-th epoch (see _record)


def make_optimizer(name, params, lr, weight_decay=0.0):
    if name == "sgd":
        return optim.SGD(params, lr, weight_decay=weight_decay)
    if name == "momentum":
        return optim.SGD(params, lr, momentum=0.9, weight_decay=weight_decay)
    if name == "adam":
        return optim.Adam(params, lr, weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")


def start_event(task, config, network):
    """The first event of a run; `network` names the network built ("2-8-8-1 sigmoid")."""
    return {
        "event": "start",
        "schema": SCHEMA,
        "task": task,
        "config": config,
        "network": describe(network.spec()),
        "parameters": network.num_parameters(),
    }


def fit(network, X, y, config, emit, metrics=None, validation=None, control=None):
    """Train `network` on (X, y) and return a TrainResult.

    `metrics(network)` returns a dict of numbers added to logged epochs (say, accuracy);
    `validation` is an (X, y) pair whose loss is tracked every epoch, for the curves and
    for early stopping (which restores the best weights it saw). Raises DivergedError on a
    non-finite loss. Ctrl-C ends training cleanly: the result says `interrupted`.

    `control`, if given, is asked after every epoch: `control.after_epoch(epoch, history,
    numbers)` (numbers: the epoch's event, logged or not) may take its time (to pace or
    pause training, or draw a frame of the live views from the current weights) and
    returns True to stop here, keeping what was learned.
    """
    optimizer = make_optimizer(config.optimizer, network.parameters(), config.lr, config.weight_decay)
    result = TrainResult(epochs_run=0, history={"loss": []})
    if validation is not None:
        result.history["val_loss"] = []
    started = time.perf_counter()
    try:
        # Overflow is no error here: a non-finite loss is caught and reported as divergence.
        with np.errstate(over="ignore", invalid="ignore"):
            _run_epochs(network, optimizer, X, y, config, emit, metrics, validation, control, result, started)
    except KeyboardInterrupt:
        result.interrupted = True
    result.elapsed_s = time.perf_counter() - started
    return result


def _run_epochs(network, optimizer, X, y, config, emit, metrics, validation, control, result, started):
    """The epochs of `fit`, recording into `result`; emits the logged epochs."""
    rng = np.random.default_rng(config.seed)
    best_val, best_state = math.inf, None
    if 0 in config.snapshot_epochs:
        result.snapshots.append((0, network.state_dict()))
    # Per-layer health on one fixed batch, at every logged epoch (the Tensor engine's layers only).
    monitor = HealthMonitor(network, X, y) if config.layer_stats and network.engine == "tensor" else None
    if monitor is not None:
        result.layer_stats = monitor.history
    for epoch in range(1, config.epochs + 1):
        logged = epoch in (1, config.epochs) or epoch % config.log_every == 0
        watch = monitor if logged else None
        epoch_loss = _run_epoch(network, optimizer, X, y, config.batch_size, rng, epoch, config.lr, watch)
        result.epochs_run = epoch
        if epoch in config.snapshot_epochs:
            result.snapshots.append((epoch, network.state_dict()))
        event = {"event": "epoch", "epoch": epoch, "loss": epoch_loss}
        if validation is not None:
            val_loss = network.evaluate_loss(*validation)
            event["val_loss"] = val_loss
            if val_loss < best_val:
                best_val, best_state, result.best_epoch = val_loss, network.state_dict(), epoch
        stop = config.patience and validation is not None and epoch - result.best_epoch >= config.patience
        _record(result, event, last=stop or epoch == config.epochs)
        if stop or logged:
            if metrics is not None:
                event.update(metrics(network))
            event.update(lr=config.lr, elapsed_s=round(time.perf_counter() - started, 4))
            emit(event)
            if monitor is not None:
                emit(monitor.measure(epoch))
        if stop:  # early stopping keeps the weights of the best validation loss
            result.stopped_early = True
            if best_state is not None:
                network.load_state_dict(best_state)
            return
        if control is not None and control.after_epoch(epoch, result.history, event):
            result.stopped_by_user = True
            return


def _record(result, event, last):
    """Keep the epoch's losses in the history, which stays evenly spaced and bounded: past
    MAX_HISTORY values, every other one is dropped and only every 2nd (4th, …) epoch is
    kept from then on, so a run of millions of epochs holds a few thousand numbers. The
    last epoch is always kept."""
    if (event["epoch"] - 1) % result.history_stride and not last:
        return
    for name, values in result.history.items():
        values.append(event[name])
    if len(result.history["loss"]) > MAX_HISTORY:
        for values in result.history.values():
            del values[1::2]
        result.history_stride *= 2


def _run_epoch(network, optimizer, X, y, batch_size, rng, epoch, lr, watch=None):
    """One pass over the data; returns the mean of the batch losses, weighted by batch size.
    `watch` (a HealthMonitor) sees the weights just before the epoch's last step."""
    total = 0.0
    batches = batch_indices(len(X), batch_size, rng)
    for index, batch in enumerate(batches):
        last = watch if index == len(batches) - 1 else None
        with collector_paused():
            value = _step(network, optimizer, X[batch], y[batch], last)
        if not math.isfinite(value):
            raise DivergedError(
                f"training diverged at epoch {epoch}: the loss became {value} with --lr {lr:g}.\n"
                "Try a smaller learning rate (--lr); no model was saved.",
                epoch,
            )
        total += value * len(batch)
    return total / len(X)


def _step(network, optimizer, X, y, watch=None):
    """One gradient step on a batch; returns its loss, or a non-finite loss untouched.
    The step's graph is freed when this returns. `watch` (a HealthMonitor) sees the
    gradients and weights just before the step."""
    optimizer.zero_grad()
    loss = network.loss(X, y)
    value = float(loss.data)  # a 0-d array (Tensor) or a float (Value)
    if math.isfinite(value):
        loss.backward()
        if watch is not None:
            watch.before_step()
        optimizer.step()
    return value


@contextmanager
def collector_paused():
    """Keep Python's cycle collector out of a training step.

    A step of the scalar engine makes hundreds of thousands of Values, and the collector,
    which runs every few hundred new objects, would scan them again and again — more than
    half the step's time — for nothing: the graphs of both engines hold no reference
    cycles, so each is freed the moment the step drops it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
