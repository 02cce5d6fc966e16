"""`nncli draw`: draw a digit in the terminal and watch the network read it, stroke by stroke."""

import sys
import time

import click

from nncli.cli.options import model_argument

WAIT_S = 0.25  # how long to wait for input before looking at the terminal's size again


@click.command()
@model_argument
@click.option("--json", "as_json", is_flag=True, help="Print each prediction as it changes, as JSON Lines.")
def draw(model, as_json):
    """Draw a digit for MODEL (a digits or MNIST model; default: the latest) and watch it
    read each stroke.

    \b
    The mouse draws (left button) and erases (right); or the keys:
    ←↑↓→ move the cursor, space paints, x erases, c clears, q quits.
    Beside the canvas: the image the network reads (the drawing
    cropped, scaled and centred as its training digits were), its
    ten probabilities and its answer. `nncli predict MODEL --image
    FILE` reads a digit from a file the same way.
    """
    from rich.console import Console

    from nncli.cli.terminal import open_input
    from nncli.errors import NncliError
    from nncli.session.runner import load_trained
    from nncli.views.drawing import image_side

    task, network, meta, path = load_trained(model)
    image_side(task, meta)
    console = Console(stderr=True)  # the screen: human output; stdout is left to --json
    no_terminal = NncliError(
        "nncli draw needs a terminal to draw on; to read a digit from a file: nncli predict MODEL --image FILE"
    )
    if not console.is_terminal:  # checked first: the mouse is not asked for on a file
        raise no_terminal
    with open_input(sys.stdin, out=sys.stderr, mouse=True) as keys:
        if keys is None:
            raise no_terminal
        Drawing(task, network, meta, path.stem, console, as_json).run(keys)


class Drawing:
    """The canvas, what the network makes of it, and the screen showing both."""

    def __init__(self, task, network, meta, name, console, as_json):
        from nncli.text import inert

        self.task, self.network, self.meta, self.console, self.as_json = task, network, meta, console, as_json
        self.title = f"nncli draw · {inert(name, 40)} ({task.name})"
        self.place = self.canvas = self.reading = self.emitted = None
        self.pen = None  # the pixel the mouse last drew or erased at, while its button is down

    def run(self, keys):
        from nncli.render.synchronized import SynchronizedLive

        with SynchronizedLive(console=self.console, screen=True, auto_refresh=False, redirect_stdout=False) as live:
            changed = True
            while True:
                changed = self.fit_terminal() or changed
                if changed:
                    self.read()
                self.show(live)
                started = time.monotonic()
                events = keys.events(WAIT_S)
                if not events and time.monotonic() - started < WAIT_S / 2:
                    return  # nothing to read, at once: the terminal has gone
                changed = False
                for event in events:
                    if event in ("q", "Q"):
                        return
                    changed = self.take(event) or changed

    def fit_terminal(self):
        """Lay the screen out again if the terminal's size changed (the drawing is kept,
        resampled to the new canvas); True if the canvas changed."""
        from nncli.render.drawing import layout
        from nncli.views.drawing import Canvas

        columns, lines = self.console.size
        if self.place is not None and (self.place.columns, self.place.lines) == (columns, lines):
            return False
        self.place = layout(columns, lines)
        if self.place is None:
            return False
        if self.canvas is None:
            self.canvas = Canvas.blank(self.place.width, self.place.height)
        else:
            self.canvas = self.canvas.resized(self.place.width, self.place.height)
        return True

    def take(self, event):
        """Change the canvas as a key or a mouse report says; True if it changed."""
        if self.canvas is None or self.place is None:
            return False
        if isinstance(event, str):
            return self.key(event)
        return self.mouse(event)

    def key(self, name):
        moves = {"left": (-1, 0), "right": (1, 0), "up": (0, -2), "down": (0, 2)}
        cursor = self.canvas.cursor
        if name in moves:
            self.canvas = self.canvas.moved(*moves[name])
            return False
        if name in ("space", "x"):
            self.canvas = self.canvas.stroke(cursor, cursor, 1.0 if name == "space" else 0.0)
            return True
        if name == "c":
            self.canvas = self.canvas.blank(self.place.width, self.place.height)
            return True
        return False

    def mouse(self, report):
        """Left button draws, right erases, a drag joins its pixels with a line; releases,
        the middle button, the wheel and reports off the canvas end a stroke."""
        pixel = self.place.pixel(report.column, report.row)
        if report.kind not in ("press", "drag") or report.button not in ("left", "right") or pixel is None:
            self.pen = None
            return False
        start = self.pen if report.kind == "drag" and self.pen is not None else pixel
        self.canvas = self.canvas.stroke(start, pixel, 1.0 if report.button == "left" else 0.0)
        self.pen = pixel
        return True

    def read(self):
        from nncli.cli.output import emit_json
        from nncli.views.drawing import reading

        if self.canvas is None:
            return
        self.reading = reading(self.task, self.network, self.meta, self.canvas.ink)
        if self.as_json and self.reading.row != self.emitted:
            emit_json({"event": "prediction", **self.reading.row})
            self.emitted = self.reading.row

    def show(self, live):
        from rich.text import Text

        from nncli.render.drawing import Screen, too_small

        if self.place is None:
            live.update(Text(too_small(*self.console.size)))
        else:
            live.update(Screen(self.title, self.place, self.canvas, self.reading))
        live.refresh()
