"""Classroom controls: pacing, the keys pressed on a terminal, and the clock of the live frames.

The training loop knows nothing of terminals: after every epoch it asks one `Controls`
object what to do (`after_epoch(epoch, history, numbers)`, True means stop). That object

- draws a frame of the live views when one is due (after an epoch, or between two steps
  of a long one): the first FIRST_FRAME_S after training begins, then at
  FRAMES_PER_SECOND — unless the last few frames cost so much that drawing would take
  more than DRAWING_SHARE of the time, and then as often as that share allows, but never
  less often than every LONGEST_GAP_S (time spent waiting for `--pace` is free: a frame
  due then is drawn in the wait);
- holds training to at most `pace` epochs per second (`--pace`);
- reads the keys, only from a terminal: space pauses and resumes, `n` or → runs one epoch
  while paused (and redraws every view and number), `v` or Tab shows the views the panel
  had no room for, `q` stops (the run keeps and saves what it learned).

The share is measured over the last WINDOW frames, not over the whole run: a run's first
seconds, which a person watches most closely, get frames as steady as its last. And a
frame that cost more than its budget (its share of a tenth of a second) makes the next
one cheaper rather than later: `detail`, the share of its cell's resolution at which the
next frame samples its grids (a decision boundary, a heatmap), goes down until frames
fit the budget again, and back up when they have room (see next_detail).

`nncli replay` drives the same object with stored frames instead of epochs.
"""

import math
import time
from collections import deque

import click

from nncli.cli.terminal import events

FRAMES_PER_SECOND = 10
FIRST_FRAME_S = 0.1  # the first frame, this long after training begins
DRAWING_SHARE = 0.25  # at most this share of the time goes to drawing, over the last WINDOW frames …
LONGEST_GAP_S = 0.5  # … but a frame comes at least this often while training runs
WINDOW = 8  # frames whose cost the share is measured over
FRAME_BUDGET_S = DRAWING_SHARE / FRAMES_PER_SECOND  # what a frame may cost at the full rate
LEAST_DETAIL = 0.25  # grids are never sampled coarser than this share of their cell's resolution
AIM = 0.8  # a frame over its budget aims the next at this share of it, so that it lands within
POLL_S = 0.05  # how long to wait for a key at a time while paused or pacing
KEYS = {
    "space": "pause",
    "n": "step",
    "N": "step",
    "right": "step",
    "q": "quit",
    "Q": "quit",
    "v": "views",
    "V": "views",
    "\t": "views",
}


def parse_keys(text):
    """The actions named by the keys in `text` (as the terminal sent it); other keys and
    the mouse are ignored."""
    return [KEYS[key] for key in events(text) if isinstance(key, str) and key in KEYS]


class Controls:
    """What the training loop asks after every epoch (see the module's docstring).

    `on_frame(epoch, history)` draws a frame; `on_epoch(epoch)` is told of every epoch
    (to record what a view needs of each); `on_views()` brings the views not shown to the
    front; `keys` is a terminal reader (nncli.cli.terminal) or None (no terminal); `pace`
    the most epochs per second, or None.
    """

    def __init__(self, pace=None, keys=None, on_frame=None, on_epoch=None, clock=time.monotonic):
        self.pace, self.keys = pace, keys
        self.on_frame, self.on_epoch, self.on_views = on_frame, on_epoch, None
        self.clock = clock
        self.paused = self.quit = self.stepping = False
        self.began = self.next_frame = None  # when training began; when a frame is due
        self.recent_costs = deque(maxlen=WINDOW)  # seconds the last frames took to draw
        self.detail = 1.0  # the share of its cells' resolution the next frame samples its grids at
        self.frame_costs = []  # seconds per drawn frame, for the curious (and the overhead figures)
        self.epoch, self.history, self.numbers = 0, None, None
        self.origin = None  # (time, epoch) that pacing counts from

    @property
    def status(self):
        """ "paused", "stopping" or "running": what the panel says of the run."""
        return "stopping" if self.quit else "paused" if self.paused else "running"

    def begin(self):
        """Training begins now: the first frame is due FIRST_FRAME_S later (a run shorter
        than that shows only its last frame)."""
        self.began = self.clock()
        self.next_frame = self.began + FIRST_FRAME_S

    def after_epoch(self, epoch, history, numbers=None):
        """`numbers`: the epoch's own (its loss…), for the panel to show the epoch it draws."""
        self.epoch, self.history, self.numbers = epoch, history, numbers
        if self.began is None:
            self.begin()
        if self.on_epoch is not None:
            self.on_epoch(epoch)
        if self.origin is None:
            self.origin = (self.clock(), epoch - 1)
        self._act(self._keys(0.0))
        if self.stepping or self.clock() >= self.next_frame:
            self.draw()
        self.stepping = False
        self._keep_pace(epoch)
        while self.paused and not (self.quit or self.stepping):
            self._act(self._keys(POLL_S))
        if self.quit:
            self.draw()  # the panel shows the stop at once
        return self.quit

    def between_steps(self):
        """Between two steps of an epoch: a frame due now is drawn, from the weights as
        they are, so that an epoch longer than a frame's interval (digits on a busy
        machine) does not hold the screen still. Keys wait for the epoch's end."""
        if self.history is not None and not self.paused and self.clock() >= self.next_frame:
            self.draw()

    def draw(self, idle=False):
        """Draw a frame now, and decide when the next one is due (`idle`: drawn in time
        that training would not have used)."""
        if self.on_frame is None or self.history is None:
            return
        started = self.clock()
        self.on_frame(self.epoch, self.history)
        cost = self.clock() - started
        self.frame_costs.append(cost)
        self.detail = next_detail(self.detail, cost, FRAME_BUDGET_S)
        earliest = started + 1.0 / FRAMES_PER_SECOND
        if idle:
            self.next_frame = max(earliest, started + cost)
            return
        self.recent_costs.append(cost)
        typical = sum(self.recent_costs) / len(self.recent_costs)
        # as often as keeps drawing within its share of the time, but not less often than every LONGEST_GAP_S
        self.next_frame = max(earliest, started + min(typical / DRAWING_SHARE, LONGEST_GAP_S))

    def _keys(self, timeout):
        if self.keys is None:
            if timeout:
                time.sleep(timeout)
            return []
        return parse_keys(self.keys.pressed(timeout))

    def _act(self, actions):
        for action in actions:
            if action == "quit":
                self.quit = True
            elif action == "pause":
                self.paused = not self.paused
                if not self.paused:  # pacing starts afresh, rather than rushing to catch up
                    self.origin = (self.clock(), self.epoch)
                self.draw()
            elif action == "step" and self.paused:
                self.stepping = True
            elif action == "views" and self.on_views is not None:
                self.on_views()

    def _keep_pace(self, epoch):
        """Wait (reading keys) until `epoch` is due at `pace` epochs per second."""
        if not self.pace:
            return
        start, first = self.origin
        due = start + (epoch - first) / self.pace
        while not (self.paused or self.quit) and (left := due - self.clock()) > 0:
            if self.on_frame is not None and self.clock() >= self.next_frame:
                self.draw(idle=True)
                continue
            until_frame = self.next_frame - self.clock() if self.on_frame is not None else left
            self._act(self._keys(max(min(left, POLL_S, until_frame), 0.001)))


def next_detail(detail, cost, budget):
    """The detail of the next frame, after one drawn at `detail` cost `cost` seconds
    against a `budget`: over budget, lower by as much as brings the cost of its grids
    (which grows as the square of the detail) to a little under it (AIM), halving it at
    most, down to LEAST_DETAIL; well under (half the budget), a quarter higher, up to 1;
    between, kept — so a frame's cost settles instead of swinging."""
    if cost > budget:
        return max(LEAST_DETAIL, detail * max(0.5, math.sqrt(AIM * budget / cost)))
    if cost < budget / 2:
        return min(1.0, detail * 1.25)
    return detail


def play(frames, show, controls):
    """Show `frames` (each with an `epoch`) one after another under `controls` — pace,
    pause, step and stop as while training: `nncli replay`'s loop. `show(frame, status)`
    draws one. The controls count frames, not epochs, so `pace` is frames per second
    however far apart the frames' epochs are. Returns the epoch it was stopped at, or None."""
    for index, frame in enumerate(frames, start=1):
        controls.on_frame = lambda epoch, history, frame=frame: show(frame, controls.status)
        show(frame, controls.status)  # every stored frame is shown; the controls pace them
        if controls.after_epoch(index, ()):
            return frame.epoch
    return None


MIN_PACE = 0.1  # epochs per second: ten seconds an epoch is slow enough to follow; slower only waits


class Pace(click.ParamType):
    """A number of epochs per second: finite, and at least MIN_PACE."""

    name = "N"

    def convert(self, value, param, ctx):
        try:
            pace = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of epochs per second", param, ctx)
        if not (math.isfinite(pace) and pace >= MIN_PACE):
            self.fail(f"{value!r}: the pace must be {MIN_PACE:g} epochs per second or more, e.g. 100", param, ctx)
        return pace


def live_params():
    """--watch, --pace and --serve, for the commands that train."""
    return [
        click.Option(
            ["--watch"],
            metavar="VIEW",
            multiple=True,
            help="A view the live panel shows while training (repeat it, or give a,b)  [default: the task's].",
        ),
        click.Option(
            ["--pace"],
            type=Pace(),
            default=None,
            help="Train at most N epochs per second, to follow it in class (e.g. --pace 100).",
        ),
        click.Option(["--serve"], **SERVE),
    ]


# --serve [PORT], declared once for the training commands and for play.
SERVE = dict(
    type=click.IntRange(0, 65535),
    is_flag=False,
    flag_value=0,
    default=None,
    metavar="[PORT]",
    help="Serve a live page of the run on http://127.0.0.1:PORT/ (alone: a free port), this computer only.",
)


def serve_option(command):
    """--serve [PORT]: the live page, on this computer only."""
    return click.option("--serve", **SERVE)(command)


def watched_views(task, asked):
    """The views to watch: those `asked` for (--watch, each maybe "a,b"), else the task's
    own; a view the task lacks is a usage error that lists the ones it has."""
    names = [name.strip() for text in asked for name in text.split(",") if name.strip()]
    for name in names:
        if name not in task.views:
            raise click.BadParameter(
                f"{task.name} has no view {name!r}: its views are {', '.join(task.views)}", param_hint="'--watch'"
            )
    return tuple(dict.fromkeys(names)) or tuple(task.watch)
