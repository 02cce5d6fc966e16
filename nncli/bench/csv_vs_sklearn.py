"""`nncli train csv` on real tables next to scikit-learn's MLPClassifier / MLPRegressor,
on exactly the same held-out splits.

    python -m nncli.bench.csv_vs_sklearn [--seeds 0,1,2,3,4] [--sets iris,wine,breast_cancer,diabetes]

The tables are the CSV files scikit-learn ships in sklearn/datasets/data (scikit-learn is
BSD-3-Clause; the data come from the UCI Machine Learning Repository, CC BY 4.0, and for
diabetes from Efron, Hastie, Johnstone and Tibshirani, "Least Angle Regression", 2004).
Their first rows hold counts and class names rather than column names, and diabetes comes
as two space-separated files, so each is rewritten once into a plain CSV with a header
(the column names scikit-learn gives them, the class names as labels) — the numbers are
the shipped ones, unchanged.

nncli runs as a user would run it (`nncli train csv --data FILE --target COLUMN --seed S
--json`, its defaults otherwise). scikit-learn gets the same rows: the split and the
standardisation (training-part statistics) computed by nncli's own table reader for that
seed, the same hidden layer sizes, its own defaults otherwise (Adam, lr 0.001, up to
2,000 epochs, stopping when the training loss stalls). Prints figures; asserts nothing.
"""

import argparse
import csv
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from importlib.util import find_spec
from pathlib import Path

import numpy as np

from nncli.data import tables
from nncli.tasks import defaults

TEST_FRACTION = 0.3


def shipped(name):
    return Path(find_spec("sklearn").submodule_search_locations[0]) / "datasets" / "data" / name


def write_classes(folder, shipped_name, feature_names, class_column):
    """A shipped classification table ("n, d, class names…" then rows ending in the class
    index) as a CSV with a header and class names."""
    with open(shipped(shipped_name), newline="") as f:
        rows = list(csv.reader(f))
    class_names = rows[0][2:]
    path = folder / shipped_name
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*feature_names, class_column])
        for row in rows[1:]:
            writer.writerow([*row[:-1], class_names[int(row[-1])]])
    return path


def write_diabetes(folder):
    """diabetes_data_raw + diabetes_target (space-separated, gzip'd) as one CSV."""
    with gzip.open(shipped("diabetes_data_raw.csv.gz"), "rt") as f:
        inputs = [line.split() for line in f if line.strip()]
    with gzip.open(shipped("diabetes_target.csv.gz"), "rt") as f:
        target = [line.strip() for line in f if line.strip()]
    path = folder / "diabetes.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6", "progression"])
        for row, y in zip(inputs, target):
            writer.writerow([*row, repr(float(y))])
    return path


def tables_to_run(folder):
    from sklearn import datasets

    return {
        "iris": (write_classes(folder, "iris.csv", datasets.load_iris().feature_names, "species"), "species"),
        "wine": (write_classes(folder, "wine_data.csv", datasets.load_wine().feature_names, "class"), "class"),
        "breast_cancer": (
            write_classes(folder, "breast_cancer.csv", datasets.load_breast_cancer().feature_names, "diagnosis"),
            "diagnosis",
        ),
        "diabetes": (write_diabetes(folder), "progression"),
    }


def nncli_run(path, target, seed, home):
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "nncli", "train", "csv", "--data", str(path), "--target", target]
        + ["--seed", str(seed), "--json", "--no-save"],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "NNCLI_HOME": home},
    )
    summary = [json.loads(line) for line in result.stdout.splitlines() if '"summary"' in line][-1]
    score = summary["accuracy"] if "accuracy" in summary else summary["r2"]
    return score, time.perf_counter() - started


def sklearn_run(path, target, seed):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    columns = tables.select(tables.read_table(path), target)
    train, test = tables.split(columns, TEST_FRACTION, seed)
    scaling = tables.standardise(columns.X[train])
    X = (columns.X - scaling["x_mean"]) / np.array(scaling["x_std"])
    hidden = defaults.CSV["hidden"]
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if columns.kind == "classify":
            model = MLPClassifier(hidden_layer_sizes=hidden, max_iter=2000, random_state=seed).fit(
                X[train], columns.y[train]
            )
            score = model.score(X[test], columns.y[test])
        else:  # standardised targets, as nncli trains on; R² is the same in any units
            y_mean, y_std = columns.y[train].mean(), columns.y[train].std()
            model = MLPRegressor(hidden_layer_sizes=hidden, max_iter=2000, random_state=seed)
            model.fit(X[train], (columns.y[train] - y_mean) / y_std)
            score = model.score(X[test], (columns.y[test] - y_mean) / y_std)
    return score, time.perf_counter() - started, columns


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--sets", default="iris,wine,breast_cancer,diabetes")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    import sklearn

    print(f"scikit-learn {sklearn.__version__}, NumPy {np.__version__}, held out: {TEST_FRACTION:g} of each table")
    with tempfile.TemporaryDirectory() as folder:
        chosen = tables_to_run(Path(folder))
        for name in args.sets.split(","):
            path, target = chosen[name]
            nncli_scores, sklearn_scores = [], []
            for seed in seeds:
                ours, _ = nncli_run(path, target, seed, folder)
                theirs, _, columns = sklearn_run(path, target, seed)
                nncli_scores.append(ours)
                sklearn_scores.append(theirs)
            metric = "accuracy" if columns.kind == "classify" else "R²"
            shape = f"{len(columns.y)} rows, {len(columns.inputs)} inputs" + (
                f", {len(columns.classes)} classes" if columns.classes else ""
            )
            print(f"\n{name} ({shape}), held-out {metric} per seed {seeds}:")
            for who, scores in (("nncli", nncli_scores), ("scikit-learn", sklearn_scores)):
                shown = "  ".join(f"{s:.4f}" for s in scores)
                print(f"  {who:<12} {shown}   mean {np.mean(scores):.4f}  (min {min(scores):.4f})")


if __name__ == "__main__":
    main()
