"""`nncli train TASK`: train a network, watch it learn, save it. Each task's command is made
from its catalog entry (nncli.tasks.catalog) when it is asked for; `nncli approx` is
`nncli train approx` by its own name."""

import click

from nncli.cli.task_commands import TaskGroup, show_params, task_command


def run_training(task_name, options):
    from pathlib import Path

    from nncli import store
    from nncli.cli.controls import watched_views
    from nncli.cli.options import check_deep_options
    from nncli.cli.output import Live, end_if_interrupted, say_health, show_result, training_sink
    from nncli.cli.task_commands import run_config
    from nncli.session.runner import train_task
    from nncli.tasks import get_task
    from nncli.text import inert

    as_json, quiet = options.pop("as_json"), options.pop("quiet")
    save, no_save, force = options.pop("save"), options.pop("no_save"), options.pop("force")
    watch, pace, serve = options.pop("watch"), options.pop("pace"), options.pop("serve")
    shown = [name.removeprefix("show_") for name in list(options) if name.startswith("show_") and options.pop(name)]
    if no_save and save:
        raise click.UsageError("--save and --no-save contradict each other: choose one")
    for warning in check_deep_options(options):
        click.echo(f"nncli: {warning}", err=True)
    task = get_task(task_name)
    views = watched_views(task, watch)
    if options.get("download"):
        from nncli.data.mnist_download import fetch
        from nncli.tasks.mnist import store_folder

        say = (lambda name, url: None) if quiet else (lambda name, url: click.echo(f"downloading {url}", err=True))
        folder = Path(options["data_dir"]).expanduser() if options["data_dir"] else store_folder()
        options["data_dir"] = str(fetch(folder, on_download=say))
    config = run_config(task, options)
    built = config.method == "construct"  # set by hand: no training to watch
    save_path = None if no_save else (save or store.default_model_path(task_name))
    live = Live(task, config, views, pace, serve)
    with training_sink(as_json, quiet or built, task.heading(config), live) as (emit, watching):
        outcome = train_task(task, config, save_path, emit, force, watch=watching)  # diverged: a "diverged" event
    for note in outcome.dataset.notes:  # they may name a file's columns: shown inert
        click.echo(f"nncli: {inert(note, 1000)}", err=True)
    if not as_json:
        show_result(outcome, config, task.result + tuple(task.views[name] for name in shown))
        say_health(outcome.summary)
    if built and not quiet and not as_json:
        model = outcome.summary["model"]
        where = f"model saved to {inert(model, 4096)}" if model else "model not saved"
        click.echo(f"built by hand in {outcome.summary['elapsed_s']:.2f} s (no training) · {where}", err=True)
    end_if_interrupted(outcome)


def training_command(name):
    return task_command(name, run_training, extra_params=show_params(name))


@click.group(cls=TaskGroup, make=training_command)
def train():
    """Train a network on a task and save it to the model store."""


approx = training_command("approx")  # `nncli approx FUNC`, the way the lessons and docs say it
