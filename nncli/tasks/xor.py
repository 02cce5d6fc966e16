"""XOR: the problem one neuron cannot solve and two layers can.

No single line separates {01, 10} from {00, 11}, so a network needs a hidden layer: the
classic 2-4-1 network of sigmoid neurons (17 parameters), trained by gradient descent
on the mean squared error.
"""

from nncli import data, nn
from nncli.tasks.base import Dataset, Task


class XorTask(Task):
    name = "xor"
    title = "XOR with a 2-4-1 network"
    views = {"boundary": "plane.boundary", "neurons": "plane.neurons", "loss": "loss.history"}
    watch = ("boundary", "neurons")
    result = ("plane.truth_table",)
    loss = "mse"
    classifier = True

    def load_data(self, config):
        X, y = data.xor()
        # Four points are all there is: the held-out set is the truth table itself, and
        # --limit learns from fewer rows of it (the held-out loss shows what the rest cost).
        kept = data.seeded_subset(range(len(X)), config.limit, config.seed)
        if len(kept) == len(X):
            return Dataset(X, y, X, y, source="the XOR truth table")
        return Dataset(X[kept], y[kept], X, y, source=f"{len(kept)} of the 4 rows of the XOR truth table")

    def layer_spec(self, config, dataset):
        return nn.mlp_spec([2, *config.hidden, 1], config.activation, "sigmoid")

    def metrics(self, network, X, y):
        outputs = network.predict(X)
        return {"accuracy": float(((outputs > 0.5) == (y > 0.5)).mean())}

    def predict(self, network, X, meta):
        outputs = network.predict(X)[:, 0]
        return [
            {"input": row.tolist(), "output": float(out), "prediction": int(out > 0.5)} for row, out in zip(X, outputs)
        ]
