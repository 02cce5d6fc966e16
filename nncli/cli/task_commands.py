"""The commands of the tasks, made from the task catalog (nncli.tasks.catalog) and the
settings table (nncli.settings): `nncli train TASK`, and the commands that take its
options — `nncli compare TASK`, `nncli lr-find TASK`, the `nncli approx` alias.

A task's command is made when it is asked for (click's lazy group), from its catalog
entry alone: the task's module, and NumPy with it, are imported only when it runs.
"""

from pathlib import Path

import click

from nncli.cli.controls import live_params
from nncli.cli.lazy import summarised
from nncli.cli.options import (
    ChannelCounts,
    FeatureList,
    FiniteFloat,
    Interval,
    LayerSizes,
    choosing_threads,
)
from nncli.settings import SETTINGS
from nncli.tasks.catalog import TASKS

# The options of every training command that say how a run is shown and saved, not how it learns.
RUN_SETTINGS = ("save", "no_save", "force", "as_json", "quiet", "threads")


def option_type(setting):
    """The click type that reads `setting` from the command line, with its range."""
    if setting.kind == "int":
        low = setting.low if setting.command_low is None else setting.command_low
        return click.IntRange(low, setting.high)
    if setting.kind == "number":
        return FiniteFloat(setting.low, setting.high, setting.low_open, setting.high_open)
    if setting.kind == "choice":
        return click.Choice(setting.offered or setting.choices)
    kinds = {"text": click.STRING, "file": click.Path(dir_okay=False), "folder": click.Path(file_okay=False)}
    kinds |= {"sizes": LayerSizes(), "channels": ChannelCounts(), "features": FeatureList(), "interval": Interval()}
    return kinds[setting.kind]


def setting_param(setting, default):
    """The click option of `setting`, starting at `default`."""
    if setting.kind == "flag":
        return click.Option([setting.option], is_flag=True, default=bool(default), help=setting.help)
    shown = default if setting.kind not in ("sizes", "channels") else _listed(default)
    return click.Option(
        [setting.option, setting.name],
        type=option_type(setting),
        default=shown,
        required=setting.required,
        metavar=setting.metavar or None,
        show_default=(True if default not in (None, ()) else setting.shown_default or False),
        help=setting.help,
    )


def _listed(sizes):
    """Layer sizes as --hidden takes them: (128, 64) → "128,64", none → "0"."""
    return ",".join(map(str, sizes)) if sizes else "0"


def run_params():
    """How a run is shown and saved: the options every training command adds to its settings."""
    return [
        click.Option(
            ["--save", "save"],
            type=click.Path(dir_okay=False),
            default=None,
            help="Where to save the model  [default: the model store].",
        ),
        click.Option(["--no-save"], is_flag=True, help="Don't save the model."),
        click.Option(
            ["--force"], is_flag=True, help="Save even a run that learned nothing over a better model of that name."
        ),
        click.Option(["--json", "as_json"], is_flag=True, help="Write JSON Lines events to stdout."),
        click.Option(["--quiet", "-q"], is_flag=True, help="Show only the result."),
        click.Option(
            ["--threads"],
            type=click.IntRange(min=1, max=1024),
            default=None,
            help="BLAS threads for the matrix products  [default: 1 for small networks, every core for "
            "big ones; OPENBLAS_NUM_THREADS or OMP_NUM_THREADS, if set, decide].",
        ),
    ]


def entry_settings(entry):
    """The settings `entry`'s command takes, each as that task narrows it."""
    return [SETTINGS[name].narrowed(**entry.narrowed.get(name, {})) for name in entry.settings]


def task_params(entry):
    """The parameters of `nncli train NAME` but its extra pictures' flags: the task's
    settings, how a run is shown and saved, and the live panel's."""
    params = []
    for setting in entry_settings(entry):
        default = entry.defaults.get(setting.name, setting.default)
        if setting.name == entry.argument:
            params.append(click.Argument([setting.name], required=False, metavar=f"[{entry.argument_name}]"))
        else:
            params.append(setting_param(setting, default))
    return params + run_params() + live_params()


def show_params(name):
    """A flag for each extra picture task `name` offers at the end of a run (approx's --neurons)."""
    return [
        click.Option([f"--{view}", f"show_{view}"], is_flag=True, help=text) for view, text in TASKS[name].shows.items()
    ]


def task_command(name, run, leave_out=(), extra_params=(), help=None, short_help=None, command_name=None):
    """The command of task `name` that hands its options to `run(name, options)`, its BLAS
    threads chosen as training chooses them: `nncli train NAME`, or (less `leave_out`,
    plus `extra_params`) what compare and lr-find are made of."""
    entry = TASKS[name]

    def callback(**options):
        run(name, options)

    return click.Command(
        command_name or name,
        callback=choosing_threads(callback, entry.ends),
        params=[p for p in task_params(entry) if p.name not in leave_out] + list(extra_params),
        help=help or entry.help,
        short_help=short_help,
    )


class TaskGroup(click.Group):
    """One command per task of the catalog, each made by `make(name)` when it is asked for.
    Called alone, it names the tasks in one line rather than showing the whole help."""

    def __init__(self, *args, make, **kwargs):
        super().__init__(*args, **kwargs)
        self.make = make

    def list_commands(self, ctx):
        return sorted(TASKS)

    def get_command(self, ctx, name):
        if name not in TASKS:
            return None
        if name not in self.commands:
            self.commands[name] = summarised(self.make(name), self.list_commands(ctx))
        return self.commands[name]

    def parse_args(self, ctx, args):
        if not args:
            tasks = ", ".join(self.list_commands(ctx))
            click.echo(f"nncli: name a task: {tasks} ({ctx.command_path} --help says what each does)", err=True)
            ctx.exit(2)
        return super().parse_args(ctx, args)


def run_config(task, options, ctx=None):
    """The RunConfig of a task command's options (what is left once the command's own flags
    — saving, output — are taken out): the settings the task fixes without an option
    (linreg's lone neuron) added, paths made whole, and what the task settles from the
    others (`Task.settle`, told which settings the command line gave)."""
    from nncli.config import RunConfig
    from nncli.errors import OptionError

    entry = TASKS[task.name]
    values = {name: value for name, value in entry.defaults.items() if name not in entry.settings}
    values.update(options)
    for name, value in values.items():
        if value is not None and SETTINGS[name].kind in ("file", "folder"):
            path = Path(value).expanduser()
            values[name] = str(
                path.absolute() if SETTINGS[name].kind == "folder" else path
            )  # evaluate may run elsewhere
    ctx = ctx or click.get_current_context(silent=True)
    typed = click.core.ParameterSource.COMMANDLINE
    given = {name for name in values if ctx is not None and ctx.get_parameter_source(name) == typed}
    try:
        values = task.settle(values, given)
    except OptionError as error:  # a usage error, shown in full with where to read more
        raise click.UsageError(str(error)) from None
    if values.get("engine") == "scalar":
        values["dtype"] = "float64"  # the scalar engine computes in Python floats
    return RunConfig.from_dict(values)
