"""Training progress for a person, on stderr.

On a terminal: the live panel (nncli.render.live) — progress, the latest metrics, the loss
chart and the task's watched views, redrawn when the training loop's controls say a frame
is due. Piped or redirected: no redraws, just a plain line about every tenth of the run.
Both end with the same numbers as the summary and the result table.
"""

from rich.console import Console

from nncli.render import animates
from nncli.render.live import LivePanel
from nncli.render.numbers import counted, format_metrics, format_percent, format_value
from nncli.text import markup_safe

PLAIN_LINES = 10


def ending(summary):
    """How a run ended, in a few words: "done", "stopped at epoch 120",
    "stopped early at 64; kept epoch 44", "interrupted at epoch 7"."""
    epochs = summary["epochs"]
    if summary.get("interrupted"):
        return f"interrupted at epoch {epochs:,}"
    if summary.get("stopped_by_user"):
        return f"stopped at epoch {epochs:,}"
    if summary.get("stopped_early"):
        return f"stopped early at {epochs:,}; kept epoch {summary['best_epoch']:,}"
    return "learned nothing" if summary.get("failure") else "done"


def final_metrics(summary):
    """The summary's numbers of the weights kept, named as the epochs' were: the loss (and
    validation loss) and the accuracy or R² on the data it learned from."""
    trained = [key for key in ("train_accuracy", "train_r2") if key in summary]
    shares = (*trained, "val_accuracy") if trained else ("accuracy", "r2")
    keys = ("loss", "val_loss", *shares)
    return {key: summary[key] for key in keys if key in summary}


class TrainingProgress:
    """An event sink that shows training as it happens. Use as a context manager; on a
    terminal, `watching(watch, keys)` before training starts adds the live views."""

    def __init__(self, title, console=None):
        self.console = console or Console(stderr=True)
        self.title = markup_safe(title)
        self.panel = None
        self.watch = None
        self.keys = False
        self.epochs = 0
        self.next_plain = 0
        self.history = {}  # the losses per epoch so far (the training loop's own lists)

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if self.panel is not None and error is not None:  # the last frame takes no keys, and says why
            from nncli.errors import DivergedError

            diverged = isinstance(error, DivergedError)
            self.panel.finish(
                ("diverged" + (f" at epoch {error.epoch:,}" if error.epoch else "")) if diverged else "stopped"
            )
        self.stop()

    def stop(self):
        if self.panel is not None:
            self.panel.stop()  # the last frame stays on the screen; the cursor comes back
            self.panel = None

    def watching(self, watch, keys):
        from nncli.render import prepare

        for view in watch.views.values():
            prepare(view)
        self.watch, self.keys = watch, keys
        if self.panel is not None:
            self.panel.keys = keys

    def show_frame(self, epoch, history, status, numbers=None, detail=1.0):
        """Draw the watched views at `epoch` (called by the controls when a frame is due);
        `numbers`: the epoch's own; `detail`: the share of their cells' resolution that
        grids are sampled at. Paused, every number is measured afresh: a step shows the
        epoch it took."""
        self.history = history
        if self.panel is not None and self.watch is not None:
            sizes = self.panel.resolutions(detail)
            self.panel.show(self.watch.frame(epoch, history, numbers, fresh=status == "paused", sizes=sizes), status)

    def next_views(self):
        """The `v` key: the panel shows the views it had no room for."""
        if self.panel is not None:
            self.panel.next_views()

    def __call__(self, event):
        kind = event["event"]
        if kind == "start":
            self.epochs = event["config"]["epochs"]
            network = markup_safe(event["network"])
            self.console.print(
                f"[bold]{self.title}[/] · a {network} network: {event['parameters']:,} parameters, "
                f"{counted(self.epochs, 'epoch')}, lr {event['config']['lr']:g}, {event['config']['optimizer']}",
                highlight=False,
            )
            if animates(self.console):
                self.panel = LivePanel(self.console, f"{self.title} · {network}", self.epochs, self.keys)
                self.panel.start()
        elif kind == "epoch":
            if self.watch is not None:
                self.watch.log(event)
            if self.panel is None or self.panel.too_small:  # too small a terminal for the panel: the plain log
                self._plain(event)
        elif kind == "layer_stats" and self.watch is not None:
            self.watch.layer_stats.append(event)  # the health view draws them live
        elif kind == "summary":
            self._finish(event)
            self.console.print(self.summary_line(event), highlight=False)
            saved = f"model saved to {markup_safe(event['model'], 1000)}" if event["model"] else "model not saved"
            self.console.print(saved, highlight=False, soft_wrap=True)  # a path must stay one piece

    def _plain(self, event):
        """A plain line every tenth of the run; the last epoch's waits for the summary."""
        if self.next_plain <= event["epoch"] < self.epochs:
            self.console.print(self._epoch_line(event["epoch"], event), highlight=False, soft_wrap=True)
            step = max(1, self.epochs // PLAIN_LINES)
            self.next_plain = (event["epoch"] // step + 1) * step

    def _epoch_line(self, epoch, numbers, label="epoch"):
        return f"{label} {epoch:>{len(str(self.epochs))}}/{self.epochs}  {format_metrics(numbers)}"

    def _finish(self, summary):
        """The run's last frame (or log line): the weights it kept, and how it ended."""
        numbers = final_metrics(summary)
        if self.panel is None:
            if summary.get("stopped_early"):  # the numbers are those of the weights kept
                line = self._epoch_line(summary["best_epoch"], numbers, "kept epoch")
            else:
                line = self._epoch_line(summary["epochs"], numbers)
            if summary["epochs"]:
                self.console.print(f"{line}  ({ending(summary)})", highlight=False, soft_wrap=True)
            return
        if self.watch is not None:
            frame = self.watch.frame(summary["epochs"], self.history, sizes=self.panel.resolutions())
        else:
            from nncli.views.live import Frame

            frame = Frame(summary["epochs"])
        frame.metrics = numbers
        self.panel.show(frame)
        self.panel.finish(ending(summary))
        self.stop()

    def summary_line(self, event):
        """ "done after 2,000 epochs in 1.23 s · loss 0.0004692 · accuracy 100.00%", or how
        else it ended ("stopped at epoch 812 · 3.04 s · …"); a run that learned nothing is
        no success (the command says why, below the results)."""
        head = ending(event)
        if head in ("done", "learned nothing"):
            done = "[green]done[/]" if head == "done" else "[bold red]learned nothing[/]"
            parts = [f"{done} after {counted(event['epochs'], 'epoch')} in {event['elapsed_s']:.2f} s"]
        else:
            warn = event.get("interrupted") or event.get("stopped_by_user")
            parts = [f"[{'yellow' if warn else 'green'}]{head}[/]", f"{event['elapsed_s']:.2f} s"]
        parts.append(f"loss {format_value(event['loss'])}")
        if "accuracy" in event:
            name = "held-out accuracy" if "train_accuracy" in event else "accuracy"
            parts.append(f"{name} {format_percent(event['accuracy'])}")
        if "r2" in event and "train_r2" in event:
            parts.append(f"held-out R² {format_value(event['r2'])}")
        return " · ".join(parts)
