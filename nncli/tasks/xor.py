"""XOR: the problem one neuron cannot solve and two layers can.

No single line separates {01, 10} from {00, 11}, so a network needs a hidden layer: the
classic 2-4-1 network of sigmoid neurons (17 parameters), trained by gradient descent
on the mean squared error.
"""

from nncli import data, nn
from nncli.tasks.base import Dataset, Task


class XorTask(Task):
    name = "xor"
    loss = "mse"
    classifier = True

    def load_data(self, options):
        X, y = data.xor()
        # Four points are all there is: the held-out set is the truth table itself.
        return Dataset(X, y, X, y, source="the XOR truth table")

    def layer_spec(self, options, dataset):
        return nn.mlp_spec(
            [2, *options["hidden"], 1],
            options["activation"],
            "sigmoid",
            batchnorm=options.get("batchnorm", False),
            residual=options.get("residual", False),
        )

    def metrics(self, network, X, y):
        outputs = network.predict(X)
        return {"accuracy": float(((outputs > 0.5) == (y > 0.5)).mean())}

    def predict(self, network, X, meta):
        outputs = network.predict(X)[:, 0]
        return [
            {"input": row.tolist(), "output": float(out), "prediction": int(out > 0.5)} for row, out in zip(X, outputs)
        ]

    def truth_table(self, network):
        """(inputs, targets, outputs) for the four XOR cases."""
        X, y = data.xor()
        return X, y[:, 0], network.predict(X)[:, 0]
