"""The learning-rate finder (Leslie Smith's range test, fastai's `lr_find`).

Start from a task's own starting weights and train for about a hundred mini-batch steps
while the learning rate grows exponentially, from far too small (1e-6: the loss barely
moves) to far too big (10: every step overshoots and the loss blows up — the sweep
stops once a running average of the loss is four times its lowest). Plotted against
the learning rate on a log axis, the loss stays flat, then falls, then shoots up. A good
learning rate lies on the falling part.

The suggestion is the learning rate where the smoothed loss falls fastest — the steepest
descent of the curve, per tenfold of the learning rate, before its lowest point. There
each step learns the most per unit of learning rate; the lowest point itself is not the
answer, because it is where steps are already on the verge of overshooting (with a
rate that stays fixed for a whole training run, it soon blows up).

Nothing is saved: the network is built, trained for a few steps, and thrown away.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from nncli.data import batch_indices
from nncli.session.runner import prepare
from nncli.train import make_optimizer, start_event

START_LR, END_LR, STEPS = 1e-6, 10.0, 100
BLOW_UP = 4.0  # the loss has blown up once its running average is this many times its lowest
RUNNING = 0.9  # the running average's weight on the past: one unlucky mini-batch is not a blow-up
HALF_WINDOW = 3  # the curve is smoothed over 2·3 + 1 neighbouring steps, centred (no lag)
RULE = "steepest descent of the smoothed loss before its lowest point"


@dataclass
class LrFinding:
    """The loss (on that step's mini-batch, before the step) at each learning rate tried,
    the smoothed curve, and the suggestion (None if the loss never fell)."""

    lrs: list
    losses: list
    smoothed: list
    stopped: str  # "blew up" or "finished"
    suggestion: float | None = None
    lowest_lr: float | None = None  # where the smoothed loss is lowest
    rule: str = RULE
    settings: dict = field(default_factory=dict)

    def as_dict(self):
        return {
            "points": [
                {"lr": lr, "loss": loss, "smoothed": s} for lr, loss, s in zip(self.lrs, self.losses, self.smoothed)
            ],
            "suggestion": self.suggestion,
            "rule": self.rule,
            "lowest_lr": self.lowest_lr,
            "stopped": self.stopped,
            **self.settings,
        }


def find_lr(task, config, start_lr=START_LR, end_lr=END_LR, steps=STEPS, emit=None):
    """Run the range test for `task` with `config` (the RunConfig `nncli train` would use);
    `emit` receives the start event. Returns an LrFinding."""
    dataset, network = prepare(task, config)
    if emit is not None:
        emit(start_event(task.name, config.to_dict(), network))
    lrs = start_lr * (end_lr / start_lr) ** (np.arange(steps) / max(steps - 1, 1))
    optimizer = make_optimizer(config.optimizer, network.parameters(), start_lr, config.weight_decay)
    X, y = dataset.X_train, dataset.y_train
    batch_size = config.train_batch_size(len(X))
    rng = np.random.default_rng(config.seed)  # the batches training would see first
    batches = iter(())
    tried, losses, stopped = [], [], "finished"
    running = lowest = None
    with np.errstate(all="ignore"):  # overflow is the point of the exercise; it is caught below
        for lr in lrs.tolist():
            batch = next(batches, None)
            if batch is None:  # a new epoch: reshuffle
                batches = iter(batch_indices(len(X), batch_size, rng))
                batch = next(batches)
            optimizer.lr = lr
            optimizer.zero_grad()
            loss = network.loss(X[batch], y[batch])
            value = float(loss.data)
            if not math.isfinite(value):
                stopped = "blew up"
                break
            tried.append(lr)
            losses.append(value)
            running = value if running is None else RUNNING * running + (1 - RUNNING) * value
            lowest = running if lowest is None else min(lowest, running)
            if running > BLOW_UP * lowest:
                stopped = "blew up"
                break
            loss.backward()
            optimizer.step()
    smoothed = smooth(losses)
    finding = LrFinding(tried, losses, smoothed, stopped, settings={"start_lr": start_lr, "end_lr": end_lr})
    finding.suggestion, finding.lowest_lr = suggest(tried, smoothed)
    return finding


def smooth(values, half_window=HALF_WINDOW):
    """Each value replaced by the mean of its neighbours up to `half_window` steps either
    side (fewer at the ends): centred, so the curve is not shifted towards larger rates
    as a running average would shift it."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return []
    sums = np.concatenate([[0.0], np.cumsum(values)])
    index = np.arange(values.size)
    lo, hi = np.maximum(index - half_window, 0), np.minimum(index + half_window + 1, values.size)
    return ((sums[hi] - sums[lo]) / (hi - lo)).tolist()


def suggest(lrs, smoothed):
    """(suggestion, lowest_lr): the rate where the smoothed loss falls fastest per
    tenfold of learning rate, before the curve's lowest point, and that lowest point's
    rate. The suggestion is None if the loss never fell."""
    if len(smoothed) < 3:
        return None, (lrs[int(np.argmin(smoothed))] if smoothed else None)
    curve = np.asarray(smoothed)
    lowest = int(np.argmin(curve))
    slopes = np.gradient(curve, np.log10(lrs))
    if lowest == 0 or slopes[: lowest + 1].min() >= 0:
        return None, lrs[lowest]
    return lrs[int(np.argmin(slopes[: lowest + 1]))], lrs[lowest]
