"""Training again, frame by frame: the views of a model recomputed from each snapshot of
its weights (see `nncli.store.snapshots`). Numbers only — the command line draws them, in the
terminal or into one HTML page.
"""

from dataclasses import dataclass

from nncli import store
from nncli.errors import NncliError
from nncli.store import snapshots
from nncli.views import History, Later, resolve


@dataclass
class Frame:
    epoch: int
    loss: float  # the training loss of that epoch's weights, on the whole training set
    views: dict  # view name → its Numbers


class NoSnapshots(NncliError):
    """A model file written before snapshots existed."""


def load_frames_source(path, meta):
    """(epochs, states) of a model's snapshots; NoSnapshots if it has none."""
    epochs, states = store.load_snapshots(path)
    if not epochs:
        raise NoSnapshots(
            f"{path.name} has no snapshots of its training (it was saved before nncli kept them): "
            "train it again to replay it"
        )
    return epochs, states


def snapshot_at(path, meta, wanted):
    """(epoch, state) of the snapshot nearest epoch `wanted`."""
    epochs, states = load_frames_source(path, meta)
    index = snapshots.nearest(epochs, wanted)
    return epochs[index], states[index]


def frames(task, network, meta, path, view_names, config, dataset):
    """Yield one Frame per snapshot, oldest first, with the views called `view_names`
    computed from that snapshot's weights. The network is left holding the last one."""
    epochs, states = load_frames_source(path, meta)
    history = History.of_model(meta)
    for epoch, state in zip(epochs, states):
        network.load_state_dict(state)
        at = history.at(epoch)
        numbers = {name: resolve(task.views[name])(network, dataset, config, at) for name in view_names}
        yield Frame(epoch, network.evaluate_loss(dataset.X_train, dataset.y_train), numbers)


def lazy_dataset(task, config, path):
    from nncli.session.runner import rebuild_data

    return Later(lambda: rebuild_data(task, config, path))
