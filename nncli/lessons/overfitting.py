"""Lesson 8: overfitting and its cures — a network that learns 50 digits by heart, its
validation loss rising while its training loss falls, and dropout, weight decay and more
data narrowing the gap."""

import functools

import numpy as np

from nncli.compare import Run, compare
from nncli.lessons import Screen
from nncli.lessons.scenes import chart, config
from nncli.render import draw
from nncli.render.explain import num
from nncli.tasks import defaults, get_task
from nncli.views import History
from nncli.views.loss import history

NAME = "overfitting"
TITLE = "Overfitting and its cures"
SUMMARY = "50 digits learned by heart; dropout, weight decay and more data"

FEW, MORE, QUICK_MORE = 50, 500, 150
EPOCHS, QUICK_EPOCHS = 60, 20
LEARNING_RATE = 0.01
CURES = (("dropout 0.5", {"dropout": 0.5}), ("weight decay 0.003", {"weight_decay": 0.003}))


@functools.cache
def comparison(quick):
    """[(name, result)]: `nncli compare digits --limit 50 --patience 0 --dropout 0 --lr 0.01
    --vary …` — digits' 64-128-64-10 network learning from only 50 training digits with Adam
    at a high learning rate and no early stopping, then each cure. The validation loss is
    measured every epoch on digits none of the runs learns from."""
    more = QUICK_MORE if quick else MORE
    base = {"epochs": QUICK_EPOCHS if quick else EPOCHS, "patience": 0, "dropout": 0.0, "lr": LEARNING_RATE}
    base["limit"] = FEW
    variants = [("no cure", {}), *CURES, (f"{more} examples", {"limit": more})]
    runs = [Run(i, change, config(defaults.DIGITS, **{**base, **change})) for i, (_, change) in enumerate(variants)]
    compare(get_task("digits"), runs, lambda event: None)
    return [(name, result(run)) for (name, _), run in zip(variants, runs)]


def result(run):
    """A run's key numbers: final losses (training, validation, held-out), the gap between
    held-out and training loss, and where the validation loss was lowest."""
    losses = np.asarray(run.history["val_loss"])
    summary = run.summary
    return {
        "examples": run.config.limit,
        "history": run.history,
        "epochs": summary["epochs"],
        "train_loss": summary["loss"],
        "val_loss": summary["val_loss"],
        "test_loss": summary["test_loss"],
        "gap": summary["test_loss"] - summary["loss"],
        "best_val_loss": float(losses.min()),
        "best_epoch": int(losses.argmin()) + 1,
        "held_out_accuracy": summary["accuracy"],
    }


# --- the screens -------------------------------------------------------------------------


def by_heart(settings):
    plain = dict(comparison(settings.quick))["no cure"]
    epochs = plain["epochs"]
    text = (
        f"Train the digits network (64-128-64-10) on only {FEW} images, for {epochs} epochs. "
        f"It learns them by heart: its training loss falls to {num(plain['train_loss'])}. But on "
        "validation digits it never trains on, the loss is lowest at epoch "
        f"{plain['best_epoch']} ({num(plain['best_val_loss'])}) and then rises, to {num(plain['val_loss'])} at "
        f"the end: every epoch after {plain['best_epoch']} fits the {FEW} images better and new digits worse. "
        f"That is overfitting. Held-out accuracy: {plain['held_out_accuracy']:.1%}.\n\n"
        "`nncli train digits` stops early for this reason: it keeps the weights of the lowest validation loss."
    )

    def curves(upto):
        losses = {key: values[:upto] for key, values in plain["history"].items()}
        return draw(history(None, None, None, History(losses, upto)), settings.width)

    frames = (curves(upto) for upto in range(2, epochs))
    numbers = {k: v for k, v in plain.items() if k != "history"}
    return Screen("Learning by heart", text, [curves(epochs)], numbers, frames=frames)


def cures(settings):
    runs = comparison(settings.quick)
    rows = "\n".join(
        f"    {name:<20} {num(r['train_loss']):>9} {num(r['test_loss']):>9} {num(r['gap']):>9}"
        f" {r['held_out_accuracy']:>9.1%}"
        for name, r in runs
    )
    header = f"    {'':<20} {'training':>9} {'held-out':>9} {'gap':>9} {'accuracy':>9}"
    text = (
        "Three cures, each run the same way (`nncli compare`): the losses at the last epoch, on the training "
        "digits and on held-out digits, and the gap between them:\n\n"
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
    picture = chart(
        series, settings, x_label="epoch", log_y=True, title="validation loss per epoch (log scale)", height=10
    )
    numbers = {name: {k: v for k, v in r.items() if k != "history"} for name, r in runs}
    return Screen("Three cures", text, [picture], numbers)


SCREENS = (by_heart, cures)
TRY = (
    (
        "nncli compare digits --limit 100 --patience 0 --epochs 300 --vary dropout=0,0.5",
        "validation loss rising, and dropout narrowing the gap",
    ),
    ("nncli train digits --patience 0 --epochs 200", "no early stopping: watch the validation loss"),
    ("nncli train digits --dropout 0.5", "dropout on the full data"),
    ("nncli train digits --weight-decay 0.001", "weight decay"),
)
