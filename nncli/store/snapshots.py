"""Snapshots: the weights at chosen epochs of a training run, kept in its model file so
that `nncli replay` and `nncli visualize --epoch` can show what the network believed then.

Which epochs: about sixty, spaced evenly on a log scale from epoch 0 (the starting
weights) to the last, because a network changes fastest at the start — the boundary of
XOR moves more in its first 50 epochs than in its last 1,500. The last epoch is always
kept, and a run that stopped early keeps the weights it restored, under the epoch they
came from.

How many: a file stays under 8 MB or 12 times the size of its weights, whichever is
larger. Small networks (everything but MNIST) get all sixty within the 8 MB; MNIST's
784-128-64-10 network (437 KB of float32 weights) gets seventeen, so its file stays just
under 8 MB rather than growing to 26 MB.

In the file, each state-dict array is stacked over the snapshots under "__snap__<key>"
(shaped (snapshots, *shape)), and "__snap_epochs__" lists their epochs, so the state
dict itself stays what torch loads once "__" keys are skipped.
"""

import numpy as np

TARGET = 60
MIN_BUDGET_BYTES = 8 * 2**20
BUDGET_FACTOR = 12
PREFIX = "__snap__"
EPOCHS_KEY = "__snap_epochs__"
MAX_SNAPSHOTS = 1000  # what a loaded file may hold: far above what nncli writes


def how_many(weight_bytes):
    """The number of snapshots a network whose weights take `weight_bytes` may keep."""
    budget = max(MIN_BUDGET_BYTES, BUDGET_FACTOR * weight_bytes)
    fits = budget // max(weight_bytes, 1) - 1  # the weights themselves are in the file too
    return int(max(2, min(TARGET, fits)))


def planned_epochs(epochs, count):
    """About `count` epochs from 0 to `epochs`, log-spaced (dense at the start), both ends included."""
    if epochs + 1 <= count:
        return list(range(epochs + 1))
    # geomspace repeats the small epochs once rounded: ask for more points until `count` differ
    for points in range(count, 8 * count):
        chosen = {0, *np.round(np.geomspace(1, epochs, points)).astype(int).tolist()}
        if len(chosen) >= count:
            break
    return sorted(chosen)


def kept(snapshots, final_epoch, final_state):
    """The snapshots a model file keeps: those up to the weights the run ended with, then
    those weights (after early stopping, the restored best epoch's)."""
    frames = [(epoch, state) for epoch, state in snapshots if epoch < final_epoch]
    return frames + [(final_epoch, final_state)]


def pack(frames):
    """The "__"-prefixed arrays holding `frames`, a list of (epoch, state dict)."""
    arrays = {EPOCHS_KEY: np.array([epoch for epoch, _ in frames], dtype=np.int64)}
    for key in frames[0][1]:
        arrays[PREFIX + key] = np.stack([state[key] for _, state in frames])
    return arrays


def check(headers, state_headers):
    """Raise ValueError unless the snapshot entries' headers (name → (shape, dtype)) fit the
    model's own arrays: one stack per state array, the same count, shapes and dtypes."""
    if EPOCHS_KEY not in headers:
        raise ValueError("snapshot arrays without their epochs")
    shape, dtype = headers[EPOCHS_KEY]
    if len(shape) != 1 or dtype.kind not in "iu" or not 1 <= shape[0] <= MAX_SNAPSHOTS:
        raise ValueError(f"{EPOCHS_KEY} must list 1 to {MAX_SNAPSHOTS} epochs as integers")
    count = shape[0]
    expected = {PREFIX + key for key in state_headers}
    present = set(headers) - {EPOCHS_KEY}
    if present != expected:
        extra, missing = sorted(present - expected), sorted(expected - present)
        raise ValueError(f"snapshot arrays do not match the weights (unexpected {extra[:3]}, missing {missing[:3]})")
    for key, (state_shape, state_dtype) in state_headers.items():
        got_shape, got_dtype = headers[PREFIX + key]
        if got_shape != (count, *state_shape) or got_dtype != state_dtype:
            raise ValueError(f"snapshot array {PREFIX + key!r} must be {state_dtype} shaped {(count, *state_shape)}")


def check_values(epochs, stacks, epochs_run):
    """Raise ValueError unless the epochs rise strictly within the run and every weight is finite."""
    if epochs.min() < 0 or epochs.max() > max(epochs_run, 0) or (np.diff(epochs) <= 0).any():
        raise ValueError(f"snapshot epochs must rise strictly from 0 to at most {epochs_run}")
    for key, stack in stacks.items():
        if stack.dtype.kind == "f" and not np.isfinite(stack).all():
            raise ValueError(f"snapshot array {key!r} holds NaN or infinite values")


def nearest(epochs, wanted):
    """The index of the snapshot whose epoch is nearest `wanted` (the earlier one on a tie)."""
    epochs = np.asarray(epochs)
    return int(np.abs(epochs - wanted).argmin())
