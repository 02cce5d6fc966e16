"""The two streams: JSON Lines on stdout for scripts, Rich for people (progress on stderr,
results on stdout). Rich is imported only when something is drawn."""

import contextlib
import json
import math
import sys


def plain(value):
    """`value` made JSON-safe: NaN and infinities become null (a diverged run says so)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def emit_json(event):
    sys.stdout.write(json.dumps(plain(event), allow_nan=False) + "\n")
    sys.stdout.flush()


def stdout_console():
    from rich.console import Console

    return Console()


def show(*renderables):
    console = stdout_console()
    for renderable in renderables:
        console.print(renderable)


def show_result(outcome, config, views):
    """Draw the views named `views` (as "module.function" under nncli.views) of a finished
    run on stdout."""
    from nncli.render import draw
    from nncli.views import History, resolve

    result = outcome.result
    history = History(result.history, result.epochs_run, outcome.summary, layer_stats=result.layer_stats)
    console = stdout_console()
    for name in views:
        console.print(draw(resolve(name)(outcome.network, outcome.dataset, config, history), console.width))


@contextlib.contextmanager
def training_sink(as_json, quiet, title):
    """Where training events go: JSON Lines, a progress view on stderr, or nowhere."""
    if as_json:
        yield emit_json
    elif quiet:
        yield lambda event: None
    else:
        from nncli.render.progress import TrainingProgress

        with TrainingProgress(title) as view:
            yield view


def say_health(summary):
    """Tell a person, on stderr, that a finished run went wrong: that it learned nothing,
    the verdict on why, and where a model that was not saved would have gone."""
    lines = [summary[key] for key in ("failure", "verdict") if key in summary]
    if "not_saved" in summary:
        reason = summary["not_saved"]["reason"]
        lines.append(f"not saved: {reason}; --force replaces it, --save PATH keeps this run elsewhere")
    for line in lines:
        sys.stderr.write(f"nncli: {line}\n")
