"""Lesson 7: a real classifier — handwritten digits: ten scores through a softmax, the
cross-entropy loss, accuracy and the confusion matrix, and mini-batches averaging the
nudges."""

import functools

import numpy as np

from nncli import nn
from nncli.autograd import Tensor
from nncli.lessons import Screen
from nncli.lessons.scenes import config, losses, snapshots, train, view
from nncli.nn.network import build_network
from nncli.render import draw
from nncli.render.digits import confusion_table, tile
from nncli.render.explain import num
from nncli.tasks import defaults
from nncli.tasks.digits import softmax
from nncli.views.probe import fool, image_input

NAME = "classifier"
TITLE = "A real classifier"
SUMMARY = "digits: softmax, cross-entropy, accuracy, confusion, mini-batches"

EPOCHS, QUICK_EPOCHS = 15, 3


@functools.cache
def digits(quick):
    """(task, outcome, config) of `nncli train digits` for a few epochs, without early stopping."""
    run_config = config(defaults.DIGITS, epochs=QUICK_EPOCHS if quick else EPOCHS, patience=0)
    task, outcome = train("digits", run_config)
    return task, outcome, run_config


def in_float64(network):
    """The same network on the engine in float64, for gradients compared to the last digit."""
    twin = build_network(network.spec(), network.loss_name, "tensor", "float64")
    twin.load_state_dict(network.state_dict())
    twin.model.eval()  # dropout off: every pass sees the same network
    return twin


# --- the screens -------------------------------------------------------------------------


def scores(settings):
    task, outcome, run_config = digits(settings.quick)
    X, y = outcome.dataset.X_test, outcome.dataset.y_test
    twin = in_float64(outcome.network)
    logits = twin.predict(X[:1])[0]
    probabilities = softmax(logits[None, :])[0]
    label = int(y[0])
    engine_loss = float(
        nn.cross_entropy(in_float64(outcome.network).model(Tensor(X[:1].astype(np.float64))), y[:1]).item()
    )
    best = int(probabilities.argmax())
    shape = "-".join(map(str, [64, *run_config.hidden, 10]))
    rows = "\n".join(
        f"    {digit}:  score {num(logits[digit]):>7}   probability {probabilities[digit]:6.1%}"
        + ("   ← its answer" if digit == best else "")
        + ("   (the right answer)" if digit == label else "")
        for digit in range(10)
    )
    verdict = "right" if best == label else f"wrong: the right answer, {label}, got {probabilities[label]:.1%}"
    text = (
        f"An 8×8 image is 64 numbers (pixels 0–16, scaled to 0–1). The network ({shape}, "
        f"trained {outcome.result.epochs_run} epochs) gives 10 scores, one per digit. The softmax turns them "
        "into probabilities: e^score, divided by the sum of all ten. For the first held-out image, "
        f"a {label}:\n\n{rows}\n\n"
        f"Its answer is the most probable digit: {best}, with {probabilities[best]:.1%} ({verdict}). The loss is "
        f"the cross-entropy, −log(probability of the right answer) = −log({probabilities[label]:.4f}) = "
        f"{-np.log(probabilities[label]):.4f} (the engine's cross_entropy: {engine_loss:.4f}): near 0 when it "
        "is sure and right, large when it is sure and wrong."
    )
    image = tile(X[0], f"held-out image 0: a {label}", vmax=1.0)
    numbers = {
        "label": label,
        "answer": best,
        "probabilities": probabilities.tolist(),
        "cross_entropy": float(-np.log(probabilities[label])),
        "engine_cross_entropy": engine_loss,
    }
    return Screen("Ten scores become probabilities", text, [image], numbers)


def accuracy(settings):
    task, outcome, run_config = digits(settings.quick)
    report = view(task, outcome, run_config, "confusion")
    confusion = np.asarray(report.confusion)
    words, mistake = mistakes(confusion)
    held_out = int(confusion.sum())
    text = (
        f"On the {held_out} held-out digits it never learned from, it is right {report.metrics['accuracy']:.1%} "
        f"of the time ({int(np.trace(confusion))} of {held_out}); on its training digits "
        f"{outcome.summary['train_accuracy']:.1%}. The confusion matrix counts every answer: row = the true "
        f"digit, column = what the network said; the diagonal is right. {words}"
    )
    numbers = {
        "accuracy": report.metrics["accuracy"],
        "right": int(np.trace(confusion)),
        "held_out": held_out,
        "train_accuracy": outcome.summary["train_accuracy"],
        "confusion": confusion.tolist(),
        "mistake": mistake,
    }
    frames = (
        confusion_table(np.asarray(view(task, then, run_config, "confusion").confusion))
        for _, then in snapshots(outcome)
    )
    return Screen("Accuracy and the confusion matrix", text, [confusion_table(confusion)], numbers, frames=frames)


def mistakes(confusion):
    """(what the confusion matrix says of the mistakes, in words; [true digit, digit taken,
    count] of the most common one, or None): a mistake is named only if it happens more
    often than any other."""
    off = confusion - np.diag(np.diag(confusion))
    most, total = int(off.max()), int(off.sum())
    pairs = [(int(t), int(k)) for t, k in np.argwhere(off == most)]
    if most == 0:
        return "It made no mistakes.", None
    if most == 1:
        return f"Its {total} mistakes are all different: no digit is taken for the same other digit twice.", None
    if len(pairs) > 1:
        named = ", ".join(f"{t}s taken for {k}s" for t, k in pairs)
        return f"Its most common mistakes happen {most} times each: {named}.", None
    ((true, taken),) = pairs
    return f"Its most common mistake: {most} {true}s taken for {taken}s (of {total} mistakes).", [true, taken, most]


def mini_batches(settings):
    task, outcome, run_config = digits(settings.quick)
    X, y = outcome.dataset.X_train, outcome.dataset.y_train
    size = run_config.batch_size
    twin = in_float64(outcome.network)
    batch = slice(0, size)

    def gradient(examples):
        twin.model.zero_grad()
        twin.loss(X[examples].astype(np.float64), y[examples]).backward()
        return twin.model.layers[0].weight.grad.copy()

    together = gradient(batch)
    one_by_one = np.mean([gradient(slice(i, i + 1)) for i in range(size)], axis=0)
    difference = float(np.abs(together - one_by_one).max())
    steps = -(-len(X) // size)
    text = (
        f"Training does not step after every example, nor wait for all {len(X):,}: it takes mini-batches of "
        f"{size}. The loss of a batch is the mean of its examples' losses, so its gradient is the mean of their "
        f"gradients — each example's nudge, averaged. Checked on the first batch of {size}, for the first layer's "
        f"{together.size:,} weights: the batch's gradient and the mean of the {size} single-example gradients "
        f"differ by at most {difference:.1e}.\n\n"
        f"So one epoch is {steps} steps ({len(X):,} / {size}, rounded up), each a smoother nudge than one "
        "example would give, and far cheaper than the whole set. The loss per epoch, on the training digits and "
        "on held-out digits set aside from them:"
    )
    numbers = {"batch_size": size, "steps_per_epoch": steps, "largest_difference": difference}
    return Screen("Mini-batches average the nudges", text, [losses(outcome.result.history, settings)], numbers)


def fooled(settings):
    task, outcome, run_config = digits(settings.quick)
    network = in_float64(outcome.network)
    digit = image_input(outcome.dataset.X_test[0], "the first held-out digit")
    result = fool(network, digit, 10)
    before, after = result.before["prediction"], result.after["prediction"]
    levels = result.eps * task.pixel_max
    text = (
        "The chain rule that gives each weight's gradient gives each pixel's too. Move every pixel a little, "
        "each the way that raises the loss of the network's own answer — ε·sign(∂loss/∂pixel), the fast gradient "
        f"sign method — and search the smallest ε that changes the answer. For the first held-out digit it is "
        f"ε = {result.eps:.4f}: {levels:.2f} of the {task.pixel_max} grey levels, everywhere at once. The network "
        f"read {before} ({result.before['confidence']:.1%} sure); it now reads {after}."
    )
    numbers = {"eps": result.eps, "before": before, "after": after, "step": result.step}
    return Screen("A nudge no person would notice", text, [draw(result, 80)], numbers)


SCREENS = (scores, accuracy, mini_batches, fooled)
TRY = (
    ("nncli train digits", "the full run (about 100 epochs, early stopping)"),
    ("nncli evaluate", "precision and recall per digit, and the surest mistakes"),
    ("nncli visualize --view filters", "what each first-layer neuron looks for"),
    ("nncli compare digits --epochs 10 --vary batch-size=8,32,256", "mini-batch sizes side by side"),
)
