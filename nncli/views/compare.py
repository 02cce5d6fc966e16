"""The numbers of a comparison (`nncli compare`): one row per run — its settings, how it
ended, its final training and held-out loss, the generalisation gap between them, the
epoch of its lowest validation loss, the task's metric, its epochs and time — and each
run's loss curves as they were logged."""

from dataclasses import dataclass

from nncli.views import Numbers, plain


@dataclass
class Comparison(Numbers):
    """`runs`: one dict per run (the JSON of the `comparison` event); `curves`: per run,
    the logged epochs and their training and validation losses (None where a task has no
    validation data); `epochs`: the longest run's planned epochs, the charts' x range."""

    task: str
    varied: list  # the names of the varied settings, in --vary's order
    metric: str | None  # the task's own measure on held-out data ("accuracy", "r2"), if any
    runs: list
    curves: list
    epochs: int


def comparison(task, runs):
    """The Comparison of `runs` (nncli.session.compare.Run, trained or not) of `task`."""
    metric = next((name for run in runs for name in run.metrics), None)
    rows, curves = [], []
    for run in runs:
        summary = run.summary
        loss, test_loss = summary.get("loss"), summary.get("test_loss")
        val_losses = run.history.get("val_loss") or []
        lowest = min(range(len(val_losses)), key=val_losses.__getitem__) if val_losses else None
        row = {
            "run": run.index,
            "settings": run.settings,
            "status": run.status,
            "loss": loss,
            "test_loss": test_loss,
            "gap": test_loss - loss if loss is not None and test_loss is not None else None,
            "val_loss": summary.get("val_loss"),
            "best_epoch": None if lowest is None else lowest + 1,
            "lowest_val_loss": None if lowest is None else val_losses[lowest],
            "epochs": summary.get("epochs", run.diverged_at),
            "stopped_early": bool(summary.get("stopped_early")),
            "diverged_at": run.diverged_at,
            "elapsed_s": round(run.elapsed_s, 4),
            "model": summary.get("model"),
        }
        if metric is not None:
            row[metric] = run.metrics.get(metric)
        rows.append(plain(row))
        epochs = [epoch for epoch, _, _ in run.logged]
        curves.append(
            plain(
                {
                    "epochs": epochs,
                    "loss": [value for _, value, _ in run.logged],
                    "val_loss": [value for _, _, value in run.logged],
                }
            )
        )
    varied = list(runs[0].settings) if runs else []
    return Comparison(task.name, varied, metric, rows, curves, max((run.config.epochs for run in runs), default=1))
