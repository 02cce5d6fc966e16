"""Drawing the loss per epoch."""

import math

from rich.text import Text

from nncli.render import draws
from nncli.render.charts import Series, line_chart
from nncli.views.loss import LossHistory

STYLES = {"loss": "cyan", "val_loss": "magenta"}


@draws(LossHistory)
def draw_loss(numbers, width, height=12):
    """The training (and validation) loss per epoch; log-scaled when every value is
    positive, so the long tail of small gains stays visible."""
    series = [Series(s["name"], s["epochs"], s["values"], STYLES.get(s["key"], "cyan")) for s in numbers.series]
    if not series:
        return Text("this model file has no loss history", style="dim")
    finite = [v for s in series for v in s.y if v is not None and math.isfinite(v)]
    log_y = bool(finite) and min(finite) > 0
    ys = [[math.nan if v is None else v for v in s.y] for s in series]
    series = [Series(s.name, s.x, y, s.style) for s, y in zip(series, ys)]
    return line_chart(
        series,
        width=max(20, min(60, width - 12)),
        height=height,
        title="Loss per epoch" + (" (log scale)" if log_y else ""),
        x_label="epoch",
        log_y=log_y,
    )
