"""The loss per epoch: training, and validation where the task keeps a validation set."""

from dataclasses import dataclass

import numpy as np

from nncli.views import Numbers

SERIES = (("loss", "training loss"), ("val_loss", "validation loss"))


@dataclass
class LossHistory(Numbers):
    """One entry per kept series: its name, the epochs of its points and their values."""

    series: list  # [{"key": "loss", "name": "training loss", "epochs": [...], "values": [...]}]


def history(network, dataset, config, history):
    series = []
    for key, name in SERIES:
        values = history.losses.get(key) or []
        if values:
            epochs = _epochs(len(values), history.epoch)
            series.append({"key": key, "name": name, "epochs": epochs, "values": list(values)})
    return LossHistory(series)


def _epochs(count, epochs_run):
    """The epoch of each kept point of a history thinned evenly from `epochs_run` values."""
    if count >= epochs_run or count < 2:
        return list(range(1, count + 1))
    return [int(e) for e in np.linspace(0, epochs_run - 1, count).round() + 1]
