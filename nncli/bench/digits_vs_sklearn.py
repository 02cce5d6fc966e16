"""Held-out accuracy of `nncli train digits` (default settings) next to scikit-learn's
MLPClassifier((128, 64)), on exactly the same stratified 80/20 splits, and the wall time
of the command itself.

    python -m nncli.bench.digits_vs_sklearn [--seeds 0,1,2,3,4] [--runs 3]

Both see the same inputs: the 8×8 digits scaled to [0, 1] (pixels / 16). nncli learns
from 90 % of the training part and validates on the rest (early stopping); scikit-learn
learns from all of it with its defaults (Adam, ≤ 200 epochs, stopping when the training
loss stalls). scikit-learn is optional: without it, only nncli's column is printed.
Prints figures; asserts nothing.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

from nncli import data
from nncli.session.runner import train_task
from nncli.tasks import defaults, get_task


def nncli_run(seed):
    options = {
        **defaults.DIGITS,
        "weight_decay": 0.0,
        "seed": seed,
        "engine": "tensor",
        "dtype": "float32",
        "log_every": None,
    }
    started = time.perf_counter()
    outcome = train_task(get_task("digits"), options, None, lambda event: None)
    return outcome.summary["accuracy"], time.perf_counter() - started, outcome.summary["epochs"]


def sklearn_run(seed, X, y):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    train, test = data.stratified_split(y, 0.2, seed)
    model = MLPClassifier((128, 64), random_state=seed)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X[train] / 16, y[train])
    elapsed = time.perf_counter() - started
    return model.score(X[test] / 16, y[test]), elapsed, model.n_iter_


def command_wall_time(runs):
    """Median wall time of `nncli train digits` (a fresh process: start-up included)."""
    times = []
    with tempfile.TemporaryDirectory() as home:
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "nncli", "train", "digits", "-q"],
                check=True,
                env={**os.environ, "NNCLI_HOME": home},
                stdout=subprocess.DEVNULL,
            )
            times.append(time.perf_counter() - started)
    return statistics.median(times), times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of `nncli train digits`")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    try:
        import sklearn
    except ImportError:
        sklearn = None
    X, y = data.load_digits()

    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"NumPy {np.__version__}"
        + (f", scikit-learn {sklearn.__version__}" if sklearn else ", scikit-learn not installed")
        + f", OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}"
    )
    head = f"{'seed':>4}  {'nncli acc':>9}  {'fit s':>6}  {'epochs':>6}"
    if sklearn:
        head += f"  {'sklearn acc':>11}  {'fit s':>6}  {'iters':>5}"
    print(head)
    rows = []
    for seed in seeds:
        ours = nncli_run(seed)
        theirs = sklearn_run(seed, X, y) if sklearn else None
        rows.append((ours, theirs))
        line = f"{seed:>4}  {ours[0]:>9.4f}  {ours[1]:>6.2f}  {ours[2]:>6}"
        if theirs:
            line += f"  {theirs[0]:>11.4f}  {theirs[1]:>6.2f}  {theirs[2]:>5}"
        print(line, flush=True)
    mean = lambda values: sum(values) / len(values)  # noqa: E731
    line = f"{'mean':>4}  {mean([r[0][0] for r in rows]):>9.4f}  {mean([r[0][1] for r in rows]):>6.2f}  {'':>6}"
    if sklearn:
        line += f"  {mean([r[1][0] for r in rows]):>11.4f}  {mean([r[1][1] for r in rows]):>6.2f}"
    print(line)
    median, times = command_wall_time(args.runs)
    print(
        f"`nncli train digits` wall time: median {median:.2f} s of {args.runs} runs "
        f"({', '.join(f'{t:.2f}' for t in times)})"
    )


if __name__ == "__main__":
    main()
