"""Training progress for a person, on stderr.

On a terminal: a live progress bar with the epoch, the loss and the task's metrics. Piped
or redirected: no redraws, just a plain line about every tenth of the run.
"""

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

PLAIN_LINES = 10


def format_metrics(event):
    parts = [f"loss {event['loss']:.6g}"]
    if "val_loss" in event:
        parts.append(f"val loss {event['val_loss']:.6g}")
    if "accuracy" in event:
        parts.append(f"accuracy {event['accuracy']:.1%}")
    return "  ".join(parts)


class TrainingProgress:
    """An event sink that shows training as it happens. Use as a context manager."""

    def __init__(self, title, console=None):
        self.console = console or Console(stderr=True)
        self.title = title
        self.progress = None
        self.task_id = None
        self.epochs = 0
        self.next_plain = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self.progress is not None:
            self.progress.stop()

    def __call__(self, event):
        kind = event["event"]
        if kind == "start":
            self.epochs = event["config"]["epochs"]
            self.console.print(
                f"[bold]{self.title}[/]: {event['parameters']:,} parameters, "
                f"{self.epochs:,} epochs, lr {event['config']['lr']:g}, {event['config']['optimizer']}",
                highlight=False,
            )
            if self.console.is_terminal:
                self.progress = Progress(
                    TextColumn("epoch"), MofNCompleteColumn(), BarColumn(), TextColumn("{task.fields[metrics]}"),
                    TimeElapsedColumn(), console=self.console, transient=True,
                )
                self.task_id = self.progress.add_task("train", total=self.epochs, metrics="")
                self.progress.start()
        elif kind == "epoch":
            if self.progress is not None:
                self.progress.update(self.task_id, completed=event["epoch"], metrics=format_metrics(event))
            elif event["epoch"] >= self.next_plain or event["epoch"] == self.epochs:
                self.console.print(f"epoch {event['epoch']:>{len(str(self.epochs))}}/{self.epochs}  {format_metrics(event)}", highlight=False)
                step = max(1, self.epochs // PLAIN_LINES)
                self.next_plain = (event["epoch"] // step + 1) * step
        elif kind == "summary":
            if self.progress is not None:
                self.progress.stop()
                self.progress = None
            self.console.print(self.summary_line(event), highlight=False)
            saved = f"model saved to {event['model']}" if event["model"] else "model not saved"
            self.console.print(saved, highlight=False, soft_wrap=True)  # a path must stay one piece

    def summary_line(self, event):
        head = "[yellow]interrupted[/]" if event.get("interrupted") else "[green]done[/]"
        parts = [f"{head} after {event['epochs']:,} epochs in {event['elapsed_s']:.2f} s", f"loss {event['loss']:.6g}"]
        if "accuracy" in event:
            parts.append(f"accuracy {event['accuracy']:.2%}")
        if event.get("stopped_early"):
            parts.append(f"stopped early, best epoch {event['best_epoch']}")
        return " · ".join(parts)
