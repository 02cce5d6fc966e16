"""Speed benchmarks: how fast nncli trains, against the floor and against PyTorch.

A *step* is one SGD training step on one batch — forward pass, loss, backward pass and
update, in float32 — timed three ways on the same network from the same weights:

- **nncli**: the Tensor engine, exactly as the training loop runs it (`TensorNetwork.loss`,
  `backward`, `optim.SGD`);
- **floor**: the same network with hand-derived NumPy forward and backward passes and no
  autograd at all: the least Python work a NumPy step can do, so the engine's ratio to it
  is its overhead;
- **torch**: PyTorch eager (`torch.nn` + `torch.optim.SGD`), when installed, on as many
  threads as NumPy's BLAS (one, unless `--threads` or OPENBLAS_NUM_THREADS say otherwise).

Besides, the scalar `Value` engine against micrograd (when installed) on micrograd's own
demo; whole training runs (xor, digits, approx, an MNIST-sized epoch) next to PyTorch and
scikit-learn; the start-up time of `nncli --help` and `nncli train digits` end to end; and,
on request, the scaling grid of wide and big-batch networks.

Timing: each implementation is warmed up, then timed in blocks of steps long enough to
read the clock well; the blocks of all implementations take turns, so that a noisy
neighbour slows them alike, and each block starts after a garbage collection, so that
none pays for another's garbage (micrograd's graphs are reference cycles, which only the
collector frees). PyTorch runs in a process of its own (see `_time_torch_apart`), and in
the grid so does nncli, the two processes taking turns (see `time_in_processes`). The
figure is the median block's time per step; `spread` is the interquartile range over the
median, a measure of the noise. Nothing here asserts a speed: these are figures to read,
not tests.
"""

import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import numpy as np

from nncli import nn, optim
from nncli.nn.network import build_network


@dataclass(frozen=True)
class Workload:
    name: str
    sizes: tuple
    activation: str  # of the hidden layers
    final: str  # of the output layer: "identity" or "sigmoid"
    batch: int
    loss: str  # "mse" or "cross_entropy"
    lr: float

    def describe(self):
        loss = "MSE" if self.loss == "mse" else "CE"
        return f"{'-'.join(map(str, self.sizes))} {self.activation} · {self.batch} · {loss}"


WORKLOADS = (
    Workload("xor", (2, 4, 1), "sigmoid", "sigmoid", 4, "mse", 0.5),
    Workload("sin", (1, 32, 32, 1), "tanh", "identity", 256, "mse", 0.01),
    Workload("digits", (64, 128, 64, 10), "relu", "identity", 32, "cross_entropy", 0.01),
    Workload("mnist-shape", (784, 128, 64, 10), "relu", "identity", 64, "cross_entropy", 0.01),
)


def workload_batch(workload, seed=0):
    """One batch (X float32, y) for a workload: XOR's truth table, points of sin on [-π, π],
    digits from the shipped data set, and random MNIST-shaped images."""
    rng = np.random.default_rng(seed)
    if workload.name == "xor":
        X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
        return X, np.array([[0], [1], [1], [0]], dtype=np.float32)
    if workload.name == "sin":
        X = rng.uniform(-np.pi, np.pi, (workload.batch, 1)).astype(np.float32)
        return X, np.sin(X)
    if workload.name == "digits":
        from nncli.data import load_digits

        X, y = load_digits()
        rows = rng.choice(len(X), workload.batch, replace=False)
        return (X[rows] / 16).astype(np.float32), y[rows]
    X = rng.random((workload.batch, workload.sizes[0]), dtype=np.float32)
    return X, rng.integers(0, workload.sizes[-1], workload.batch)


# ---- the three implementations of a step ---------------------------------------------


def nncli_network(workload, seed=0, dtype="float32"):
    spec = nn.mlp_spec(list(workload.sizes), workload.activation, workload.final)
    return build_network(spec, workload.loss, "tensor", dtype, seed)


def nncli_step(workload, seed=0):
    """A step of the Tensor engine, as `nncli.train` takes it; returns (step, network)."""
    network = nncli_network(workload, seed)
    optimizer = optim.SGD(network.parameters(), workload.lr)
    X, y = workload_batch(workload)

    def step():
        optimizer.zero_grad()
        loss = network.loss(X, y)
        value = loss.item()
        loss.backward()
        optimizer.step()
        return value

    return step, network


class Floor:
    """The workload's network with hand-derived backpropagation in plain NumPy.

    `weights` is a list of (W, b) arrays shaped like nn.Linear's, W (out, in); they are
    updated in place by `step`.
    """

    def __init__(self, workload, weights):
        self.workload = workload
        self.weights = [(W.copy(), b.copy()) for W, b in weights]

    def _activate(self, z, name):
        if name == "sigmoid":
            return 1 / (1 + np.exp(-z))
        if name == "tanh":
            return np.tanh(z)
        if name == "relu":
            return np.maximum(z, 0)
        return z

    def _derivative(self, g, a, name):
        """dL/dz from dL/da, given the activation's output a."""
        if name == "sigmoid":
            return g * a * (1 - a)
        if name == "tanh":
            return g * (1 - a * a)
        if name == "relu":
            return g * (a > 0)
        return g

    def gradients(self, X, y):
        """(loss, [(dW, db), ...]) for the batch (X, y)."""
        last = len(self.weights) - 1
        names = [self.workload.activation] * last + [self.workload.final]
        inputs, h = [], X
        for (W, b), name in zip(self.weights, names):
            inputs.append(h)
            h = self._activate(h @ W.T + b, name)
        if self.workload.loss == "mse":
            diff = h - y
            loss = (diff * diff).mean()
            g = diff * (2 / diff.size)
        else:  # softmax cross-entropy on the logits h
            rows = np.arange(len(h))
            shifted = h - h.max(axis=1, keepdims=True)
            log_sum = np.log(np.exp(shifted).sum(axis=1))
            loss = (log_sum - shifted[rows, y]).mean()
            g = np.exp(shifted - log_sum[:, None])
            g[rows, y] -= 1
            g /= len(h)
        grads = [None] * len(self.weights)
        for i in range(last, -1, -1):
            W, _ = self.weights[i]
            a = h if i == last else inputs[i + 1]
            g = self._derivative(g, a, names[i])
            grads[i] = (g.T @ inputs[i], g.sum(axis=0))
            if i:
                g = g @ W
        return float(loss), grads

    def step(self, X, y, lr):
        loss, grads = self.gradients(X, y)
        for (W, b), (dW, db) in zip(self.weights, grads):
            W -= lr * dW
            b -= lr * db
        return loss


def network_weights(network):
    state = network.state_dict()
    linear = sorted({key.rsplit(".", 1)[0] for key in state}, key=int)
    return [(state[f"{name}.weight"], state[f"{name}.bias"]) for name in linear]


def floor_step(workload, seed=0):
    floor = Floor(workload, network_weights(nncli_network(workload, seed)))
    X, y = workload_batch(workload)
    return lambda: floor.step(X, y, workload.lr)


def torch_available():
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def torch_step(workload, seed=0, threads=2):
    """The same step in PyTorch eager, from the same weights."""
    import torch

    torch.set_num_threads(threads)
    layers = []
    for index, (fan_in, fan_out) in enumerate(zip(workload.sizes[:-1], workload.sizes[1:])):
        layers.append(torch.nn.Linear(fan_in, fan_out))
        name = workload.activation if index < len(workload.sizes) - 2 else workload.final
        if name != "identity":
            layers.append({"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[name]())
    model = torch.nn.Sequential(*layers)
    state = nncli_network(workload, seed).state_dict()
    model.load_state_dict({key: torch.from_numpy(value) for key, value in state.items()})
    optimizer = torch.optim.SGD(model.parameters(), lr=workload.lr)
    loss_fn = torch.nn.functional.mse_loss if workload.loss == "mse" else torch.nn.functional.cross_entropy
    X, y = (torch.from_numpy(a) for a in workload_batch(workload))

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        value = loss.item()
        loss.backward()
        optimizer.step()
        return value

    return step


# ---- timing -------------------------------------------------------------------------


def time_interleaved(steps, repeats=21, warmup=0.2, block=0.02, collector=False):
    """Seconds per call of each callable in `steps` (a dict): {name: (median, spread)}.

    Each is warmed up for `warmup` seconds and timed in blocks of about `block` seconds;
    the blocks take turns, `repeats` of each.

    As timeit does, the cycle collector is off while the blocks run, after one collection:
    no block pays for garbage another left behind, nor for a collection that happens to
    fall in it, and a step is timed as training runs it (nncli's steps make no reference
    cycles and training pauses the collector, see nncli.train.collector_paused). One
    collection rather than one per block: with PyTorch loaded a full one takes ~0.1 s.
    `collector=True` leaves the collector as it is, to time a step as a program that keeps
    it on runs it; each block then starts from a fresh collection, so that none pays for
    another's garbage.
    """
    counts = {}
    for name, step in steps.items():
        calls, started = 0, time.perf_counter()
        while calls < 3 or time.perf_counter() - started < warmup:
            step()
            calls += 1
        per_call = (time.perf_counter() - started) / calls
        counts[name] = max(1, round(block / per_call))
    samples = {name: [] for name in steps}
    was_enabled = gc.isenabled()
    gc.collect()
    if not collector:
        gc.disable()
    try:
        for _ in range(int(repeats)):
            for name, step in steps.items():
                if collector:
                    gc.collect()
                started = time.perf_counter()
                for _ in range(counts[name]):
                    step()
                samples[name].append((time.perf_counter() - started) / counts[name])
    finally:
        if was_enabled:
            gc.enable()
    return {name: _summary(times) for name, times in samples.items()}


def _summary(times):
    """(median, spread): the interquartile range over the median, or for fewer than four
    figures their whole range."""
    median = statistics.median(times)
    if len(times) < 4:
        return median, (max(times) - min(times)) / median
    q1, _, q3 = statistics.quantiles(times, n=4)
    return median, (q3 - q1) / median


def step_row(workload, repeats=21, warmup=0.2, block=0.02, torch=True):
    """Time one training step of `workload` with each implementation; one result row."""
    steps = {"nncli": nncli_step(workload)[0], "floor": floor_step(workload)}
    with np.errstate(over="ignore"):
        timed = time_interleaved(steps, repeats, warmup, block)
    if torch and torch_available():
        timed["torch"] = _time_torch_apart(workload, repeats, warmup, block)
        if timed["torch"] is None:
            del timed["torch"]
    row = {"event": "bench", "kind": "step", "name": workload.name, "workload": workload.describe()}
    for name, (median, spread) in timed.items():
        row[f"{name}_us"] = round(median * 1e6, 2)
        row[f"{name}_spread"] = round(spread, 3)
    row["nncli_vs_floor"] = round(timed["nncli"][0] / timed["floor"][0], 3)
    if "torch" in timed:
        row["torch_vs_nncli"] = round(timed["torch"][0] / timed["nncli"][0], 3)
    return row


def _time_torch_apart(workload, repeats, warmup, block):
    """Time PyTorch's step in a process of its own.

    PyTorch's thread pool and NumPy's BLAS threads both spin while they wait for work: in
    one process on a small machine they take turns at the cores and slow each other
    down many times over, which would be a measure of the mix, not of either.
    """
    code = (
        "import json, sys\n"
        "from nncli import bench\n"
        "workload = next(w for w in bench.WORKLOADS if w.name == sys.argv[1])\n"
        "steps = {'torch': bench.torch_step(workload, threads=bench.blas_threads())}\n"
        "timed = bench.time_interleaved(steps, *map(float, sys.argv[2:]))\n"
        "print(json.dumps(timed['torch']))\n"
    )
    argv = [sys.executable, "-c", code, workload.name, str(repeats), str(warmup), str(block)]
    result = subprocess.run(argv, capture_output=True, text=True)
    return tuple(json.loads(result.stdout)) if result.returncode == 0 else None  # no column


# ---- the scalar engine against micrograd -----------------------------------------------


def two_moons(n=100, noise=0.1, seed=1):
    """Two interleaving half circles (as sklearn's make_moons), labels -1 and 1."""
    rng = np.random.default_rng(seed)
    outer, inner = n // 2, n - n // 2
    t_out, t_in = np.linspace(0, np.pi, outer), np.linspace(0, np.pi, inner)
    X = np.concatenate([np.c_[np.cos(t_out), np.sin(t_out)], np.c_[1 - np.cos(t_in), 0.5 - np.sin(t_in)]])
    X += rng.normal(0, noise, X.shape)
    y = np.r_[-np.ones(outer), np.ones(inner)]
    return X.tolist(), y.tolist()


def micrograd_available():
    try:
        import micrograd.nn  # noqa: F401
    except ImportError:
        return False
    return True


def moons_step(value_class, model, X, y, lr=0.1, alpha=1e-4):
    """One step of micrograd's demo: the SVM max-margin loss over the whole batch plus L2
    regularisation, backward, and a plain gradient-descent update. Same code for both
    engines; only the Value class and the model differ."""
    scores = [model([value_class(a), value_class(b)]) for a, b in X]
    losses = [(1 + -yi * score).relu() for yi, score in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    parameters = model.parameters()
    total = data_loss + alpha * sum(p * p for p in parameters)
    model.zero_grad()
    total.backward()
    for p in parameters:
        p.data -= lr * p.grad
    return total.data


def scalar_models(seed=0):
    """nncli's scalar MLP 2-16-16-1 and, if micrograd is installed, micrograd's, with the
    same weights."""
    from nncli.nn.scalar import MLP

    ours = MLP(2, [16, 16, 1], "relu", "identity", np.random.default_rng(seed))
    if not micrograd_available():
        return ours, None
    import micrograd.nn

    theirs = micrograd.nn.MLP(2, [16, 16, 1])
    for mine, other in zip(ours.parameters(), theirs.parameters()):
        other.data = mine.data
    return ours, theirs


def micrograd_row(repeats=7, warmup=0.5, block=0.0):
    """micrograd's demo step, timed two ways: as each runs — nncli's step inside the
    training loop's collector pause, micrograd's with the collector on, as its demo has
    it — and engine for engine, with the collector off for both."""
    from nncli.autograd import Value
    from nncli.train import collector_paused

    ours, theirs = scalar_models()
    X, y = two_moons()

    def paused(step):
        def run():
            with collector_paused():
                return step()

        return run

    ours_step = lambda: moons_step(Value, ours, X, y)  # noqa: E731
    steps = {"nncli": paused(ours_step)}
    engine_steps = {"nncli": ours_step}
    if theirs is not None:
        import micrograd.engine

        theirs_step = lambda: moons_step(micrograd.engine.Value, theirs, X, y)  # noqa: E731
        steps["micrograd"] = theirs_step
        engine_steps["micrograd"] = theirs_step
    timed = time_interleaved(steps, repeats, warmup, block, collector=True)
    engine = time_interleaved(engine_steps, repeats, warmup, block)
    row = {
        "event": "bench",
        "kind": "scalar",
        "name": "moons",
        "workload": "two moons · 100 · 2-16-16-1 relu · max-margin + L2",
    }
    for prefix, figures in (("", timed), ("nogc_", engine)):
        for name, (median, spread) in figures.items():
            row[f"{prefix}{name}_ms"] = round(median * 1e3, 2)
            row[f"{prefix}{name}_spread"] = round(spread, 3)
        if "micrograd" in figures:
            row[f"{prefix}micrograd_vs_nncli"] = round(figures["micrograd"][0] / figures["nncli"][0], 3)
    return row


# ---- the scaling grid: wide and big-batch networks -------------------------------------

GRID_WIDTHS = (64, 128, 256, 512, 1024, 2048)
GRID_BATCHES = (1, 8, 64, 512, 4096)


def grid_workload(width, batch):
    return Workload("grid", (width, width, width, 10), "relu", "identity", batch, "cross_entropy", 0.01)


def grid_step(library, width, batch):
    """One step of a grid cell, in nncli or PyTorch."""
    workload = grid_workload(width, batch)
    return nncli_step(workload)[0] if library == "nncli" else torch_step(workload, threads=blas_threads())


def grid_row(width, batch, repeats=7, warmup=0.1, block=0.05):
    """One SGD step of the MLP width-width-width-10 (ReLU, cross-entropy, float32) on a
    batch of `batch`, nncli and PyTorch each in a process of its own, taking turns (both
    on the threads this process was given: the grid is meant for one)."""
    libraries = ["nncli", "torch"] if torch_available() else ["nncli"]
    timed = time_in_processes({name: (name, width, batch) for name in libraries}, repeats, warmup, block)
    row = {"event": "bench", "kind": "grid", "width": width, "batch": batch}
    for name, (median, spread) in timed.items():
        row[f"{name}_ms"] = round(median * 1e3, 4)
        row[f"{name}_spread"] = round(spread, 3)
    if "torch" in timed:
        row["nncli_vs_torch"] = round(timed["nncli"][0] / timed["torch"][0], 3)
    return row


# A process that makes one grid step, warms it up, says how long a call took, then times
# a block of as many calls as each line it reads asks for.
_GRID_WORKER = """
import gc, sys, time
from nncli.bench import speed as bench
from nncli.runtime import memory
if sys.argv[1] == "nncli":
    memory.keep_freed_memory()  # as the command line runs it
step = bench.grid_step(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
calls, started = 0, time.perf_counter()
while calls < 3 or time.perf_counter() - started < float(sys.argv[4]):
    step()
    calls += 1
print((time.perf_counter() - started) / calls, flush=True)
gc.collect()
gc.disable()  # as time_interleaved times: one collection, then none while the blocks run
for line in sys.stdin:
    count = int(line)
    started = time.perf_counter()
    for _ in range(count):
        step()
    print((time.perf_counter() - started) / count, flush=True)
"""


def time_in_processes(workers, repeats=7, warmup=0.1, block=0.05):
    """Seconds per call of grid steps, each in a process of its own: {name: (median, spread)}.

    `workers` maps a name to grid_step's arguments. As in `time_interleaved`, the blocks
    take turns; apart, neither library runs on the memory the other's allocator left
    behind (in one process, PyTorch's big gradients were 1.5-3 times as fast once NumPy
    had made the C allocator keep freed memory, which a PyTorch program alone never
    sees), and neither one's idle threads spin beside the other's work. A worker that
    fails (PyTorch that does not import) leaves its column out.
    """
    processes, counts = {}, {}
    try:
        for name, arguments in workers.items():  # one at a time, so warm-ups don't overlap
            argv = [sys.executable, "-c", _GRID_WORKER, *map(str, arguments), str(warmup)]
            process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            line = process.stdout.readline()
            if not line:
                process.wait()
                continue
            processes[name], counts[name] = process, max(1, round(block / float(line)))
        samples = {name: [] for name in processes}
        for _ in range(int(repeats)):
            for name, process in processes.items():
                process.stdin.write(f"{counts[name]}\n")
                process.stdin.flush()
                samples[name].append(float(process.stdout.readline()))
    finally:
        for process in processes.values():
            process.stdin.close()
            process.wait()
    return {name: _summary(times) for name, times in samples.items()}


# ---- end to end: whole training runs against PyTorch and scikit-learn ----------------


@dataclass(frozen=True)
class Run:
    """A whole training run, the same for every library: data, network, optimiser, epochs,
    and a target on held-out data whose first epoch reached gives the time-to-target."""

    name: str
    sizes: tuple
    activation: str
    loss: str  # "mse" or "cross_entropy"
    optimizer: str  # "sgd" or "adam"
    lr: float
    batch: int
    epochs: int
    target: str  # what "reached" means, in words


RUNS = (
    Run("xor", (2, 4, 1), "sigmoid", "mse", "sgd", 3.0, 4, 2000, "all 4 cases right"),
    Run("digits", (64, 128, 64, 10), "relu", "cross_entropy", "adam", 0.001, 32, 30, "test accuracy ≥ 95 %"),
    Run("approx", (1, 32, 1), "tanh", "mse", "adam", 0.01, 256, 2000, "MSE ≤ 0.001 on sin"),
    Run("mnist-epoch", (784, 128, 64, 10), "relu", "cross_entropy", "sgd", 0.01, 64, 1, "one epoch of 60,000"),
)


def run_data(run, quick=False):
    """(X_train, y_train, X_test, y_test), float32 inputs, for a run."""
    rng = np.random.default_rng(0)
    if run.name == "xor":
        X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
        y = np.array([[0], [1], [1], [0]], dtype=np.float32)
        return X, y, X, y
    if run.name == "digits":
        from nncli.data import load_digits, stratified_split

        X, y = load_digits()
        train, test = stratified_split(y, 0.2, 0)
        X = (X / 16).astype(np.float32)
        return X[train], y[train], X[test], y[test]
    if run.name == "approx":
        X = np.linspace(-np.pi, np.pi, 256, dtype=np.float32)[:, None]
        return X, np.sin(X), X, np.sin(X)
    n = 2_000 if quick else 60_000
    X = rng.random((n, 784), dtype=np.float32)
    y = rng.integers(0, 10, n)
    return X, y, X[:0], y[:0]


def reached(run, outputs, y):
    """Whether outputs (an ndarray) on held-out data meet the run's target."""
    if run.name == "xor":
        return bool(np.all((outputs > 0.5) == (y > 0.5)))
    if run.name == "digits":
        return float(np.mean(outputs.argmax(axis=1) == y)) >= 0.95
    if run.name == "approx":
        return float(np.mean((outputs - y) ** 2)) <= 1e-3
    return False


def _train_timed(epoch, predict, run, data):
    """Train `run.epochs` epochs with `epoch()`, checking the target after each with
    `predict(X)` off the clock; returns (training seconds, seconds to target or None)."""
    _, _, X_test, y_test = data
    elapsed, to_target = 0.0, None
    for _ in range(run.epochs):
        started = time.perf_counter()
        epoch()
        elapsed += time.perf_counter() - started
        if to_target is None and len(X_test) and reached(run, predict(X_test), y_test):
            to_target = elapsed
    return elapsed, to_target


def nncli_run(run, data, seed=0):
    """The run through nncli's own training loop; the target is checked on logged epochs
    (every epoch), off the clock."""
    from nncli.train import TrainConfig, fit

    final = "sigmoid" if run.name == "xor" else "identity"
    network = build_network(nn.mlp_spec(list(run.sizes), run.activation, final), run.loss, "tensor", "float32", seed)
    config = TrainConfig(epochs=run.epochs, lr=run.lr, batch_size=run.batch, optimizer=run.optimizer, seed=seed)
    _, _, X_test, y_test = data
    clock = {"off": 0.0, "to_target": None, "started": time.perf_counter()}

    def check(net):
        paused = time.perf_counter()
        if clock["to_target"] is None and len(X_test) and reached(run, net.predict(X_test), y_test):
            clock["to_target"] = paused - clock["started"] - clock["off"]
        clock["off"] += time.perf_counter() - paused
        return {}

    result = fit(network, data[0], data[1], config, lambda event: None, metrics=check)
    return result.elapsed_s - clock["off"], clock["to_target"]


def torch_run(run, data, seed=0):
    import torch

    torch.set_num_threads(blas_threads())
    torch.manual_seed(seed)
    activation = {"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[run.activation]
    layers = []
    for fan_in, fan_out in zip(run.sizes[:-1], run.sizes[1:]):
        layers += [torch.nn.Linear(fan_in, fan_out), activation()]
    layers.pop()
    if run.name == "xor":
        layers.append(torch.nn.Sigmoid())
    model = torch.nn.Sequential(*layers)
    optimizer = (torch.optim.SGD if run.optimizer == "sgd" else torch.optim.Adam)(model.parameters(), lr=run.lr)
    loss_fn = torch.nn.functional.mse_loss if run.loss == "mse" else torch.nn.functional.cross_entropy
    X, y = torch.from_numpy(data[0]), torch.from_numpy(np.asarray(data[1]))
    generator = torch.Generator().manual_seed(seed)

    def epoch():
        for rows in torch.randperm(len(X), generator=generator).split(run.batch):
            optimizer.zero_grad()
            loss_fn(model(X[rows]), y[rows]).backward()
            optimizer.step()

    def predict(inputs):
        with torch.no_grad():
            return model(torch.from_numpy(inputs)).numpy()

    return _train_timed(epoch, predict, run, data)


def sklearn_run(run, data, seed=0):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    kind = MLPClassifier if run.loss == "cross_entropy" else MLPRegressor
    model = kind(
        hidden_layer_sizes=run.sizes[1:-1], activation="logistic" if run.activation == "sigmoid" else run.activation,
        solver=run.optimizer, learning_rate_init=run.lr, batch_size=run.batch, alpha=0.0,
        momentum=0.0, random_state=seed, shuffle=True,
    )  # fmt: skip
    X, y = data[0], np.asarray(data[1])
    y = y.ravel()
    classes = np.unique(y) if kind is MLPClassifier else None
    if kind is MLPClassifier:
        epoch = lambda: model.partial_fit(X, y, classes=classes)  # noqa: E731
        predict = model.predict_proba
    else:
        epoch = lambda: model.partial_fit(X, y)  # noqa: E731
        predict = lambda inputs: model.predict(inputs)[:, None]  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return _train_timed(epoch, predict, run, data)


def sklearn_available():
    try:
        import sklearn.neural_network  # noqa: F401
    except ImportError:
        return False
    return True


def end_to_end_row(run, repeats=3, quick=False):
    """A whole training run with nncli, PyTorch and scikit-learn (those installed), the
    runs taking turns; each figure the median over `repeats` of training seconds and of
    seconds to the target."""
    if quick:
        run = Run(**{**run.__dict__, "epochs": min(run.epochs, 2)})
    data = run_data(run, quick)
    runners = {"nncli": nncli_run}
    if torch_available():
        runners["torch"] = torch_run
    if sklearn_available() and run.name != "xor":  # scikit-learn has no sigmoid-output MSE regressor
        runners["sklearn"] = sklearn_run
    samples = {name: [] for name in runners}
    for _ in range(repeats):
        for name, runner in runners.items():
            gc.collect()
            with np.errstate(over="ignore"):
                samples[name].append(runner(run, data))
    row = {"event": "bench", "kind": "end_to_end", "name": run.name, "target": run.target, "epochs": run.epochs}
    for name, results in samples.items():
        row[f"{name}_s"], row[f"{name}_spread"] = (round(v, 4) for v in _summary([r[0] for r in results]))
        hits = [r[1] for r in results if r[1] is not None]
        row[f"{name}_to_target_s"] = round(statistics.median(hits), 4) if len(hits) == len(results) else None
    return row


def blas_threads():
    """The BLAS threads this process runs with (as nncli.runtime.threads chose them, or the user)."""
    from nncli.runtime import threads

    return int(threads.setting()[1]) if threads.setting() else threads.cores()


# ---- the command line, timed from outside ----------------------------------------------


def nncli_command():
    """How to run `nncli`: the console script if it is on PATH, else `python -m nncli`."""
    script = shutil.which("nncli")
    return [script] if script else [sys.executable, "-m", "nncli"]


def time_command(argv, repeats, env=None):
    """Wall-clock seconds of each of `repeats` runs of argv; (times, last return code, stderr)."""
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = subprocess.run(argv, capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - started)
    return times, result.returncode, result.stderr


HEAVY = ("numpy", "rich", "torch")
_IMPORT_PROBE = (
    "import sys\n"
    "from nncli.cli import main\n"
    "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
    f"print(','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
)


def startup_row(repeats=11):
    """`nncli --help`: wall time, and which heavy modules that path imports."""
    times, code, _ = time_command(nncli_command() + ["--help"], repeats)
    probe = subprocess.run([sys.executable, "-c", _IMPORT_PROBE], capture_output=True, text=True)
    lines = probe.stderr.splitlines()
    imported = [m for m in (lines[-1] if lines else "").split(",") if m] if probe.returncode == 0 else None
    median, spread = _summary(times)
    return {
        "event": "bench",
        "kind": "command",
        "name": "nncli --help",
        "seconds": round(median, 4),
        "spread": round(spread, 3),
        "exit_code": code,
        "heavy_imports": imported,
    }


def train_digits_row(repeats=3):
    """`nncli train digits` with its default settings, end to end (not saved)."""
    argv = nncli_command() + ["train", "digits", "--quiet", "--no-save"]
    with tempfile.TemporaryDirectory() as home:
        times, code, stderr = time_command(argv, repeats, env={**os.environ, "NNCLI_HOME": home})
        if code == 2:  # click's usage error: this nncli has no digits task
            return {
                "event": "bench",
                "kind": "command",
                "name": "nncli train digits",
                "seconds": None,
                "exit_code": code,
                "note": "not available in this version",
            }
    median, spread = _summary(times)
    row = {
        "event": "bench",
        "kind": "command",
        "name": "nncli train digits",
        "seconds": round(median, 3),
        "spread": round(spread, 3),
        "exit_code": code,
    }
    if code != 0:
        row["note"] = stderr.strip().splitlines()[-1] if stderr.strip() else "failed"
    return row


def blas_kernels():
    """Which of OpenBLAS's kernels run the matrix products ("Haswell", "SkylakeX", …) and
    who chose them, or None where it can't be told (threadpoolctl, which scikit-learn
    brings, reads it off the loaded library).

    OpenBLAS picks them for the processor unless OPENBLAS_CORETYPE names others; on a
    processor with AVX-512, the AVX2 kernels ("Haswell") take up to twice as long for a
    big product, which moves every figure of the big-batch grid.
    """
    forced = os.environ.get("OPENBLAS_CORETYPE")
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return f"OPENBLAS_CORETYPE={forced}" if forced else None
    found = [pool.get("architecture") for pool in threadpool_info() if pool.get("internal_api") == "openblas"]
    if not found or not found[0]:
        return None
    return f"{found[0]} (OPENBLAS_CORETYPE={forced})" if forced else f"{found[0]} (chosen by OpenBLAS)"


def machine():
    """What the figures were measured on."""
    import platform

    from nncli.runtime import threads

    setting = threads.setting()
    row = {
        "event": "machine",
        "blas_threads": blas_threads(),
        "threads_from": f"{setting[0]}={setting[1]}" if setting else "BLAS default",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas_kernels": blas_kernels(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "date": time.strftime("%Y-%m-%d"),
    }
    if torch_available():
        import torch

        row["torch"] = torch.__version__
    if micrograd_available():
        from importlib.metadata import version

        row["micrograd"] = version("micrograd")
    return row


def run(workloads=None, repeats=21, quick=False, commands=True, torch=True, emit=None, grid=False):
    """Every benchmark, in order; each row is passed to `emit` as it is made, and all are
    returned. `quick` shortens every timing (for a smoke test, not for figures); `grid`
    adds the scaling grid (minutes: its biggest cells take seconds a step)."""
    emit = emit or (lambda row: None)
    warmup, block = (0.0, 0.0) if quick else (0.2, 0.02)
    rows = []

    def add(row):
        rows.append(row)
        emit(row)

    add(machine())
    chosen = [w for w in WORKLOADS if workloads is None or w.name in workloads]
    for workload in chosen:
        add(step_row(workload, repeats, warmup, block, torch))
    if workloads is None:
        add(micrograd_row(max(3, repeats // 3), 0.0 if quick else 0.5))
        for training in RUNS:
            add(end_to_end_row(training, 1 if quick else 3, quick))
        if commands:
            add(startup_row(3 if quick else 11))
            add(train_digits_row(1 if quick else 3))
    if grid:
        widths, batches = (GRID_WIDTHS[:2], GRID_BATCHES[:2]) if quick else (GRID_WIDTHS, GRID_BATCHES)
        for width in widths:
            for batch in batches:
                add(grid_row(width, batch, 3 if quick else 7, warmup, block and 0.05))
    return rows
