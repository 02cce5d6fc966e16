"""The command that made a model, written out in full so anyone can run it again.

A model file stores its run's settings (meta["config"]); `command_line` turns them back into
the `nncli` command that reproduces the run — every setting spelled out, defaults included,
so the line means the same thing even after a later nncli changes a default:

    nncli train xor --epochs 2000 --lr 3 --batch-size 4 --hidden 4 --activation sigmoid ... --seed 0

Run on the same nncli version, that line trains the same network to the same final loss.
Each setting's flag comes from the settings table, and which settings a task's command
takes from its catalog entry: the others (linreg's fixed network) are the task's own.
Plain Python (no NumPy, no click), so any layer may use it.
"""

import shlex

from nncli.settings import SETTINGS, Setting
from nncli.tasks.catalog import TASKS, Entry


def command_line(task, settings):
    """The `nncli` command line that makes a `task` model with `settings` (a model file's
    meta["config"]), each value quoted for a POSIX shell."""
    entry = TASKS.get(task) or Entry(task, "", "", "", {}, tuple(settings))  # a task of another version
    words = ["nncli", *entry.words.split()]
    argument = settings.get(entry.argument) if entry.argument else None
    if argument is not None:
        words.append(argument)
    built = settings.get("method") == "construct"  # weights set by hand: no training settings
    for name, value in settings.items():
        setting = SETTINGS.get(name) or Setting(name, "text", "")
        left_out = (
            name not in entry.settings
            or name == entry.argument
            or (argument is not None and name in entry.implied_by_argument)
            or not setting.repeated
            or (built and setting.training_only)
        )
        if left_out or value is None or value is False:
            continue
        words += [setting.option] if value is True else [setting.option, _text(value)]
    return " ".join(shlex.quote(word) for word in words)


def recorded_command(meta):
    """The command a model file says made it (for a file saved before nncli recorded it,
    the one its settings describe), with anything unprintable shown as "?": it is text
    from a file, and may be shown on a terminal."""
    command = meta.get("command")
    if not isinstance(command, str) or not command:
        command = command_line(meta["task"], meta.get("config", {}))
    return "".join(character if character.isprintable() else "?" for character in command)


def _text(value):
    """A setting as its flag reads it: lists comma-separated ("128,64", "none" for no
    hidden layers), numbers exactly (repr round-trips every float), 3.0 as plain 3."""
    if isinstance(value, (list, tuple)):
        return ",".join(_text(v) for v in value) if value else "none"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return value if isinstance(value, str) else repr(value)
