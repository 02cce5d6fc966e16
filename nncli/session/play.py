"""The Playground's session (`nncli play`): a network that trains on 2-D points while its
settings, its data and its weights change under it.

A `Playground` holds the task's generated points and the points added by hand, the run's
settings (a RunConfig, as `nncli train` would build), the network and the epoch count. Its
keys (`press(name)`) change one setting each — the KEYS table says which — and the change
takes effect at the next epoch: new data or a new split keep the weights, a new network
shape (activation, layers, neurons, features) starts from fresh ones. The training loop is
`nncli.train.fit`, with the session as its control: it stops the loop whenever something
changed, and `train` starts it again on the new data.

It never prints and knows no terminal: it hears key names and points in the plane's own
coordinates, and reports through `emit(event)`, as `nncli train` does.
"""

import dataclasses

import numpy as np

from nncli.command import command_line
from nncli.config import HIDDEN_ACTIVATIONS, RunConfig
from nncli.data import points as point_sets
from nncli.errors import DivergedError
from nncli.feature_names import NAMES
from nncli.nn.network import build_network
from nncli.session.runner import check_affordable, final_metrics, save_network
from nncli.tasks import defaults, get_task
from nncli.train import MAX_HISTORY, TrainConfig, TrainResult, fit, start_event

LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
NOISES = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0)
TEST_FRACTIONS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
WIDTHS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32)  # neurons in each hidden layer
MOST_LAYERS = 6  # hidden layers, as in the Playground
FEATURE_SETS = (  # what `f` steps through: the Playground's features, in the sets that teach most
    ("x1", "x2"),
    ("x1^2", "x2^2"),
    ("x1", "x2", "x1^2", "x2^2"),
    ("x1", "x2", "x1*x2"),
    ("x1", "x2", "sin(x1)", "sin(x2)"),
    NAMES,
)
MOST_ADDED = 2_000  # points added by hand: beyond this, clicks are refused with a message
LOG_EVERY = 100  # epochs between the epoch events streamed (`--json`)

# key → (what it changes, how): each key changes the one setting it names.
KEYS = {
    "l": ("lr", +1),
    "L": ("lr", -1),
    "a": ("activation", +1),
    "h": ("layers", +1),
    "H": ("layers", -1),
    "w": ("neurons", +1),
    "W": ("neurons", -1),
    "f": ("features", +1),
    "e": ("noise", +1),
    "E": ("noise", -1),
    "t": ("test_fraction", +1),
    "T": ("test_fraction", -1),
    "g": ("regenerate", 0),
    "r": ("reset", 0),
    "c": ("clear", 0),
    "space": ("pause", 0),
    "n": ("step", 0),
    "q": ("quit", 0),
}


def stepped(options, value, direction):
    """The option of `options` `direction` steps from `value` (or from the nearest option
    to it), kept within the list."""
    at = int(np.argmin([abs(option - value) for option in options]))
    return options[min(max(at + direction, 0), len(options) - 1)]


class Playground:
    """One session of `nncli play TASK` (see the module's docstring)."""

    def __init__(self, task_name, emit=lambda event: None):
        self.task = get_task(task_name)
        self.emit = emit
        self.config = RunConfig.from_dict({**defaults.PLAYGROUND[task_name], "epochs": 0, "seed": 0})
        self.width = max(self.config.hidden, default=8)  # kept while there are no hidden layers
        self.added = np.zeros((0, 2))  # the points added by hand, and their classes
        self.added_labels = np.zeros(0, dtype=np.int64)
        self.pen = 0  # the class a left click (or enter) adds
        self.epoch, self.weight_draw = 0, 0
        self.losses = []  # the training loss of every `stride`-th epoch, bounded like train.fit's
        self.stride = 1
        self.paused = self.quit = False
        self.stepping = False  # n was pressed while paused: one epoch is due
        self.message = ""  # what the last action did, for the screen
        self.between_epochs = None  # called after every epoch; True stops training (the screen's keys)
        self.saved_path = None
        self.restart = False
        self._new_data()
        self._new_network()
        self.emit(start_event(self.task.name, self.config.to_dict(), self.network))

    # --- what is shown --------------------------------------------------------------------

    @property
    def classes(self):
        return self.dataset.extra["classes"]

    def losses_now(self):
        """(training loss, held-out loss) of the weights as they are now."""
        test = self.network.evaluate_loss(self.dataset.X_test, self.dataset.y_test) if len(self.dataset.X_test) else 0.0
        return self.network.evaluate_loss(self.dataset.X_train, self.dataset.y_train), test

    def status(self):
        """Every setting, as the screen and the events name them."""
        c = self.config
        return {
            "epoch": self.epoch,
            "lr": c.lr,
            "activation": c.activation,
            "hidden": list(c.hidden),
            "features": c.features.split(","),
            "noise": c.noise,
            "test_fraction": c.test_fraction,
            "seed": c.seed,
            "points": len(self.points),
            "added": len(self.added),
            "pen": self.pen,
            "classes": self.classes,
            "paused": self.paused,
        }

    # --- changes ----------------------------------------------------------------------------

    def press(self, key):
        """Act on the key called `key`: True if it is one of the session's keys."""
        if len(key) == 1 and key.isdigit():
            return self.choose_pen(int(key))
        if key not in KEYS:
            return False
        what, direction = KEYS[key]
        if what in ("lr", "noise", "test_fraction"):
            options = {"lr": LEARNING_RATES, "noise": NOISES, "test_fraction": TEST_FRACTIONS}[what]
            self._change(**{what: stepped(options, getattr(self.config, what), direction)})
        elif what == "activation":
            now = self.config.activation
            at = HIDDEN_ACTIVATIONS.index(now) if now in HIDDEN_ACTIVATIONS else -1
            self._change(activation=HIDDEN_ACTIVATIONS[(at + 1) % len(HIDDEN_ACTIVATIONS)])
        elif what == "layers":
            layers = min(max(len(self.config.hidden) + direction, 0), MOST_LAYERS)
            self._change(hidden=(self.width,) * layers)
        elif what == "neurons":
            self.width = stepped(WIDTHS, self.width, direction)
            self._change(hidden=(self.width,) * len(self.config.hidden))
        elif what == "features":
            names = tuple(self.config.features.split(","))
            at = FEATURE_SETS.index(names) if names in FEATURE_SETS else -1
            self._change(features=",".join(FEATURE_SETS[(at + 1) % len(FEATURE_SETS)]))
        elif what == "regenerate":
            self._change(seed=self.config.seed + 1)
        elif what == "reset":
            self.weight_draw += 1
            self._new_network()
            self._say("reset", "new starting weights")
        elif what == "clear":
            self.added, self.added_labels = self.added[:0], self.added_labels[:0]
            self._new_data()
            self._say("clear", "the points added by hand are gone")
        elif what == "step":
            self.stepping = self.paused
            self.message = "" if self.paused else "n runs one epoch while paused (space pauses)"
        elif what == "pause":
            self.paused = not self.paused
            self.message = "paused: n runs one epoch" if self.paused else "running"
        elif what == "quit":
            self.quit = True
        return True

    def choose_pen(self, label):
        """Make `label` the class that a left click adds (a class this task has)."""
        if label >= self.classes:
            self.message = f"this task has classes 0 to {self.classes - 1}"
            return True
        self.pen = label
        self.message = f"a left click adds class {label}"
        return True

    def add_points(self, points, labels):
        """Add the points [(x1, x2), …] of the classes `labels` to the training data, up to
        MOST_ADDED in all (beyond it: a message saying so). Returns how many were added."""
        room = max(MOST_ADDED - len(self.added), 0)
        taken = [(float(x1), float(x2), int(label)) for (x1, x2), label in list(zip(points, labels))[:room]]
        if taken:
            self.added = np.vstack([self.added, [point[:2] for point in taken]])
            self.added_labels = np.append(self.added_labels, [point[2] for point in taken]).astype(np.int64)
            self._new_data()
            x1, x2, label = taken[-1]
            self.message = f"added ({x1:.2f}, {x2:.2f}) of class {label}"
        for x1, x2, label in taken:
            self.emit({"event": "point", "epoch": self.epoch, "x1": x1, "x2": x2, "class": label})
        if len(taken) < len(points):
            self.message = f"at most {MOST_ADDED:,} points can be added by hand (c clears them)"
        return len(taken)

    def _change(self, **settings):
        """Take the new `settings`: new data for noise, split or seed; a new network for its
        shape or inputs; the learning rate at the next epoch."""
        old = self.config
        self.config = dataclasses.replace(old, **settings)
        self.restart = True  # the learning rate too: the loop's optimizer takes it when it starts again
        try:
            if {"noise", "test_fraction", "seed", "features"} & set(settings):
                self._new_data()
            if {"activation", "hidden", "features"} & set(settings):
                self._new_network()
        except Exception:
            self.config = old
            raise
        for name, value in settings.items():
            shown = list(value) if isinstance(value, tuple) else value
            self._say("setting", f"{name.replace('_', ' ')}: {shown}", name=name, value=shown)

    def _say(self, event, message, **fields):
        self.message = message
        self.emit({"event": event, "epoch": self.epoch, **fields})

    def _new_data(self):
        """The generated points (seeded by the config), their split, and the points added
        by hand — all of which the network learns from."""
        X, y = self.task.generate(self.config)
        train, test = point_sets.split(y, self.config.test_fraction, self.config.seed)
        self.frame = X  # the plane stays where these points put it, whatever is added
        self.points = np.concatenate([X, self.added])
        self.labels = np.concatenate([y, self.added_labels]).astype(np.int64)
        train = np.concatenate([train, np.arange(len(X), len(self.points))]).astype(np.int64)
        held_out = np.zeros(len(self.points), dtype=bool)
        held_out[test] = True
        source = f"{len(y):,} {self.task.name} points, noise {self.config.noise:g}"
        if len(self.added):
            source += f", and {len(self.added):,} added by hand"
        self.dataset = self.task.dataset_of(
            self.points, self.labels, train, test, self.config, source, f"its {len(test):,} held-out points"
        )
        self.dataset.kept = self.task.kept_points(self.points, self.labels, held_out)
        self.restart = True

    def _new_network(self):
        spec = self.task.layer_spec(self.config, self.dataset)
        check_affordable(spec, self.config, self.dataset)
        loss = self.task.loss_for(self.config, self.dataset)
        self.network = build_network(spec, loss, "tensor", self.config.dtype, self.weight_draw, self.config.init)
        self.restart = True

    # --- training ---------------------------------------------------------------------------

    def train(self, epochs):
        """Train for up to `epochs` epochs, stopping early when a setting, the data or the
        weights change (or a key says so). A run that diverges starts again from fresh
        weights, paused, and says why."""
        self.restart = False  # set by any change: the loop then stops, to start again on it
        loop = TrainConfig(
            epochs=epochs,
            lr=self.config.lr,
            batch_size=self.config.train_batch_size(len(self.dataset.X_train)),
            optimizer=self.config.optimizer,
            seed=self.epoch,  # each stretch of training shuffles its own way
            log_every=LOG_EVERY,
        )
        first = self.epoch
        data = self.dataset

        def emit(event):
            self.emit({**event, "epoch": first + event["epoch"]})

        try:
            result = fit(self.network, data.X_train, data.y_train, loop, emit, control=self)
        except DivergedError:
            lr = self.config.lr
            self.weight_draw += 1
            self._new_network()
            self.paused = True
            self._say("diverged", f"the loss became infinite at --lr {lr:g}: fresh weights, paused (L lowers it)")
            return
        if result.interrupted:  # fit keeps what Ctrl-C (or SIGTERM) interrupted; the session ends on it
            raise KeyboardInterrupt

    def after_epoch(self, epoch, history, numbers):
        """The training loop's control: count the epoch and keep its loss; True stops the
        loop (to take a change, to pause, or to quit)."""
        self.epoch += 1
        if (self.epoch - 1) % self.stride == 0:
            self.losses.append(numbers["loss"])
            if len(self.losses) > MAX_HISTORY:
                del self.losses[1::2]
                self.stride *= 2
        stop = self.between_epochs() if self.between_epochs is not None else False
        return bool(stop or self.paused or self.quit or self.restart)

    # --- saving -----------------------------------------------------------------------------

    def save(self, path):
        """Save the network, its settings and every point (those added by hand too) as a
        model of the task; every other command then works on it. Returns the path written."""
        config = dataclasses.replace(self.config, epochs=self.epoch)
        metrics = final_metrics(self.task, self.network, self.dataset)
        result = TrainResult(epochs_run=self.epoch, history={"loss": list(self.losses)})
        settings = command_line(self.task.name, config.to_dict())
        added = f"{len(self.added):,} points added by hand"
        command = f"nncli play {self.task.name} ({added}; its settings at the end: {settings})"
        self.saved_path = save_network(
            self.task, self.network, config, self.dataset, path, metrics, result, command=command
        )
        self._say("saved", f"saved as {self.saved_path}", model=self.saved_path)
        return self.saved_path

    def summary(self):
        train, test = self.losses_now()
        return {
            "event": "summary",
            "task": self.task.name,
            "epochs": self.epoch,
            "loss": train,
            "test_loss": test,
            "added": len(self.added),
            "model": self.saved_path,
        }
