"""Training progress for a person, on stderr.

On a terminal: a live panel with a progress bar, the current loss and metrics, and a loss
chart that grows as training goes. Piped or redirected: no redraws, just a plain line
about every tenth of the run.
"""

import math
import time

from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from nncli.render.charts import Series, line_chart

PLAIN_LINES = 10
REFRESHES_PER_SECOND = 8
CHART_HEIGHT = 8


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
        self.live = None
        self.epochs = 0
        self.next_plain = 0
        self.latest = None  # the last epoch event
        self.losses = []  # (epoch, loss, validation loss or NaN) of every epoch event
        self.started = 0.0

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def stop(self):
        if self.live is not None:
            self.live.stop()  # draws the panel one last time, complete
            self.live = None

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
                self.started = time.perf_counter()
                self.live = Live(
                    get_renderable=self.panel,
                    console=self.console,
                    refresh_per_second=REFRESHES_PER_SECOND,
                    redirect_stdout=False,
                    redirect_stderr=False,
                )
                self.live.start()
        elif kind == "epoch":
            if self.live is not None:
                self.latest = event
                self.losses.append((event["epoch"], event["loss"], event.get("val_loss", math.nan)))
            elif event["epoch"] >= self.next_plain or event["epoch"] == self.epochs:
                self.console.print(
                    f"epoch {event['epoch']:>{len(str(self.epochs))}}/{self.epochs}  {format_metrics(event)}",
                    highlight=False,
                )
                step = max(1, self.epochs // PLAIN_LINES)
                self.next_plain = (event["epoch"] // step + 1) * step
        elif kind == "summary":
            self.stop()
            self.console.print(self.summary_line(event), highlight=False)
            saved = f"model saved to {event['model']}" if event["model"] else "model not saved"
            self.console.print(saved, highlight=False, soft_wrap=True)  # a path must stay one piece

    def panel(self):
        """What the live view shows now: progress, the latest metrics, the loss so far."""
        event = self.latest
        epoch = event["epoch"] if event else 0
        bar = Table.grid(padding=(0, 1))
        bar.add_row(
            Text(f"epoch {epoch:>{len(str(self.epochs))}}/{self.epochs}"),
            ProgressBar(total=max(self.epochs, 1), completed=epoch, width=30),
            Text(f"{epoch / max(self.epochs, 1):4.0%}"),
            Text(_clock(time.perf_counter() - self.started), style="dim"),
        )
        metrics = Text(format_metrics(event) if event else "starting…", style="bold" if event else "dim")
        return Panel(Group(bar, metrics, self.loss_chart()), title=self.title, title_align="left", expand=False)

    def loss_chart(self):
        """The loss per reported epoch, over the whole run's x axis so that it grows rightwards;
        log-scaled while every value is positive."""
        points = list(self.losses)  # a snapshot: the refresh thread draws while training appends
        if not points:
            return Text("")
        epochs, loss, val_loss = (list(column) for column in zip(*points))
        series = [Series("loss", epochs, loss, "cyan")]
        if any(math.isfinite(v) for v in val_loss):
            series.append(Series("val loss", epochs, val_loss, "magenta"))
        values = [v for s in series for v in s.y if math.isfinite(v)]
        width = max(20, min(60, self.console.width - 16))
        return line_chart(
            series,
            width=width,
            height=CHART_HEIGHT,
            x_range=(1, max(self.epochs, 2)),
            log_y=bool(values) and min(values) > 0,
        )

    def summary_line(self, event):
        if event.get("interrupted"):
            head = "[yellow]interrupted[/]"
        else:  # a run that learned nothing is no success (the command says why, below the results)
            head = "[bold red]learned nothing[/]" if event.get("failure") else "[green]done[/]"
        parts = [f"{head} after {event['epochs']:,} epochs in {event['elapsed_s']:.2f} s", f"loss {event['loss']:.6g}"]
        if "accuracy" in event:
            parts.append(f"accuracy {event['accuracy']:.2%}")
        if event.get("stopped_early"):
            parts.append(f"stopped early, best epoch {event['best_epoch']}")
        return " · ".join(parts)


def _clock(seconds):
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}"
