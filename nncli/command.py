"""The command that made a model, written out in full so anyone can run it again.

A model file stores its run's settings (meta["config"]); `command_line` turns them back into
the `nncli` command that reproduces the run — every setting spelled out, defaults included,
so the line means the same thing even after a later nncli changes a default:

    nncli train xor --epochs 2000 --lr 3 --batch-size 4 --hidden 4 --activation sigmoid ... --seed 0

Run on the same nncli version, that line trains the same network to the same final loss.
Plain Python (no NumPy, no click), so any layer may use it.
"""

import shlex

# Settings that are not flags of their command: approx's function is its argument (or
# --expr), and linreg's network is fixed by the command itself.
APPROX_TARGET = ("target", "formula")
FIXED = {"linreg": ("hidden", "activation")}
# --download fetched the files now named by --data-dir: running again needs no download.
NOT_REPEATED = ("download",)
# `nncli approx --method construct` refuses these flags: nothing is trained.
TRAINING_ONLY = ("epochs", "lr", "batch_size", "optimizer", "weight_decay", "init", "engine", "log_every")


def command_line(task, settings):
    """The `nncli` command line that makes a `task` model with `settings` (a model file's
    meta["config"]), each value quoted for a POSIX shell."""
    if task == "approx":
        words = ["nncli", "approx"]
        if settings.get("target"):
            words.append(settings["target"])
        else:
            words += ["--expr", settings["formula"]]
        skipped = APPROX_TARGET + (TRAINING_ONLY if settings.get("method") == "construct" else ())
    else:
        words = ["nncli", "train", task]
        skipped = FIXED.get(task, ())
    for name, value in settings.items():
        if name in skipped or name in NOT_REPEATED or value is None or value is False:
            continue
        flag = "--" + name.replace("_", "-")
        words += [flag] if value is True else [flag, _text(value)]
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
