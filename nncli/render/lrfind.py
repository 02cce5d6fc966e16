"""The picture of `nncli lr-find`: the loss against the learning rate, on a log axis, with
the suggested rate marked."""

import math

from rich.console import Group
from rich.text import Text

from nncli.render import draws
from nncli.render.charts import Series, format_number, line_chart
from nncli.views.lrfind import LrCurve

CHART = (60, 14)  # columns × lines of the chart


@draws(LrCurve)
def draw_lr_curve(numbers, width):
    """The raw mini-batch losses (dim), the smoothed curve, the suggestion (a dot) and a
    few lines saying what the suggestion is and how it was chosen."""
    finding, task_name = numbers.finding, numbers.task
    if not finding.lrs:
        return Text("the loss was not a number at the very first step: nothing to draw", style="red")
    log_lrs = [math.log10(lr) for lr in finding.lrs]
    lowest = finding.smoothed.index(min(finding.smoothed))
    # Up to the curve's lowest point the losses tell the story; the blow-up after it is
    # cut off at the top instead of squashing everything else flat.
    top = max(finding.losses[: lowest + 1]) * 1.1
    points = []
    if finding.suggestion is not None:
        index = finding.lrs.index(finding.suggestion)
        points.append((log_lrs[index], finding.smoothed[index], "bold yellow"))
    chart = line_chart(
        [
            Series("loss of each mini-batch", log_lrs, finding.losses, "bright_black"),
            Series("smoothed", log_lrs, finding.smoothed, "cyan"),
        ],
        points=points,
        width=min(width, CHART[0]),
        height=CHART[1],
        x_range=(math.log10(finding.settings["start_lr"]), math.log10(finding.settings["end_lr"])),
        y_range=(min(finding.losses), top),
        title="Loss against learning rate",
        x_label="learning rate, as a power of ten (−6 is 1e-6)",
    )
    end = "the loss blew up there" if finding.stopped == "blew up" else "the end of the range"
    lines = [
        Text(
            f"{len(finding.lrs)} steps, lr {format_number(finding.lrs[0])} → {format_number(finding.lrs[-1])} "
            f"({end}); the lowest smoothed loss at {format_number(finding.lowest_lr)}",
            style="dim",
        )
    ]
    if finding.suggestion is None:
        lines.append(
            Text("No suggestion: the loss never fell. Try a smaller --start-lr or a larger --end-lr.", "yellow")
        )
    else:
        lines += [
            Text.assemble(("suggested learning rate: ", "bold"), (f"{finding.suggestion:.3g}", "bold yellow")),
            Text(f"rule: the {finding.rule} —", style="dim"),
            Text("learning is fastest there, well short of the rates where steps overshoot", style="dim"),
            Text(f"try: nncli train {task_name} --lr {finding.suggestion:.3g}", style="dim"),
        ]
    return Group(chart, *lines)
