"""`nncli play TASK`: the Playground in a terminal.

The network trains without end while its decision boundary fills the screen; the mouse
adds points (left button: the pen's class, right button: the next class), keys change
the settings (see nncli.session.play.KEYS) and `s` saves. Without a mouse, the arrow keys move a
cursor over the plane and enter adds a point there.

This module is the terminal's side: it reads keys and mouse reports (nncli.cli.terminal),
turns a clicked cell into a point of the plane (render.plane.cell_point), and draws a
frame about ten times a second while training runs (render.play). The session itself —
settings, data, training — is nncli.session.play's.
"""

import sys
import time

import click

from nncli.cli.controls import FRAMES_PER_SECOND, serve_option
from nncli.tasks.catalog import PLAYGROUND

POLL_S = 0.05  # how long to wait for a key at a time while paused
MOST_READS = 256  # reads of the terminal taken at once (each up to 1 KiB: about 50 clicks)
STRETCH = 1_000_000  # epochs the training loop is asked for at a time: it stops at any change


@click.command()
@click.argument("task", type=click.Choice(list(PLAYGROUND)), default="circle")
@click.option(
    "--save",
    "save_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where s saves the model  [default: TASK-play in the model store].",
)
@click.option("--no-mouse", is_flag=True, help="Keys only: leave the mouse to the terminal (to select text).")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Stream the session's events as JSON Lines on stdout (the screen on stderr).",
)
@serve_option
def play(task, save_path, no_mouse, as_json, serve):
    """The Playground in a terminal: click points in, change the settings, watch it learn.

    \b
    The network trains continuously; its decision boundary fills the screen.
      left / right click   add a point of the pen's class / the next class
      0-9                  choose the pen's class
      ← ↑ → ↓, enter       the same without a mouse: move the cursor, add a point
      l L  a  h H  w W     learning rate, activation, hidden layers, neurons
      f  e E  t T          input features, noise, held-out share
      g  r  c              new data, fresh weights, clear the added points
      space  n  s  q       pause, one epoch (paused), save, quit
    `s` saves a normal model of TASK, added points included: evaluate, visualize,
    predict, export … then work on it. --serve shows the plane on a page too.
    """
    from rich.console import Console

    from nncli import store
    from nncli.cli.output import emit_json
    from nncli.cli.serve import LivePage
    from nncli.cli.terminal import open_input
    from nncli.errors import NncliError
    from nncli.render import animates
    from nncli.session.play import Playground

    console = Console(stderr=True) if as_json else Console()
    if not (animates(console) and sys.stdin.isatty()):
        raise NncliError(f"nncli play is interactive: run it in a terminal (to train without one: nncli train {task})")
    session = Playground(task, emit_json if as_json else lambda event: None)
    path = save_path or store.model_home() / f"{task}-play.npz"
    with open_input(sys.stdin, out=console.file, mouse=not no_mouse) as keys:
        if keys is None:
            raise NncliError("nncli play cannot read this terminal's keys: run it in another terminal")
        page = None if serve is None else LivePage(serve, f"nncli play {task}")
        if page is not None:
            session.message = f"the live page is at {page.address}"
            click.echo(f"nncli: the live page is at {page.address} (on this computer only, until play ends)", err=True)
        try:
            Session(session, console, keys, mouse=not no_mouse, path=path, page=page).run()
        finally:
            if page is not None:
                page.close(f"played {session.epoch:,} epochs")
    summary = session.summary()
    if as_json:
        emit_json(summary)
    saved = f"saved as {summary['model']}" if summary["model"] else "not saved (s saves)"
    click.echo(f"nncli: played {summary['epochs']:,} epochs; {saved}", err=True)


class Session:
    """The Playground on a terminal: `run()` until q."""

    def __init__(self, playground, console, keys, mouse, path, page=None):
        from nncli.render.html import StyleSheet
        from nncli.views import resolve

        self.playground, self.console, self.mouse, self.path = playground, console, mouse, path
        self.page, self.sheet = page, StyleSheet()  # the live page (--serve), or None
        self.keys = keys if page is None else page.reader(keys)  # its buttons are keys too
        self.view = resolve(playground.task.views["boundary"])
        self.area = None  # where the plane was last drawn (render.plane.PlaneArea)
        self.cursor = None  # the keyboard's cell on the plane, once an arrow moved it
        self.dragged = None  # the last cell a drag added a point at
        self.next_frame = self.drawn_at = 0.0  # when the next frame is due while training; when the last began
        self.drawn_size, self.pending = None, False  # the size last drawn for; a change not drawn yet

    def run(self):
        from nncli.render.synchronized import SynchronizedLive

        playground = self.playground
        playground.between_epochs = self.between_epochs
        live = SynchronizedLive(
            console=self.console, screen=True, auto_refresh=False, redirect_stdout=False, redirect_stderr=False
        )
        with live as self.live:  # stdout stays the JSON stream's
            self.draw()
            while not playground.quit:
                if playground.paused and not playground.stepping:
                    self.pending |= self.take_input(POLL_S) or self.console.size != self.drawn_size
                    if self.pending and time.monotonic() >= self.drawn_at + 1 / FRAMES_PER_SECOND:
                        self.draw()  # paused, drawing has the time to itself
                    continue
                stepping, playground.stepping = playground.stepping, False
                playground.train(1 if stepping else STRETCH)
                if stepping or playground.paused:
                    self.draw()  # the epoch it took, or where it stopped

    def between_epochs(self):
        """After every epoch: take the keys and clicks, and draw when a frame is due."""
        self.take_input(0.0)
        if time.monotonic() >= self.next_frame:
            self.draw()
        return False  # the session stops its loop itself when something changed

    def draw(self):
        """A frame now, laid out for the terminal's size as it is now; the next one is due
        after a tenth of a second, or later if drawing took more than its share."""
        from nncli.cli.controls import DRAWING_SHARE
        from nncli.render.heatmap import in_colour
        from nncli.render.plane import plane_area
        from nncli.render.play import layout, screen
        from nncli.views import History

        started = self.drawn_at = time.monotonic()
        playground = self.playground
        network, dataset, config = playground.network, playground.dataset, playground.config
        size = self.console.size
        cells = layout(*size)
        numbers = None
        self.area = None
        if cells.fits:
            colour = in_colour(self.console)
            rough = self.view(network, dataset, config, History(), size=2, frame=playground.frame)
            fitted = plane_area(rough, cells.plane_columns, cells.plane_lines, colour)  # as large as fits
            pixels = max(min(fitted.rows, fitted.columns), 2)
            numbers = self.view(network, dataset, config, History(), size=pixels, frame=playground.frame)
            self.area = plane_area(numbers, cells.plane_columns, cells.plane_lines, colour)
            self.cursor = self.cursor and self.within(*self.cursor)
        status = {**playground.status(), "epoch": playground.epoch}
        frame = screen(
            self.console,
            playground.task.name,
            numbers,
            status,
            playground.losses_now(),
            playground.message,
            self.mouse,
            self.cursor,
        )
        self.live.update(frame, refresh=True)
        if self.page is not None:
            self.serve(status)
        self.drawn_size, self.pending = size, False
        cost = time.monotonic() - started
        self.next_frame = started + max(1 / FRAMES_PER_SECOND, cost / DRAWING_SHARE)

    def serve(self, status):
        """The plane and the settings, for the live page (its own resolution, whatever the
        terminal's size)."""
        from nncli.render.vector.live import frame_event
        from nncli.views import History

        playground = self.playground
        network, dataset, config = playground.network, playground.dataset, playground.config
        numbers = self.view(network, dataset, config, History(), frame=playground.frame)
        train, test = playground.losses_now()
        label = (
            f"epoch {status['epoch']:,} · loss {train:.4f} train, {test:.4f} test · lr {status['lr']:g} · "
            f"{status['activation']} · hidden {status['hidden'] or 'none'} · {','.join(status['features'])} · "
            f"noise {status['noise']:g} · {status['added']:,} added · {'paused' if status['paused'] else 'running'}"
        )
        self.page.show(frame_event([numbers], label, self.sheet))

    # --- input -------------------------------------------------------------------------------

    def take_input(self, timeout):
        """Read what was typed and clicked (waiting up to `timeout` for the first of it), all
        that has come so far — a burst of clicks is taken at once, not one read an epoch —
        and act on it; True if anything changed."""
        events = more = self.keys.events(timeout)
        for _ in range(MOST_READS):
            if not more:
                break
            more = self.keys.events(0.0)
            events += more
        return self.handle(events)

    def handle(self, events):
        """Act on keys and mouse reports; True if anything changed."""
        from nncli.cli.terminal import Mouse

        changed, points, labels = False, [], []
        for event in events:
            if isinstance(event, Mouse):
                point = self.clicked(event)
                if point is not None:
                    points.append(point[:2])
                    labels.append(point[2])
                changed |= point is not None or event.kind == "press"
            elif event in MOVES:
                changed |= self.move(*MOVES[event])
            elif event == "enter":
                point = self.at_cursor()
                if point is not None:
                    points.append(point)
                    labels.append(self.playground.pen)
                changed = True
            elif event == "s":
                self.save()
                changed = True
            else:
                changed |= self.playground.press(event)
        if points:
            self.playground.add_points(points, labels)
        return changed

    def clicked(self, mouse):
        """(x1, x2, class) of the point a press or drag of the left or right button adds,
        or None: the wheel, the middle button and releases add nothing; a press off the
        plane says so."""
        if mouse.kind == "release":
            self.dragged = None
        if mouse.kind not in ("press", "drag") or mouse.button not in ("left", "right"):
            return None
        cell = (mouse.column, mouse.row)
        if mouse.kind == "drag" and cell == self.dragged:
            return None  # still on the cell it added a point at
        point = self.point_at(cell)
        if point is None:
            if mouse.kind == "press":
                self.playground.message = "that click was off the plane: points go on the plane"
            return None
        self.dragged = cell
        pen = self.playground.pen
        label = pen if mouse.button == "left" else (pen + 1) % self.playground.classes
        return (*point, label)

    def point_at(self, cell):
        from nncli.render.plane import cell_point

        return cell_point(self.area, *cell) if self.area is not None else None

    def move(self, columns, lines):
        """Move the keyboard's cursor one pixel (it starts in the plane's middle)."""
        if self.area is None:
            return False
        width, height = self.area.size
        if self.cursor is None:
            self.cursor = (self.area.left + width // 2, self.area.top + height // 2)
        else:
            step = 1 if self.area.colour else 2  # a pixel is two columns without colour
            self.cursor = self.within(self.cursor[0] + columns * step, self.cursor[1] + lines)
        return True

    def within(self, column, line):
        """The cell nearest (column, line) on the plane."""
        width, height = self.area.size
        return (
            min(max(column, self.area.left), self.area.left + width - 1),
            min(max(line, self.area.top), self.area.top + height - 1),
        )

    def at_cursor(self):
        if self.cursor is None:
            self.playground.message = "the arrow keys bring a cursor onto the plane; enter adds a point there"
            return None
        return self.point_at(self.cursor)

    def save(self):
        from nncli.errors import NncliError
        from nncli.text import inert

        try:
            self.playground.save(self.path)
        except (OSError, NncliError) as error:
            self.playground.message = f"cannot save to {inert(str(self.path))}: {inert(str(error))}"


MOVES = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}
