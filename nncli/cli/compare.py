"""`nncli compare TASK --vary NAME=V1,V2`: runs of one task side by side.

Each task's command takes the options of `nncli train TASK` — any of them can be varied,
and its values are checked by that option's own rules — minus saving (`--save-dir` keeps
every run's model instead) and downloading.
"""

import difflib

import click

from nncli.cli.train import fixed_options, like_train, run_config, train
from nncli.cli.visualize import check_output_path, write_svg

NOT_HERE = ("save", "no_save", "force", "download", "watch", "pace")  # saves only with --save-dir; its own panel
NOT_VARIED = ("as_json", "quiet", "log_every", "force")  # how a run is shown or saved, not how it learns
OWN = ("vary", "svg_path", "save_dir")  # the comparison's own options
MAX_RUNS = 16
# Settings that change a linreg run's data: runs varying them have a loss landscape each.
DATA_SETTINGS = {"seed", "points", "slope", "intercept", "noise", "data", "limit", "dtype"}
GAP, GUTTER = 3, 8  # columns between landscape panels, and for each one's axis labels
MIN_PIXELS, MAX_PIXELS = 8, 20


def compare_options():
    """The options of the comparison itself (fresh objects for every command)."""
    return [
        click.Option(
            ["--vary"],
            multiple=True,
            metavar="NAME=V1,V2",
            help="A setting to vary and its values, e.g. lr=0.01,0.1 (repeat it to vary several: the runs are "
            "every combination, at most 16). NAME is any option above; values with commas of their own "
            "(hidden=16,8) are separated by / instead: hidden=8/16,8.",
        ),
        click.Option(
            ["--svg", "svg_path"],
            type=click.Path(),
            metavar="FILE",
            default=None,
            help="Also write the pictures to this SVG file.",
        ),
        click.Option(
            ["--save-dir"],
            type=click.Path(file_okay=False),
            default=None,
            help="Keep each run's model in this folder  [default: none is saved].",
        ),
    ]


@click.group(short_help="Train a task several ways and compare the runs.")
def compare():
    """Train a task several times, varying one or more settings, and compare the runs:
    every run's loss on one chart (live on a terminal), then a table of how each ended —
    its final training and held-out loss, the gap between them, the epoch of its lowest
    validation loss, the task's metric, its epochs and time, and whether it diverged or
    stalled.

    Every run starts from the same seed: the same data, the same starting weights and the
    same batches, unless the varied setting changes them (--seed, --hidden, --init do).
    No model is saved unless --save-dir says where, and the model you trained last stays
    the latest.

    \b
    Examples:
      nncli compare linreg --vary lr=0.01,0.5,1.1
      nncli compare xor --vary optimizer=sgd,momentum,adam --vary lr=0.1,1
      nncli compare digits --limit 100 --patience 0 --epochs 300 \\
        --vary dropout=0,0.5
    """


def variable_options(command):
    """{name as --vary writes it: the click option} of every setting that can be varied."""
    return {_long_name(p): p for p in command.params if isinstance(p, click.Option) and p.name not in NOT_VARIED + OWN}


def _long_name(option):
    return max(option.opts, key=len).lstrip("-")


def parse_vary(ctx, texts):
    """[(name, option, values)] of the --vary texts, every value converted and checked by
    its option. Usage errors (exit 2) for anything that cannot make the runs."""
    if not texts:
        raise click.UsageError("say what to compare with --vary NAME=V1,V2 (e.g. --vary lr=0.01,0.1)")
    valid = variable_options(ctx.command)
    varied, seen = [], set()
    for text in texts:
        name, equals, listed = (part.strip() for part in text.partition("="))
        name = name.lstrip("-").replace("_", "-")
        if not equals or not name:
            raise click.BadParameter(f"{text!r} is not NAME=V1,V2 (e.g. lr=0.01,0.1)", param_hint="'--vary'")
        if name not in valid:
            close = difflib.get_close_matches(name, valid, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise click.BadParameter(
                f"{ctx.command.name} has no setting {name!r}: {hint}choose from {', '.join(valid)}",
                param_hint="'--vary'",
            )
        if name in seen:
            raise click.BadParameter(
                f"{name} is varied twice: give all its values at once, e.g. {name}=A,B", param_hint="'--vary'"
            )
        seen.add(name)
        option = valid[name]
        if ctx.get_parameter_source(option.name) == click.core.ParameterSource.COMMANDLINE:
            raise click.UsageError(f"--{name} is both set and varied: drop one of them")
        raw = _split(listed, option)
        if not listed or any(not value for value in raw):
            raise click.BadParameter(f"{text!r}: an empty value; give {name}=V1,V2", param_hint="'--vary'")
        if len(raw) > MAX_RUNS:  # said before converting twenty thousand values only to refuse them
            raise click.BadParameter(
                f"{name}: {len(raw):,} values, more than {MAX_RUNS} runs at once", param_hint="'--vary'"
            )
        values = [_convert(ctx, option, name, value) for value in raw]
        given = {}  # value → how it was written, the first time
        for value, text in zip(values, raw):
            if value in given:
                raise click.BadParameter(f"{name}: the value {given[value]!r} twice", param_hint="'--vary'")
            given[value] = text
        varied.append((name, option, values))
    runs = 1
    for _, _, values in varied:
        runs *= len(values)
    if runs > MAX_RUNS:
        counts = " × ".join(str(len(values)) for _, _, values in varied)
        raise click.BadParameter(
            f"{counts} = {runs} runs, more than {MAX_RUNS} at once: vary fewer settings or fewer values",
            param_hint="'--vary'",
        )
    return varied


def _split(listed, option):
    """The values of NAME=V1,V2: split at commas, or at slashes where they are given (for
    values with commas of their own) — but a path's slashes are its own."""
    if "/" in listed and not isinstance(option.type, click.Path):
        return [value.strip() for value in listed.split("/")]
    return [value.strip() for value in listed.split(",")]


def _convert(ctx, option, name, value):
    """`value` as `option` would take it on the command line, or its own complaint."""
    try:
        return option.type_cast_value(ctx, value)
    except click.BadParameter as error:
        raise click.BadParameter(
            f"the run with {name}={value}: {error.message}", ctx=ctx, param_hint="'--vary'"
        ) from None


def run_comparison(task_name, options):
    from pathlib import Path

    from nncli.cli.output import emit_json, stdout_console
    from nncli.render import draw
    from nncli.session.compare import Run, combinations, compare
    from nncli.tasks import get_task
    from nncli.views.compare import comparison

    ctx = click.get_current_context()
    as_json, quiet = options.pop("as_json"), options.pop("quiet")
    texts, save_dir, svg_path = options.pop("vary"), options.pop("save_dir"), options.pop("svg_path")
    varied = parse_vary(ctx, texts)
    if svg_path:
        check_output_path(svg_path, "the SVG")  # before any training: a long comparison must not end in "cannot write"
    task = get_task(task_name)
    fixed_options(task_name, options)
    if options.get("data_dir"):  # as `train mnist` records it: a saved run's model may be evaluated elsewhere
        options["data_dir"] = str(Path(options["data_dir"]).expanduser().absolute())
    runs = []
    for index, settings in enumerate(combinations([(name, values) for name, _, values in varied])):
        run_options = dict(options)
        run_options.update({option.name: settings[name] for name, option, _ in varied})
        runs.append(Run(index, settings, run_config(task, run_options)))
    with _sink(as_json, quiet, task, runs) as emit:
        compare(task, runs, emit, save_dir)
    numbers = comparison(task, runs)
    if as_json:
        emit_json({"event": "comparison", "task": task.name, "varied": numbers.varied, "runs": numbers.runs})
    if svg_path or not as_json:
        console = stdout_console()
        pictures = [draw(numbers, console.width), *_paths(task, runs, console)]
    if not as_json:
        for picture in pictures if not quiet else pictures[0].renderables[-1:]:
            console.print(picture)
            console.print()
    if svg_path:
        write_svg(svg_path, pictures, f"nncli compare {task.name}", console.width)
        from nncli.text import inert

        click.echo(f"pictures written to {inert(svg_path, 1000)}", err=True)
    interrupted = next((run for run in runs if run.status == "interrupted"), None)
    if interrupted is not None:
        click.echo(f"nncli: interrupted during run {interrupted.index + 1} of {len(runs)}", err=True)
        from nncli.cli import interrupted_exit_code

        raise SystemExit(interrupted_exit_code())  # 130 for Ctrl-C, 143 SIGTERM, 129 SIGHUP
    if all(run.status == "diverged" for run in runs):
        click.echo(f"nncli: every run diverged ({len(runs)} of {len(runs)}): try smaller learning rates", err=True)
        raise SystemExit(3)


def _sink(as_json, quiet, task, runs):
    import contextlib

    from rich.console import Console

    from nncli.cli.output import emit_json
    from nncli.render.compare import LiveComparison

    if as_json:
        return contextlib.nullcontext(emit_json)
    if quiet:
        return contextlib.nullcontext(lambda event: None)
    labels = [run.label for run in runs]
    return LiveComparison(Console(stderr=True), task.title, labels, max(run.config.epochs for run in runs))


def _paths(task, runs, console):
    """Where the task can draw its runs' paths together (linreg: on its loss landscape),
    their picture, side by side — if the runs share their data, so that one landscape is
    theirs. A list of none or one."""
    if task.compare_view is None or DATA_SETTINGS & {option.replace("-", "_") for option in runs[0].settings}:
        return []
    from nncli.render import draw
    from nncli.session.runner import prepare
    from nncli.views import History, resolve

    dataset, network = prepare(task, runs[0].config)
    view = resolve(task.views[task.compare_view])
    pairs = [(run.label, run.config) for run in runs if run.status != "not run"]
    numbers = view(network, dataset, runs[0].config, History(), runs=pairs, size=_panel_pixels(console, len(pairs)))
    return [draw(numbers, console.width)]


def _panel_pixels(console, panels):
    """Grid points across each of `panels` landscapes, so that they stand side by side in
    the console's width: a colour pixel is one column wide, a shading glyph's two."""
    in_colour = not console.no_color and console.color_system is not None
    room = (console.width - GAP * (panels - 1)) // panels - GUTTER
    return max(MIN_PIXELS, min(MAX_PIXELS, room if in_colour else room // 2))


# Registered last: the commands call functions defined above.
for _name in train.commands:
    compare.add_command(
        like_train(
            _name,
            run_comparison,
            NOT_HERE,
            compare_options(),
            f"Runs of {_name} side by side, with the options of `nncli train {_name}`; --vary any of them.",
            f"Runs of {_name} side by side.",
        )
    )
