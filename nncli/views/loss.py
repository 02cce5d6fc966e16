"""The loss per epoch: training, and validation where the task keeps a validation set."""

from dataclasses import dataclass

from nncli.views import Numbers, spread_epochs

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
            epochs = history.loss_epochs or spread_epochs(len(values), history.epoch)
            series.append({"key": key, "name": name, "epochs": epochs, "values": list(values)})
    return LossHistory(series)
