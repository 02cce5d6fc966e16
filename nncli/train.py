"""The training loop: epochs of shuffled mini-batches, each a forward pass, a backward pass
and an optimiser step.

It never prints. It reports through `emit(event)` — plain dicts that the command line
shows as a progress bar or writes as JSON Lines — and returns what happened.
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np

from nncli import optim
from nncli.data import batch_indices
from nncli.errors import DivergedError

SCHEMA = 1
OPTIMIZERS = ("sgd", "momentum", "adam")


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


@dataclass
class TrainResult:
    epochs_run: int
    history: dict = field(default_factory=dict)  # "loss" (and "val_loss") per epoch
    elapsed_s: float = 0.0
    interrupted: bool = False
    stopped_early: bool = False
    stopped_by_user: bool = False  # the control said stop (a `q` pressed on the live panel)
    best_epoch: int = 0


def make_optimizer(name, params, lr, weight_decay=0.0):
    if name == "sgd":
        return optim.SGD(params, lr, weight_decay=weight_decay)
    if name == "momentum":
        return optim.SGD(params, lr, momentum=0.9, weight_decay=weight_decay)
    if name == "adam":
        return optim.Adam(params, lr, weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")


def start_event(task, config, network):
    return {"event": "start", "schema": SCHEMA, "task": task, "config": config, "parameters": network.num_parameters()}


def fit(network, X, y, config, emit, metrics=None, validation=None, control=None):
    """Train `network` on (X, y) and return a TrainResult.

    `metrics(network)` returns a dict of numbers added to logged epochs (say, accuracy);
    `validation` is an (X, y) pair whose loss is tracked every epoch, for the curves and
    for early stopping (which restores the best weights it saw). Raises DivergedError on a
    non-finite loss. Ctrl-C ends training cleanly: the result says `interrupted`.

    `control`, if given, is asked after every epoch: `control.after_epoch(epoch, history)`
    may take its time (to pace or pause training, or draw a frame of the live views from
    the current weights) and returns True to stop here, keeping what was learned.
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
    for epoch in range(1, config.epochs + 1):
        epoch_loss = _run_epoch(network, optimizer, X, y, config.batch_size, rng, epoch, config.lr)
        result.history["loss"].append(epoch_loss)
        result.epochs_run = epoch
        event = {"event": "epoch", "epoch": epoch, "loss": epoch_loss}
        if validation is not None:
            val_loss = network.evaluate_loss(*validation)
            result.history["val_loss"].append(val_loss)
            event["val_loss"] = val_loss
            if val_loss < best_val:
                best_val, best_state, result.best_epoch = val_loss, network.state_dict(), epoch
        stop = config.patience and validation is not None and epoch - result.best_epoch >= config.patience
        if stop or epoch in (1, config.epochs) or epoch % config.log_every == 0:
            if metrics is not None:
                event.update(metrics(network))
            event.update(lr=config.lr, elapsed_s=round(time.perf_counter() - started, 4))
            emit(event)
        if stop:  # early stopping keeps the weights of the best validation loss
            result.stopped_early = True
            if best_state is not None:
                network.load_state_dict(best_state)
            return
        if control is not None and control.after_epoch(epoch, result.history):
            result.stopped_by_user = True
            return


def _run_epoch(network, optimizer, X, y, batch_size, rng, epoch, lr):
    """One pass over the data; returns the mean of the batch losses, weighted by batch size."""
    total = 0.0
    for batch in batch_indices(len(X), batch_size, rng):
        optimizer.zero_grad()
        loss = network.loss(X[batch], y[batch])
        value = float(loss.data)  # a 0-d array (Tensor) or a float (Value)
        if not math.isfinite(value):
            raise DivergedError(
                f"training diverged at epoch {epoch}: the loss became {value} with --lr {lr:g}.\n"
                "Try a smaller learning rate (--lr); no model was saved.",
                epoch,
            )
        loss.backward()
        optimizer.step()
        total += value * len(batch)
    return total / len(X)
