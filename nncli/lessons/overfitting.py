"""Lesson 8: overfitting and its cures — a network that learns 50 digits by heart, its
validation loss rising while its training loss falls, and dropout, weight decay and more
data narrowing the gap."""

import functools

import numpy as np

from nncli.lessons import Screen
from nncli.lessons.scenes import chart, config
from nncli.network import build_network
from nncli.render import draw
from nncli.render.explain import num
from nncli.tasks import defaults, get_task
from nncli.tasks.base import Dataset
from nncli.tasks.digits import accuracy
from nncli.train import TrainConfig, fit
from nncli.views import History
from nncli.views.loss import history

NAME = "overfitting"
TITLE = "Overfitting and its cures"
SUMMARY = "50 digits learned by heart: validation loss rises while training loss falls; three cures"
SIZE = (80, 40)

FEW, MORE, QUICK_MORE = 50, 500, 150
EPOCHS, QUICK_EPOCHS = 60, 20
LEARNING_RATE = 0.01
CURES = (("dropout 0.5", {"dropout": 0.5}), ("weight decay 0.003", {"weight_decay": 0.003}))


@functools.cache
def digits_data(seed):
    """The digits as `nncli train digits --seed SEED` splits them (read once for every run)."""
    return get_task("digits").load_data(config(defaults.DIGITS, seed=seed))


@functools.cache
def run(quick, examples, **changes):
    """Train digits' 64-128-64-10 network on `examples` training digits (chosen by seed 0)
    with Adam at a high learning rate and no early stopping; the validation loss is
    measured every epoch on digits it never learns from."""
    task = get_task("digits")
    settings = {"epochs": QUICK_EPOCHS if quick else EPOCHS, "patience": 0, "dropout": 0.0, "lr": LEARNING_RATE}
    run_config = config(defaults.DIGITS, **{**settings, **changes})
    full = digits_data(run_config.seed)
    keep = np.sort(np.random.default_rng(run_config.seed).permutation(len(full.X_train))[:examples])
    data = Dataset(
        full.X_train[keep], full.y_train[keep], full.X_test, full.y_test, full.input_scaling, full.validation
    )
    network = build_network(task.layer_spec(run_config, data), task.loss, "tensor", seed=run_config.seed)
    loop = TrainConfig(
        run_config.epochs,
        run_config.lr,
        run_config.batch_size,
        run_config.optimizer,
        run_config.weight_decay,
        run_config.seed,
        log_every=run_config.epochs,
    )
    result = fit(network, data.X_train, data.y_train, loop, lambda event: None, validation=data.validation)
    losses = np.asarray(result.history["val_loss"])
    train_loss = network.evaluate_loss(data.X_train, data.y_train)
    val_loss = network.evaluate_loss(*data.validation)
    return {
        "examples": examples,
        "history": result.history,
        "epochs": result.epochs_run,
        "train_loss": train_loss,
        "val_loss": val_loss,
        "gap": val_loss - train_loss,
        "best_val_loss": float(losses.min()),
        "best_epoch": int(losses.argmin()) + 1,
        "held_out_accuracy": accuracy(network, data.X_test, data.y_test),
        "validation": len(data.validation[1]),
        "parameters": network.num_parameters(),
    }


def more(quick):
    return QUICK_MORE if quick else MORE


# --- the screens -------------------------------------------------------------------------


def by_heart(settings):
    plain = run(settings.quick, FEW)
    epochs = plain["epochs"]
    text = (
        f"Train the digits network ({plain['parameters']:,} weights and biases) on only {FEW} images, for "
        f"{epochs} epochs. "
        f"It learns them by heart: its training loss falls to {num(plain['train_loss'])}. But on "
        f"{plain['validation']} validation digits it never trains on, the loss is lowest at epoch "
        f"{plain['best_epoch']} ({num(plain['best_val_loss'])}) and then rises, to {num(plain['val_loss'])} at "
        f"the end: every epoch after {plain['best_epoch']} fits the {FEW} images better and new digits worse. "
        f"That is overfitting. Held-out accuracy: {plain['held_out_accuracy']:.1%}.\n\n"
        "`nncli train digits` stops early for this reason: it keeps the weights of the lowest validation loss."
    )

    def curves(upto):
        losses = {key: values[:upto] for key, values in plain["history"].items()}
        return draw(history(None, None, None, History(losses, upto)), 80)

    frames = (curves(upto) for upto in range(2, epochs))
    numbers = {k: v for k, v in plain.items() if k != "history"}
    return Screen("Learning by heart", text, [curves(epochs)], numbers, frames=frames)


def cures(settings):
    runs = [("no cure", run(settings.quick, FEW))]
    runs += [(name, run(settings.quick, FEW, **change)) for name, change in CURES]
    runs.append((f"{more(settings.quick)} examples", run(settings.quick, more(settings.quick))))
    rows = "\n".join(
        f"    {name:<20} {num(r['train_loss']):>9} {num(r['val_loss']):>9} {num(r['gap']):>9}"
        f" {r['held_out_accuracy']:>9.1%}"
        for name, r in runs
    )
    header = f"    {'':<20} {'training':>9} {'valid.':>9} {'gap':>9} {'held-out':>9}"
    text = (
        "Three cures, each run the same way (losses at the last epoch; the gap is validation minus training):\n\n"
        f"{header}\n{rows}\n\n"
        "Dropout switches off half the hidden neurons at random in every step, so no neuron can rely on another "
        "to memorise an image. Weight decay pulls every weight a little towards 0 each step, keeping the "
        "network simple. More data leaves less to memorise and more to generalise from — the best cure of all."
    )
    styles = ("red", "yellow", "cyan", "green")
    series = [
        (name, np.arange(1, len(r["history"]["val_loss"]) + 1), r["history"]["val_loss"], style)
        for (name, r), style in zip(runs, styles)
    ]
    picture = chart(series, x_label="epoch", log_y=True, title="validation loss per epoch (log scale)", height=10)
    numbers = {name: {k: v for k, v in r.items() if k != "history"} for name, r in runs}
    return Screen("Three cures", text, [picture], numbers)


SCREENS = (by_heart, cures)
TRY = (
    ("nncli train digits --patience 0 --epochs 200", "no early stopping: watch the validation loss"),
    ("nncli train digits --dropout 0.5", "dropout on the full data"),
    ("nncli train digits --weight-decay 0.001", "weight decay"),
)
