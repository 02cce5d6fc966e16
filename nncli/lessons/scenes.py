"""What the lessons' screens share: training a task as its command does, a small network
with weights set by hand, a chart, and the frames of a run's snapshots.

Everything here calls the library and the views the commands use; nothing is computed a
second way."""

import numpy as np

from nncli.config import RunConfig
from nncli.nn.network import build_network
from nncli.render import draw
from nncli.render.charts import Series, line_chart
from nncli.session.runner import Outcome, train_task
from nncli.tasks import get_task
from nncli.train import TrainResult
from nncli.views import History, compute

CHART_HEIGHT = 12  # a chart's rows, printed or on a terminal of 24 lines
MOST_COLUMNS = 140  # wider than this, a chart is no easier to read


def config(task_defaults, **settings):
    """The RunConfig a `nncli train` with these settings builds: the task's defaults,
    then `settings`."""
    values = {k: v for k, v in task_defaults.items() if k in RunConfig.__dataclass_fields__}
    values.update(settings)
    return RunConfig.from_dict(values)


def train(task_name, run_config):
    """(task, outcome): the task trained with `run_config`, as `nncli train` does, unsaved."""
    task = get_task(task_name)
    return task, train_task(task, run_config, None, lambda event: None)


def view(task, outcome, run_config, name):
    """The numbers of the task's view `name` for a finished run."""
    result = outcome.result
    history = History(result.history, result.epochs_run, outcome.summary, layer_stats=result.layer_stats)
    return compute(task, name, outcome.network, outcome.dataset, run_config, history)


def picture(task, outcome, run_config, name, settings):
    """The task's view `name` drawn as `nncli visualize` draws it, as wide as the screen."""
    return ViewPicture(view(task, outcome, run_config, name), settings.width)


class ViewPicture:
    """A view's terminal picture that keeps the view's numbers, so that a page can draw
    them as shapes instead (see nncli.render.vector)."""

    def __init__(self, numbers, width):
        self.numbers = numbers
        self.drawn = draw(numbers, width)

    def __rich__(self):
        return self.drawn


def snapshots(outcome):
    """(epoch, the run as it stood then) for each weight snapshot kept while training —
    the run played again, one frame at a time, as the frames are shown."""
    network = build_network(outcome.network.spec(), outcome.network.loss_name, "tensor", str(outcome.network.dtype))
    for epoch, state in outcome.result.snapshots:
        network.load_state_dict(state)
        history = {key: values[:epoch] for key, values in outcome.result.history.items()}
        yield epoch, Outcome(network, outcome.dataset, TrainResult(epoch, history), {})


def hand_made(spec, state, loss="mse"):
    """A float64 network of layers `spec` with the weights `state` ({"0.weight": …})."""
    network = build_network(spec, loss, "tensor", "float64")
    network.load_state_dict({key: np.asarray(value, dtype=np.float64) for key, value in state.items()})
    return network


def chart(series, settings, *, height=CHART_HEIGHT, **options):
    """A line chart of (name, x, y, style) tuples, sized for the screen: 60 columns of plot
    on 80, 20 fewer than the screen's columns on a wider one; `height` rows printed and on
    24 lines, a share more for each line more (twice as many on 48)."""
    width = max(20, min(settings.width - 20, MOST_COLUMNS))  # printed to a very narrow page: 20 at least
    if settings.height is not None:
        height = round(height * min(2.0, max(1.0, settings.height / 24)))
    return line_chart([Series(*s) for s in series], width=width, height=height, **options)


def losses(history, settings, epochs=None):
    """One run's loss per epoch on its training data and on its held-out data (the part
    set aside that it never learns from), log-scaled; `epochs` fixes the x axis, so a
    moving picture's frames keep their place."""
    x = np.arange(1, len(history["loss"]) + 1)
    series = [("training", x, history["loss"], "cyan"), ("held-out", x, history["val_loss"], "magenta")]
    title = "loss per epoch (log scale)"
    return chart(
        series, settings, x_label="epoch", log_y=True, title=title, x_range=(1, epochs or len(x)), x_integer=True
    )
