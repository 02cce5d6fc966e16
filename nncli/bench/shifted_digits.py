"""Held-out accuracy on shifted digits, fully connected against convolutional, over seeds.

    python -m nncli.bench.shifted_digits [--seeds 0,1,2,3,4] [--shift 4] [--epochs 20] [--lr 0.003]

Each run is `nncli train digits --shift N --epochs E --lr LR --patience 0` with the digits
task's other defaults (Adam, batches of 32, dropout 0.1) — once as the default fully
connected 64→128→64→10 network (on (8+N)² inputs), once with `--conv 8,16`, once with
`--conv 16,32` — for the same seeds: the same shifted images, the same split. Every
network gets the same epochs. Also, for reference, the fully connected network on the
unshifted digits. Prints the table; asserts nothing.
"""

import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small networks: one BLAS thread, as nncli chooses

import statistics  # noqa: E402
import time  # noqa: E402

from nncli.config import RunConfig  # noqa: E402
from nncli.session.runner import train_task  # noqa: E402
from nncli.tasks import defaults, get_task  # noqa: E402

NETWORKS = {  # name: (--conv, shifted)
    "dense, unshifted": ((), False),
    "dense": ((), True),
    "conv 8,16": ((8, 16), True),
    "conv 16,32": ((16, 32), True),
}


def held_out_accuracy(seed, conv, shift, epochs, lr):
    options = {**defaults.DIGITS, "seed": seed, "conv": conv, "shift": shift, "epochs": epochs, "lr": lr}
    config = RunConfig.from_dict({**options, "patience": 0})
    started = time.perf_counter()
    outcome = train_task(get_task("digits"), config, None, lambda event: None)
    return outcome.summary["accuracy"], time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--shift", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--lr", type=float, default=0.003)
    args = parser.parse_args()
    seeds = [int(seed) for seed in args.seeds.split(",")]
    print(f"held-out accuracy, digits --shift {args.shift}, {args.epochs} epochs, lr {args.lr}, seeds {args.seeds}")
    print(f"{'network':18}" + "".join(f"{'seed ' + str(s):>9}" for s in seeds) + f"{'mean':>9}{'s/run':>8}")
    for name, (conv, shifted) in NETWORKS.items():
        runs = [held_out_accuracy(seed, conv, args.shift if shifted else 0, args.epochs, args.lr) for seed in seeds]
        accuracies = [accuracy for accuracy, _ in runs]
        cells = "".join(f"{accuracy:9.1%}" for accuracy in accuracies)
        seconds = statistics.mean(elapsed for _, elapsed in runs)
        print(f"{name:18}{cells}{statistics.mean(accuracies):9.1%}{seconds:8.1f}", flush=True)


if __name__ == "__main__":
    main()
