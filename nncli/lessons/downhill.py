"""Lesson 4: learning is going downhill — the loss of a line y = m·x + c, one gradient
step with every number, the landscape and the path, and the learning rate."""

import numpy as np
from rich.console import Group

from nncli.lessons import Screen
from nncli.lessons.scenes import chart, config, picture, snapshots, train
from nncli.render import draw
from nncli.render.explain import gradient_lines, num, points_table
from nncli.render.line import describe_path
from nncli.tasks.catalog import defaults
from nncli.views import History
from nncli.views.explain import descent_steps, lesson_points, lesson_start
from nncli.views.line import loss_landscape

NAME = "downhill"
TITLE = "Learning is going downhill"
SUMMARY = "y = m·x + c: the loss, one gradient step, learning rates compared"

LEARNING_RATE = 0.05  # for the hand-worked step on four points
EPOCHS, QUICK_EPOCHS = 300, 100
MINI_BATCHES = (1, 32, None)  # None: every training point in every step
NOISE, MINI_BATCH_RATE = 1.0, 0.05  # noisier points, so that one point's gradient is far from the whole's
MINI_BATCH_EPOCHS, MINI_BATCH_QUICK_EPOCHS = 30, 15
# How the landscape is shaded (nncli.render.line: the "sequential" palette, lowest first).
DARK_IS_LOW = (
    "the lower the loss, the darker — dark purple at the bottom of the bowl, yellow up its sides "
    "(without colour, blank low and █ high)"
)


def linreg(settings, **changes):
    run_config = config(defaults("linreg"), **{"epochs": QUICK_EPOCHS if settings.quick else EPOCHS, **changes})
    task, outcome = train("linreg", run_config)
    return task, outcome, run_config


def paths(settings, outcome, run_config, rates):
    """Where gradient descent goes with each learning rate in `rates`, from the same start
    on the same data — `nncli compare linreg --vary lr=…`'s landscape."""
    epochs = QUICK_EPOCHS if settings.quick else EPOCHS
    runs = [(f"lr {lr:g}", config(defaults("linreg"), epochs=epochs, lr=lr)) for lr in rates]
    return landscape_of(settings, outcome, run_config, runs)


def landscape_of(settings, outcome, run_config, runs):
    """The landscape with one panel per run, each panel as many pixels across as the
    screen's width leaves it (14 to 28)."""
    pixels = max(14, min(28, settings.width // len(runs) - 12))
    return loss_landscape(outcome.network, outcome.dataset, run_config, History(), runs, size=pixels)


def steepest_rate(dataset):
    """The learning rate above which plain gradient descent on this line's loss diverges:
    2 / the largest curvature of the bowl (an eigenvalue of the loss's second derivatives,
    2·[[mean x², mean x], [mean x, 1]])."""
    x = dataset.X_train[:, 0].astype(np.float64)
    curvature = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    return float(2 / np.linalg.eigvalsh(curvature).max())


# --- the screens -------------------------------------------------------------------------


def one_step(settings):
    x, y = lesson_points(4, 0)
    m, c = lesson_start(0)
    step = descent_steps(x, y, m, c, LEARNING_RATE)[0]
    text = (
        f"Four points near y = 2x + 1, and a first guess of the line: m = {num(m)}, c = {num(c)}. "
        "The loss L says how wrong the guess is: the mean of the squared errors,\n\n"
        f"    L = mean((y − ŷ)²) = {num(step.loss)}\n\n"
        "Its gradient says which way is uphill. Gradient descent takes a step the other way, of size "
        f"η = {num(LEARNING_RATE)} (the learning rate):\n\n"
        f"    m ← {num(m)} − {num(LEARNING_RATE)}·({num(step.grad_m)}) = {num(step.new_m)}\n"
        f"    c ← {num(c)} − {num(LEARNING_RATE)}·({num(step.grad_c)}) = {num(step.new_c)}\n\n"
        f"and the loss falls from {num(step.loss)} to {num(step.new_loss)}. The gradients written out, "
        "checked against the engine's own backward pass:"
    )
    numbers = {
        "loss": step.loss,
        "grad_m": step.grad_m,
        "grad_c": step.grad_c,
        "engine_grad_m": step.engine_grad_m,
        "engine_grad_c": step.engine_grad_c,
        "new_m": step.new_m,
        "new_c": step.new_c,
        "new_loss": step.new_loss,
    }
    return Screen("One step downhill", text, [points_table(step), Group(*gradient_lines(step))], numbers)


def many_steps(settings):
    task, outcome, run_config = linreg(settings)
    summary = outcome.summary
    fit = picture(task, outcome, run_config, "fit", settings)
    path = loss_landscape(outcome.network, outcome.dataset, run_config, History()).paths[0]
    frames = (picture(task, then, run_config, "fit", settings) for _, then in snapshots(outcome))
    settled = f"within 0.1 % of the bottom after {path['settled_at']} epochs" if path["settled_at"] else "on its way"
    text = (
        f"The same, for {len(outcome.dataset.X_train)} points of y = 2x + 1 with noise, many steps in a row: "
        f"{outcome.result.epochs_run} epochs of gradient descent with η = {num(run_config.lr)}. Every "
        "(m, c) has a loss; together they form a bowl (screen 4 draws it), and each step goes "
        "downhill on it:\n\n"
        f"    start   L = {num(path['losses'][0])}\n"
        f"    end     L = {num(path['losses'][-1])}   ({settled})\n"
        f"    learned y = {num(summary['slope'])}·x + {num(summary['intercept'])}   least squares "
        f"y = {num(summary['slope_exact'])}·x + {num(summary['intercept_exact'])}\n\n"
        "The bottom of the bowl is the least-squares line, which descent finds without being told it."
    )
    numbers = {
        "start_loss": path["losses"][0],
        "end_loss": path["losses"][-1],
        "lowest": path["lowest"],
        "settled_at": path["settled_at"],
        "slope": summary["slope"],
        "slope_exact": summary["slope_exact"],
    }
    return Screen("Many steps", text, [fit], numbers, frames=frames)


def learning_rates(settings):
    task, outcome, run_config = linreg(settings)
    limit = steepest_rate(outcome.dataset)
    rates = (round(limit / 100, 4), round(limit / 2, 2), round(limit * 0.9, 2), round(limit * 1.1, 2))
    rate_paths = paths(settings, outcome, run_config, rates).paths
    lines = "\n".join(f"    η = {num(p['lr']):<6}  {describe_path(p)}" for p in rate_paths)
    text = (
        "How far each step goes is the learning rate η. The same start, the same data, four rates:\n\n"
        f"{lines}\n\n"
        f"For this data every η above {num(limit)} (2 divided by the bowl's steepest curvature) makes "
        "each step land higher up the other side than it started: the loss grows without end."
    )
    styles = ("yellow", "green", "cyan", "red")
    series = []
    for path, style in zip(rate_paths, styles):
        losses = np.asarray(path["losses"], dtype=float)
        series.append((f"η = {num(path['lr'])}", np.arange(len(losses)), np.minimum(losses, 1e6), style))
    curves = chart(series, settings, x_label="epoch", log_y=True, title="loss per epoch (log scale)", height=10)
    numbers = {
        "limit": limit,
        "rates": list(rates),
        "statuses": [p["status"] for p in rate_paths],
        "overshoots": [p["overshoots"] for p in rate_paths],
        "final_losses": [p["losses"][-1] for p in rate_paths],
    }
    return Screen("The learning rate", text, [curves], numbers)


def side_by_side(settings):
    task, outcome, run_config = linreg(settings)
    limit = steepest_rate(outcome.dataset)
    rates = (run_config.lr, round(limit * 1.1, 2))
    landscape = paths(settings, outcome, run_config, rates)
    text = (
        f"The loss of every line (m, c) as a map: {DARK_IS_LOW}; the bottom (+) is the least-squares line. "
        f"η = {num(rates[0])} walks down into the bowl, one dot per epoch; η = {num(rates[1])} jumps across it, "
        "each jump longer than the last, until the numbers overflow."
    )
    numbers = {"statuses": [p["status"] for p in landscape.paths], "loss": landscape.loss, "exact": landscape.exact}
    return Screen("On the landscape", text, [draw(landscape, settings.width)], numbers)


def mini_batches(settings):
    epochs = MINI_BATCH_QUICK_EPOCHS if settings.quick else MINI_BATCH_EPOCHS
    task, outcome, run_config = linreg(settings, noise=NOISE, lr=MINI_BATCH_RATE, epochs=epochs)
    count = len(outcome.dataset.X_train)
    runs = [
        (
            f"batch {size or 'all'}",
            config(defaults("linreg"), epochs=epochs, noise=NOISE, lr=MINI_BATCH_RATE, batch_size=size),
        )
        for size in MINI_BATCHES
    ]
    landscape = landscape_of(settings, outcome, run_config, runs)
    rows = []
    numbers = {"lowest": landscape.paths[0]["lowest"], "runs": []}
    for size, path in zip(MINI_BATCHES, landscape.paths):
        losses = np.asarray(path["losses"])
        rises = int((np.diff(losses) > 0).sum())
        steps = -(-count // (size or count))
        went = f"loss rose in {rises} of {epochs} epochs" if rises else "loss fell every epoch"
        plural = "s" if steps > 1 else ""
        rows.append(f"    {path['label']:<9} {steps:>3} step{plural} an epoch   {went}, end L = {num(losses[-1])}")
        numbers["runs"].append(
            {
                "batch_size": size or count,
                "steps_per_epoch": steps,
                "rises": rises,
                "end_loss": losses[-1],
                "after_one_epoch": losses[1],
            }
        )
    text = (
        f"So far every step used all the points: the gradient of the whole loss. Training usually steps on a "
        "mini-batch — a few points at a time — so each step is cheap, but follows only those points' gradient, a "
        f"noisy estimate of the whole one. {count} noisier points (y = 2x + 1 plus noise of std {num(NOISE)}), "
        f"η = {num(MINI_BATCH_RATE)}, {epochs} epochs from the same start, the bottom L = {num(numbers['lowest'])}:\n\n"
        + "\n".join(rows)
        + "\n\nOne point at a time races down in the first epoch, then hops about the bottom without settling: each "
        "step follows one point. The whole batch walks down smoothly, one step an epoch — and slowly. Batches of "
        "32 are between: many steps an epoch, far less noise. Each dot is where a run was after an epoch:"
    )
    return Screen("Mini-batches: noisy or smooth", text, [draw(landscape, settings.width)], numbers)


SCREENS = (one_step, many_steps, learning_rates, side_by_side, mini_batches)
TRY = (
    ("nncli explain descent --steps 5", "five steps, every number written out"),
    ("nncli train linreg --lr 1.1", "too big: watch it diverge"),
    ("nncli compare linreg --vary lr=0.01,0.5,1.1", "three learning rates side by side, and their paths"),
    (
        "nncli compare linreg --noise 1 --lr 0.05 --epochs 30 --vary batch-size=1,32,100",
        "mini-batches of 1, 32 and all 100 points: noisy or smooth",
    ),
    ("nncli descend bowl --optimizer sgd,momentum,adam", "optimizers racing downhill"),
)
