"""The live views: a task's watched views recomputed from the weights while it trains.

The training loop asks for a frame only when one is due (about ten a second, see
nncli.cli.controls), so a view costs the same whether an epoch takes 10 µs or 10 s. A
frame is plain numbers, like every view, so `nncli replay` can build the same frames from
stored snapshots and hand them to the same panel.
"""

from dataclasses import dataclass, field

from nncli.views import History, resolve

LOSS_VIEW = "loss.history"  # every live panel shows the loss beside the task's own views


@dataclass
class Frame:
    """What the panel draws at one moment: the epoch, the latest numbers and each shown
    view's numbers, by view name, most important first (the task's own, then the loss)."""

    epoch: int
    metrics: dict = field(default_factory=dict)
    views: dict = field(default_factory=dict)


class Watch:
    """Computes frames of the views `names` (of `task`) from the network as it trains.

    Views marked `wants_trajectory` (linreg's landscape draws the path so far) get the
    state dict after every epoch, recorded here as training goes — so they never retrace
    training. `record(epoch)` is called after every epoch; `frame(...)` when one is due.
    """

    def __init__(self, task, names, network, dataset, config):
        self.task, self.network, self.dataset, self.config = task, network, dataset, config
        shown = [(name, task.views[name]) for name in names] + ([] if "loss" in names else [("loss", LOSS_VIEW)])
        self.views = {name: resolve(view) for name, view in shown}
        self.logged = []
        self.layer_stats = []  # the layer_stats events so far (the health view's numbers)
        wanted = any(getattr(view, "wants_trajectory", False) for view in self.views.values())
        self.trajectory = [self._state()] if wanted else None

    def _state(self):
        return {key: value.copy() for key, value in self.network.state_dict().items()}

    def log(self, event):
        """Keep a logged epoch event (its metrics draw the accuracy curves)."""
        self.logged.append(event)

    def record(self, epoch):
        if self.trajectory is not None:
            self.trajectory.append(self._state())

    def frame(self, epoch, losses, numbers=None, fresh=False, sizes=None):
        """The frame at `epoch`: its views, and the numbers of the latest logged epoch —
        with `numbers` (the epoch's own: its loss) over them, and, `fresh`, the task's
        metrics measured now (a step while paused shows the epoch it took, every number).
        `sizes`: grid points across, by view name, for views sampled on a grid (the
        resolution of the cell the panel draws them in)."""
        latest = self.logged[-1] if self.logged else {}
        history = History(losses, epoch, latest, self.logged, self.trajectory, layer_stats=self.layer_stats)
        views = {}
        for name, view in self.views.items():
            sized = {"size": sizes[name]} if sizes and name in sizes else {}
            views[name] = view(self.network, self.dataset, self.config, history, **sized)
        metrics = dict(latest)
        if numbers is not None and numbers.get("epoch") == epoch:
            metrics.update(numbers)
            if fresh and numbers is not latest:
                metrics.update(self.task.epoch_metrics(self.network, self.dataset))
        return Frame(epoch, metrics, views)
