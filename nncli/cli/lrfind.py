"""`nncli lr-find TASK`: the learning-rate finder.

Each task's command takes the same task options as `nncli train TASK` (the network, the
optimizer, the batches, the data), minus what lr-find decides itself or never does —
the learning rate, the epochs, saving — plus the range of rates to sweep.
"""

import click

from nncli.cli.options import PositiveFloat
from nncli.cli.train import fixed_options, like_train, run_config, train

# train's options that make no sense here: lr-find sets the rate, runs its own steps,
# never stops early and never saves.
NOT_HERE = (
    "epochs",
    "lr",
    "patience",
    "log_every",
    "save",
    "no_save",
    "force",
    "download",
    "as_json",
    "quiet",
    "watch",
    "pace",
)
MAX_STEPS = 10_000


def sweep_options():
    """The options of the sweep itself (fresh objects for every command)."""
    return [
        click.Option(
            ["--start-lr"], type=PositiveFloat(), default=1e-6, show_default=True, help="The first learning rate."
        ),
        click.Option(
            ["--end-lr"], type=PositiveFloat(), default=10.0, show_default=True, help="The last learning rate."
        ),
        click.Option(
            ["--steps"],
            type=click.IntRange(min=3, max=MAX_STEPS),
            default=100,
            show_default=True,
            help="Mini-batch steps from the first rate to the last, each rate a fixed factor larger.",
        ),
        click.Option(["--json", "as_json"], is_flag=True, help="Write the points and the suggestion as JSON Lines."),
    ]


@click.group("lr-find", short_help="Find a good learning rate for a task.")
def lr_find():
    """Find a learning rate: train a task's network from its starting weights for about a
    hundred mini-batch steps while the learning rate grows exponentially (1e-6 to 10),
    stop when the loss blows up, and draw the loss against the rate.

    The suggestion is the rate where the smoothed loss falls fastest (the steepest
    descent of the curve, before its lowest point): learning is quickest there, and it is
    well short of the rates where steps overshoot. Nothing is saved.

    \b
    Example:
      nncli lr-find digits --batch-size 64
    """


def run_lr_find(task_name, options):
    from nncli.cli.output import emit_json, show
    from nncli.render.lrfind import lr_find_view
    from nncli.session.lrfind import find_lr
    from nncli.tasks import get_task

    task = get_task(task_name)
    as_json = options.pop("as_json")
    start_lr, end_lr, steps = options.pop("start_lr"), options.pop("end_lr"), options.pop("steps")
    if not start_lr < end_lr:
        raise click.BadParameter(f"{start_lr:g} is not below --end-lr {end_lr:g}", param_hint="'--start-lr'")
    config = run_config(task, fixed_options(task_name, options))
    finding = find_lr(task, config, start_lr, end_lr, steps, emit=emit_json if as_json else None)
    if as_json:
        emit_json({"event": "lr_find", "task": task_name, **finding.as_dict()})
    else:
        show(lr_find_view(finding, task_name))


# Registered last: the commands call functions defined above.
for _name in train.commands:
    lr_find.add_command(
        like_train(
            _name,
            run_lr_find,
            NOT_HERE,
            sweep_options(),
            f"The learning-rate finder on {_name}, with the options of `nncli train {_name}`.",
            f"The learning-rate finder on {_name}.",
        )
    )
