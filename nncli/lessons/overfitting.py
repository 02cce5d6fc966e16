"""Lesson 8: overfitting and its cures — a network that learns 50 digits by heart, its
held-out loss rising while its training loss falls, and dropout, weight decay and more
data narrowing the gap.

"Held-out" here is the digits' validation part: set aside, never learned from, measured
every epoch — the same numbers in the charts and the tables."""

import functools

import numpy as np

from nncli.lessons import Screen
from nncli.lessons.scenes import chart, config, losses
from nncli.render.explain import num
from nncli.session.compare import Run, compare
from nncli.tasks import defaults, get_task

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
    at a high learning rate and no early stopping, then each cure. The held-out loss is
    measured every epoch on the same digits, which none of the runs learns from."""
    more = QUICK_MORE if quick else MORE
    base = {"epochs": QUICK_EPOCHS if quick else EPOCHS, "patience": 0, "dropout": 0.0, "lr": LEARNING_RATE}
    base["limit"] = FEW
    variants = [("no cure", {}), *CURES, (f"{more} examples", {"limit": more})]
    runs = [Run(i, change, config(defaults.DIGITS, **{**base, **change})) for i, (_, change) in enumerate(variants)]
    task = get_task("digits")
    compare(task, runs, lambda event: None)
    held_out = len(task.load_data(runs[0].config).validation[1])  # the same digits for every run
    return held_out, [(name, result(run)) for (name, _), run in zip(variants, runs)]


def result(run):
    """A run's key numbers: final losses on the training and the held-out digits, the gap
    between them, where the held-out loss was lowest, and the held-out accuracy."""
    losses = np.asarray(run.history["val_loss"])
    summary = run.summary
    return {
        "examples": run.config.limit,
        "history": run.history,
        "epochs": summary["epochs"],
        "train_loss": summary["loss"],
        "held_out_loss": summary["val_loss"],
        "gap": summary["val_loss"] - summary["loss"],
        "best_held_out_loss": float(losses.min()),
        "best_epoch": int(losses.argmin()) + 1,
        "held_out_accuracy": summary["val_accuracy"],
        "held_out_losses": losses.tolist(),
    }


# --- the screens -------------------------------------------------------------------------


def by_heart(settings):
    held_out, runs = comparison(settings.quick)
    plain = dict(runs)["no cure"]
    epochs = plain["epochs"]
    text = (
        f"Train the digits network (64-128-64-10) on only {FEW} images, for {epochs} epochs. "
        f"It learns them by heart: its training loss falls to {num(plain['train_loss'])}. But on "
        f"{held_out} held-out digits it never trains on, the loss is lowest at epoch "
        f"{plain['best_epoch']} ({num(plain['best_held_out_loss'])}) and then rises, to "
        f"{num(plain['held_out_loss'])} at the end: every epoch after {plain['best_epoch']} fits the {FEW} images "
        f"better and new digits worse. That is overfitting. Held-out accuracy: {plain['held_out_accuracy']:.1%}.\n\n"
        "`nncli train digits` stops early for this reason: it keeps the weights of the lowest held-out loss."
    )

    def curves(upto):
        return losses({key: values[:upto] for key, values in plain["history"].items()}, settings, epochs)

    frames = (curves(upto) for upto in range(2, epochs))
    numbers = {k: v for k, v in plain.items() if k != "history"}
    return Screen("Learning by heart", text, [curves(epochs)], numbers, frames=frames)


def cures(settings):
    held_out, runs = comparison(settings.quick)
    rows = "\n".join(
        f"    {name:<20} {num(r['train_loss']):>9} {num(r['held_out_loss']):>9} {num(r['gap']):>9}"
        f" {r['held_out_accuracy']:>9.1%}"
        for name, r in runs
    )
    header = f"    {'':<20} {'training':>9} {'held-out':>9} {'gap':>9} {'accuracy':>9}"
    plain = dict(runs)["no cure"]
    text = (
        "Three cures, each run the same way (`nncli compare`): the losses at the last epoch, on the training "
        f"digits and on the {held_out} held-out ones, the gap between them, and the held-out accuracy:\n\n"
        f"{header}\n{rows}\n\n"
        "Dropout switches off half the hidden neurons at random in every step, so no neuron can rely on another "
        "to memorise an image. Weight decay pulls every weight a little towards 0 each step, keeping the "
        "network simple. More data leaves less to memorise and more to generalise from — the best cure of all."
        f"\n\n{accuracy_note(runs, plain, held_out)}"
    )
    styles = ("red", "yellow", "cyan", "green")
    series = [
        (name, np.arange(1, len(r["history"]["val_loss"]) + 1), r["history"]["val_loss"], style)
        for (name, r), style in zip(runs, styles)
    ]
    title = "held-out loss per epoch (log scale)"
    picture = chart(series, settings, x_label="epoch", log_y=True, title=title, height=10, x_integer=True)
    numbers = {name: {k: v for k, v in r.items() if k != "history"} for name, r in runs}
    return Screen("Three cures", text, [picture], numbers)


def accuracy_note(runs, plain, held_out):
    """Why the gap and the accuracy need not move together, said with this run's numbers."""
    changes = [
        (name, round((r["held_out_accuracy"] - plain["held_out_accuracy"]) * held_out))
        for name, r in runs
        if name != "no cure"
    ]
    said = ", ".join(f"{name} {change:+d}" for name, change in changes)
    text = f"Held-out digits read right, against no cure: {said}. "
    if any(change < 0 for _, change in changes):
        text += (
            "A cure can narrow the gap and still get fewer digits right: the gap is in the loss, and the "
            "loss punishes being sure and wrong (−log of a small probability is large), so a cure that only "
            "makes the network less sure of its mistakes lowers the held-out loss without changing a single "
            "answer. Accuracy counts only the top answer; "
        )
    else:
        text += "Accuracy counts only the top answer, and the loss how sure each one is; "
    return text + (
        f"on {held_out} digits one answer is {1 / held_out:.1%}, so a few answers either way are chance. "
        f"What {FEW} images do not show, no cure can teach: more data does."
    )


SCREENS = (by_heart, cures)
TRY = (
    (
        "nncli compare digits --limit 100 --patience 0 --epochs 300 --vary dropout=0,0.5",
        "held-out loss rising, and dropout narrowing the gap",
    ),
    ("nncli train digits --patience 0 --epochs 200", "no early stopping: watch the held-out loss"),
    ("nncli train digits --dropout 0.5", "dropout on the full data"),
    ("nncli train digits --weight-decay 0.001", "weight decay"),
)
