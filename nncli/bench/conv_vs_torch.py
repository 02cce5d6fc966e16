"""One training step of a convolutional network, nncli's Tensor engine against PyTorch
eager, both on one thread, from the same weights on the same batch.

    python -m nncli.bench.conv_vs_torch [--repeats 21] [--batch 64]

A step is forward, cross-entropy loss, backward and an SGD update, in float32. Two nets:

- digits: the CNN `nncli train digits --conv 8,16` builds — on 8×8 images, conv 3×3 (1→8,
  padding 1) → ReLU → max-pool 2 → conv 3×3 (8→16, padding 1) → ReLU → max-pool 2 →
  64 → 128 → 64 → 10;
- lenet: a LeNet-style net on 28×28 images — conv 5×5 (1→6, padding 2) → ReLU → max-pool 2
  → conv 5×5 (6→16) → ReLU → max-pool 2 → 400 → 120 → 84 → 10.

The two take turns in blocks (see nncli.bench.speed.time_interleaved); the figure is the median
block's time per step, the ratio nncli / torch (below 1: nncli is faster). Prints figures,
asserts nothing.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: one BLAS thread

import argparse  # noqa: E402

import numpy as np  # noqa: E402

from nncli import nn, optim  # noqa: E402
from nncli.bench.speed import time_interleaved  # noqa: E402
from nncli.nn.network import build_network  # noqa: E402


def conv_block(c_in, c_out, kernel, padding):
    return [
        {"type": "conv2d", "in": c_in, "out": c_out, "kernel": kernel, "stride": 1, "padding": padding, "bias": True},
        {"type": "relu"},
        {"type": "maxpool2d", "kernel": 2, "stride": 2},
    ]


NETS = {
    "digits": (
        [{"type": "unflatten", "in": 64, "shape": [1, 8, 8]}, *conv_block(1, 8, 3, 1), *conv_block(8, 16, 3, 1)]
        + [{"type": "flatten"}]
        + nn.mlp_spec([64, 128, 64, 10], "relu")
    ),
    "lenet": (
        [{"type": "unflatten", "in": 784, "shape": [1, 28, 28]}, *conv_block(1, 6, 5, 2), *conv_block(6, 16, 5, 0)]
        + [{"type": "flatten"}]
        + nn.mlp_spec([400, 120, 84, 10], "relu")
    ),
}


def batch(spec, size, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((size, spec[0]["in"]), dtype=np.float32), rng.integers(0, 10, size)


def nncli_step(spec, X, y, lr=0.01):
    network = build_network(spec, "cross_entropy", seed=0)
    optimizer = optim.SGD(network.parameters(), lr)

    def step():
        optimizer.zero_grad()
        loss = network.loss(X, y)
        loss.backward()
        optimizer.step()

    return step, network.state_dict()


def torch_layer(torch, entry):
    """The torch.nn layer of one layer spec (those these nets use)."""
    kind = entry["type"]
    if kind == "unflatten":
        return torch.nn.Unflatten(1, tuple(entry["shape"]))
    if kind == "conv2d":
        return torch.nn.Conv2d(entry["in"], entry["out"], entry["kernel"], entry["stride"], entry["padding"])
    if kind == "maxpool2d":
        return torch.nn.MaxPool2d(entry["kernel"], entry["stride"])
    if kind == "linear":
        return torch.nn.Linear(entry["in"], entry["out"])
    return {"flatten": torch.nn.Flatten, "relu": torch.nn.ReLU}[kind]()


def torch_step(spec, X, y, state, lr=0.01):
    import torch

    torch.set_num_threads(1)
    model = torch.nn.Sequential(*(torch_layer(torch, entry) for entry in spec))
    model.load_state_dict({key: torch.from_numpy(value) for key, value in state.items()})
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    X, y = torch.from_numpy(X), torch.from_numpy(y)

    def step():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(X), y)
        loss.backward()
        optimizer.step()

    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()
    print(f"one training step, batch {args.batch}, float32, one thread ({args.repeats} blocks each)")
    print(f"{'net':8} {'nncli ms':>9} {'torch ms':>9} {'ratio':>6}")
    for name, spec in NETS.items():
        X, y = batch(spec, args.batch)
        ours, state = nncli_step(spec, X, y)
        steps = {"nncli": ours, "torch": torch_step(spec, X, y, state)}
        timed = time_interleaved(steps, args.repeats, warmup=0.3, block=0.05)
        mine, theirs = timed["nncli"][0], timed["torch"][0]
        print(f"{name:8} {mine * 1e3:9.2f} {theirs * 1e3:9.2f} {mine / theirs:6.2f}")


if __name__ == "__main__":
    main()
