"""XOR: the problem one neuron cannot solve and two layers can.

No single line separates {01, 10} from {00, 11}, so a network needs a hidden layer: the
classic 2-4-1 network of sigmoid neurons (17 parameters), trained by gradient descent
on the mean squared error. Or give a single neuron (`--hidden 0`) the input feature
x₁·x₂ (`--features x1,x2,x1*x2`): on it XOR is one straight cut.
"""

import numpy as np

from nncli import data, nn
from nncli.data import features, points
from nncli.tasks.base import Dataset, Points, Preprocessing, Task, preprocessing
from nncli.tasks.points import PLANE_VIEWS, PlayedPoints


class XorTask(PlayedPoints, Task):
    """`nncli train xor` learns the truth table; `nncli play xor` the same four corners as
    clouds of noisy points (data.points.xor), which a model saved there keeps."""

    views = PLANE_VIEWS
    watch = ("boundary", "neurons")
    result = ("plane.truth_table",)
    loss = "mse"
    classifier = True
    make = staticmethod(points.xor)

    def load_data(self, config):
        points, y = data.xor()
        names = tuple(config.features.split(",")) if config.features else features.DEFAULT
        encode = Preprocessing(2, names).inputs  # 0s and 1s need no scaling
        X = encode(points)
        # Four points are all there is: the held-out set is the truth table itself, and
        # --limit learns from fewer rows of it (the held-out loss shows what the rest cost).
        kept = data.seeded_subset(range(len(X)), config.limit, config.seed)
        left_out = np.setdiff1d(np.arange(len(X)), kept)
        every_row = len(kept) == len(X)
        return Dataset(
            X if every_row else X[kept],
            y if every_row else y[kept],
            X,
            y,
            source="the XOR truth table" if every_row else f"{len(kept)} of the 4 rows of the XOR truth table",
            held_out="its four training examples (XOR has no held-out data)"
            if every_row
            else f"all four rows of the truth table (it learned from {len(kept)})",
            points=Points(
                (points[kept], points[left_out]), (y[kept, 0].astype(int), y[left_out, 0].astype(int)), encode, names
            ),
        )

    def layer_spec(self, config, dataset):
        return nn.mlp_spec(
            [dataset.X_train.shape[1], *config.hidden, 1],
            config.activation,
            "sigmoid",
            batchnorm=config.batchnorm,
            residual=config.residual,
        )

    def metrics(self, network, X, y):
        outputs = network.predict(X)
        return {"accuracy": float(((outputs > 0.5) == (y > 0.5)).mean())}

    def predict(self, network, X, meta):
        outputs = network.predict(preprocessing(meta).inputs(X))[:, 0]
        return [
            {"input": row.tolist(), "output": float(out), "prediction": int(out > 0.5)} for row, out in zip(X, outputs)
        ]
