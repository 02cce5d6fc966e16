"""The loss per epoch: training, and validation where the task keeps a validation set."""

from dataclasses import dataclass, field

from nncli.views import Numbers, spread_epochs

SERIES = (("loss", "training loss"), ("val_loss", "validation loss"))
ACCURACY = (("train_accuracy", "training accuracy"), ("val_accuracy", "validation accuracy"))


@dataclass
class LossHistory(Numbers):
    """One entry per kept series: its name, the epochs of its points and their values; and
    the same for the accuracy, while training (from the logged epochs)."""

    series: list  # [{"key": "loss", "name": "training loss", "epochs": [...], "values": [...]}]
    accuracy: list = field(default_factory=list)  # [{"key": "val_accuracy", …}], as `series`
    epochs: int = 0  # the epochs the run was set to train: the x axis's length


def history(network, dataset, config, history):
    series = []
    for key, name in SERIES:
        values = history.losses.get(key) or []
        if values:
            epochs = history.loss_epochs or spread_epochs(len(values), history.epoch)
            series.append({"key": key, "name": name, "epochs": epochs, "values": list(values)})
    accuracy = []
    for key, name in ACCURACY:
        logged = [event for event in history.logged if key in event]
        if logged:
            epochs, values = [e["epoch"] for e in logged], [e[key] for e in logged]
            accuracy.append({"key": key, "name": name, "epochs": epochs, "values": values})
    return LossHistory(series, accuracy, max(config.epochs, history.epoch) if config is not None else history.epoch)
