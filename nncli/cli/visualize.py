"""`nncli visualize [MODEL]`: pictures of what a trained network learned and how."""

import click

from nncli.cli.options import PositiveFloat

# The views of each task, in the order they are drawn; --view picks one.
TASK_VIEWS = {
    "xor": ("boundary", "neurons", "loss"),
    "linreg": ("fit", "landscape", "loss"),
    "approx": ("fit", "neurons", "loss"),
    "digits": ("samples", "confusion", "filters", "loss"),
    "mnist": ("samples", "confusion", "filters", "loss"),
}
OTHER_VIEWS = ("loss", "model")
ALL_VIEWS = tuple(dict.fromkeys(v for views in (*TASK_VIEWS.values(), OTHER_VIEWS) for v in views))
MAX_RATES = 6
FILTERS_SMALL, FILTERS_LARGE = 32, 12  # first-layer filters drawn: of 8×8 digits, of bigger images
MAX_NEURON_TILES = 32  # more is a wall of tiles that teaches nothing (and takes minutes on a huge model)


class LearningRates(click.ParamType):
    """A comma-separated list of learning rates: "0.01,0.5,1.1"."""

    name = "rates"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        parts = [part.strip() for part in str(value).split(",")]
        rates = tuple(PositiveFloat().convert(part, param, ctx) for part in parts)
        if len(rates) > MAX_RATES:
            self.fail(f"at most {MAX_RATES} learning rates at once, got {len(rates)}", param, ctx)
        return rates


@click.command()
@click.argument("model", required=False)
@click.option(
    "--view",
    type=click.Choice(ALL_VIEWS),
    default=None,
    help="Draw only this view  [default: all of the model's task].",
)
@click.option(
    "--lr",
    "rates",
    type=LearningRates(),
    default=None,
    help="linreg: retrain with each of these learning rates (e.g. 0.01,0.5,1.1) and draw their paths side by side.",
)
@click.option("--svg", "svg_path", type=click.Path(), default=None, help="Also write what is drawn to this SVG file.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the numbers behind the pictures as one JSON object instead."
)
def visualize(model, view, rates, svg_path, as_json):
    """Pictures of MODEL (a path or stored name; default: the latest) in the terminal.

    \b
    xor      boundary   the decision boundary over the input plane
             neurons    each hidden neuron's output over the same plane
    linreg   fit        the data, the learned line, the least-squares line
             landscape  the loss over (slope, intercept), descent's path
    approx   fit        the target, the network's curve, the error
             neurons    each neuron's curve, and the sum built neuron by neuron
    digits   samples    held-out digits with the network's predictions
    & mnist  confusion  the confusion matrix, most-confused pairs, surest mistakes
             filters    what each first-layer neuron looks for, drawn as an image
    every    loss       the training (and validation) loss per epoch
    """
    from nncli.cli.output import emit_json, stdout_console
    from nncli.tasks.runner import load_trained
    from nncli.text import inert

    task, network, meta, path = load_trained(model)
    name = inert(path.name)
    views = TASK_VIEWS.get(task.name, OTHER_VIEWS)
    if rates and task.name != "linreg":
        raise click.UsageError(
            f"--lr draws gradient-descent paths on the linreg loss landscape; {name} is a {task.name} model"
        )
    if view is not None and view not in views:
        raise click.UsageError(f"{name} is a {task.name} model; its views are {', '.join(views)}, not {view!r}")
    if rates and view not in (None, "landscape"):
        raise click.UsageError("--lr goes with --view landscape")
    chosen = [view] if view else (["landscape"] if rates else list(views))
    if svg_path:
        check_svg_path(svg_path)  # before any work: a long retraining must not end in "cannot write"

    console = stdout_console()
    scene = Scene(task, network, meta, rates, console.width, glyphs=console.no_color or console.color_system is None)
    drawn, numbers = [], {}
    for name in chosen:
        picture, data = scene.draw(name)
        drawn.append(picture)
        numbers.update(data)
    if as_json:
        emit_json({"event": "visualize", "task": task.name, "model": str(path), "views": chosen, **numbers})
    else:
        for picture in drawn:
            console.print(picture)
            console.print()
    if svg_path:
        write_svg(svg_path, drawn, f"nncli visualize {name}", console.width)
        click.echo(f"pictures written to {inert(svg_path, 1000)}", err=True)


def check_svg_path(svg_path):
    from nncli.store import write_target

    write_target(svg_path, "write the SVG")


def write_svg(svg_path, renderables, title, width):
    """Write the pictures as an SVG file, atomically: a temporary file renamed into place."""
    from nncli.render.svg import to_svg
    from nncli.store import write_atomically

    text = to_svg(renderables, title=title, width=max(width, 100))
    write_atomically(svg_path, lambda f: f.write(text.encode("utf-8")), "write the SVG")


class Scene:
    """Each view of one model: its picture and the numbers behind it, sized for the screen."""

    def __init__(self, task, network, meta, rates, width, glyphs):
        self.task, self.network, self.meta = task, network, meta
        self.rates = rates or (meta["config"]["lr"],)
        self.width = width
        self.glyphs = glyphs  # a glyph pixel is two columns wide; a colour one, one column
        self._dataset = None

    def draw(self, view):
        """(picture, numbers) of one view: the task's own if it has one by that name."""
        from nncli.errors import ModelFileError

        try:
            return (getattr(self, f"{self.task.name}_{view}", None) or getattr(self, view))()
        except KeyError as missing:  # a file that passed the store's checks but lacks a task's field
            raise ModelFileError(f"the model lacks {missing} in its metadata, which the {view} view needs") from None

    def pixels(self, colour, glyph):
        return glyph if self.glyphs else colour

    def chart_width(self):
        return max(20, min(60, self.width - 12))

    @property
    def dataset(self):
        if self._dataset is None:
            from nncli.tasks.runner import rebuild_data

            self._dataset = rebuild_data(self.task, self.meta)
        return self._dataset

    def loss(self):
        from nncli.render.views import loss_view

        history, epochs = self.meta.get("history", {}), self.meta.get("epochs_run", 0)
        return loss_view(history, epochs, width=self.chart_width()), {"history": history, "epochs_run": epochs}

    def model(self):
        from rich.console import Group

        from nncli.render.tables import metrics_table, model_table

        picture = Group(
            model_table(f"{self.meta['task']} model", self.meta["layers"]),
            metrics_table("final metrics", self.meta["metrics"]),
        )
        return picture, {"layers": self.meta["layers"], "metrics": self.meta["metrics"]}

    def xor_boundary(self):
        from nncli.data import xor
        from nncli.landscape import input_plane
        from nncli.render.views import boundary_view

        plane = input_plane(self.network, size=self.pixels(32, 24))
        X, y = xor()
        numbers = {"plane": {"x": plane.x.tolist(), "y": plane.y.tolist(), "output": plane.output.tolist()}}
        return boundary_view(plane, X, y[:, 0]), numbers

    def xor_neurons(self):
        from nncli.landscape import input_plane
        from nncli.render.views import neurons_view

        plane = input_plane(self.network, size=self.pixels(16, 12))
        total = len(plane.hidden)
        plane.hidden, plane.neurons = plane.hidden[:MAX_NEURON_TILES], plane.neurons[:MAX_NEURON_TILES]
        numbers = {
            "neurons": [{**n, "output": h.tolist()} for n, h in zip(plane.neurons, plane.hidden)],
            "neurons_total": total,
            "activation": plane.activation,
        }
        picture = neurons_view(plane)
        if total > MAX_NEURON_TILES:
            from rich.console import Group
            from rich.text import Text

            picture = Group(picture, Text(f"the first {MAX_NEURON_TILES} of {total:,} hidden neurons", style="dim"))
        return picture, numbers

    def linreg_fit(self):
        from nncli.landscape import line_data
        from nncli.render.views import fit_view

        line = line_data(self.meta, self.dataset)
        numbers = {"line": {"learned": list(line.learned), "exact": list(line.exact), "points": len(line.x)}}
        return fit_view(line, width=self.chart_width()), numbers

    def linreg_landscape(self):
        from nncli.landscape import descent_paths, line_data, loss_surface, window
        from nncli.render.views import landscape_view

        line = line_data(self.meta, self.dataset)
        paths = descent_paths(self.meta, self.dataset, self.rates)
        size = self.panel_pixels(len(paths))
        stacked = size is None
        size = size or self.pixels(32, 20)
        slopes, intercepts = window(line, paths, size)
        surface = loss_surface(line, slopes, intercepts)
        numbers = {
            "landscape": {"slopes": slopes.tolist(), "intercepts": intercepts.tolist(), "loss": surface.tolist()},
            "exact": list(line.exact),
            "paths": [p.as_dict() for p in paths],
        }
        return landscape_view(slopes, intercepts, surface, paths, line.exact, stacked=stacked), numbers

    def panel_pixels(self, panels):
        """Pixels across one landscape panel so that `panels` of them fit side by side;
        None if they would be too small to read, and should go one above the other."""
        if panels == 1:
            return self.pixels(40, 28)
        columns = (self.width - 3 * (panels - 1)) // panels - 8  # 8: the axis labels
        pixels = min(40, columns // (2 if self.glyphs else 1))
        return pixels if pixels >= 10 else None

    def approx_outcome(self):
        """What the approx pictures are drawn from: the network, its data and a summary."""
        from nncli.tasks.runner import Outcome

        config = self.meta["config"]
        summary = {
            **self.meta["metrics"],
            "epochs": self.meta.get("epochs_run", 0),
            "target": config.get("target") or "expr",
            "formula": config["formula"],
            "domain": config["domain"],
            "method": config.get("method", "train"),
            "activation": config["activation"],
            "hidden": config["hidden"],
        }
        return Outcome(self.network, self.dataset, None, summary)

    def approx_fit(self):
        from rich.console import Group

        from nncli.render.approx import approx_view
        from nncli.tasks.approx import curves

        outcome = self.approx_outcome()
        x, target, output = curves(self.network, self.dataset)
        numbers = {"curve": {"x": x.tolist(), "target": target.tolist(), "output": output.tolist()}}
        return Group(*approx_view(self.task, outcome)), numbers

    def approx_neurons(self):
        import numpy as np
        from rich.console import Group

        from nncli.render.approx import approx_view
        from nncli.tasks.approx import neurons

        outcome = self.approx_outcome()
        fit = approx_view(self.task, outcome)
        everything = approx_view(self.task, outcome, show_neurons=True)  # the fit, then the neurons
        target = self.dataset.extra["target"]
        table = neurons(self.network, self.dataset, np.array([target.lo]))[2]
        return Group(*everything[len(fit) :]), {"neurons": table}

    def samples(self):
        """Held-out digits with the network's predictions, under its accuracy."""
        from rich.console import Group

        from nncli.render.digits import training_view
        from nncli.tasks.runner import Outcome

        summary = {**self.meta["metrics"], "epochs": self.meta.get("epochs_run", 0)}
        picture = Group(*training_view(self.task, Outcome(self.network, self.dataset, None, summary)))
        return picture, {"metrics": self.meta["metrics"]}

    def confusion(self):
        """On the held-out digits: the confusion matrix, per-class precision and recall, the
        pairs most often confused and the mistakes the network was surest about."""
        from rich.console import Group

        from nncli.render.digits import evaluation_view

        X, y = self.dataset.X_test, self.dataset.y_test
        metrics = {
            "loss": self.network.evaluate_loss(X, y),
            **self.task.metrics(self.network, X, y),
            **self.task.report(self.network, X, y),
        }
        return Group(*evaluation_view(metrics)), {"evaluation": metrics}

    def filters(self):
        """Each first-layer neuron's weights as an image: what it looks for."""
        from rich.console import Group
        from rich.text import Text

        from nncli.render.digits import filters_view

        weight = self.network.state_dict()["0.weight"]
        limit = FILTERS_SMALL if weight.shape[1] <= 64 else FILTERS_LARGE
        drawn = filters_view(weight, limit=limit)
        if not drawn:
            drawn = [Text("the inputs are not a square image: no filters to draw", style="dim")]
        return Group(*drawn), {"filters": weight[:limit].tolist()}
