"""Which lessons this user has finished: a small JSON file in the model store.

    {"format": "nncli-lessons", "version": 1, "finished": [1, 2, 6]}

A damaged file (not JSON, another shape, numbers out of range) is ignored with a warning
— progress is a convenience, never a reason to fail — and kept aside as
`lessons.json.damaged` when a new one is written, so nothing the user had is lost.
"""

import json

from nncli import store
from nncli.errors import NncliError

FILE_NAME = "lessons.json"
FORMAT, VERSION = "nncli-lessons", 1
MAX_BYTES = 65_536  # nine lesson numbers take a few dozen


def path():
    return store.model_home() / FILE_NAME


def load(count, warn):
    """The set of finished lesson numbers (1 … count); `warn(message)` hears of damage."""
    file = path()
    try:
        text = _read(file)
    except FileNotFoundError:
        return set()
    except (OSError, UnicodeDecodeError) as error:
        warn(f"cannot read the lesson progress in {file} ({_reason(error)}); starting afresh")
        return set()
    try:
        return _parse(text, count)
    except ValueError as error:
        warn(f"ignoring the damaged lesson progress in {file} ({error}); starting afresh")
        return set()


def _read(file):
    """The file's text: never blocking on a FIFO nor reading a device, at most MAX_BYTES."""
    return store.read_small_file(file, MAX_BYTES).decode("utf-8")


def _parse(text, count):
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise ValueError("not JSON") from None
    except RecursionError:  # "[[[[…" ten thousand deep: damage, like any other
        raise ValueError("nested too deep") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        raise ValueError(f"not a {FORMAT} file of version {VERSION}")
    finished = data.get("finished")
    if not isinstance(finished, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= count for n in finished
    ):
        raise ValueError(f"'finished' must list lesson numbers from 1 to {count}")
    return set(finished)


def mark_finished(number, count, warn):
    """Record lesson `number` as finished (best effort: a store that cannot be written
    only costs the mark, with a warning)."""
    file = path()
    finished = load(count, lambda message: None) | {number}
    text = json.dumps({"format": FORMAT, "version": VERSION, "finished": sorted(finished)}) + "\n"
    try:
        if file.exists() and not _readable(file, count):
            file.replace(file.with_name(FILE_NAME + ".damaged"))
        file.parent.mkdir(parents=True, exist_ok=True)
        store.write_atomically(file, lambda f: f.write(text.encode("utf-8")), "record the finished lesson")
    except OSError as error:
        warn(f"cannot record the finished lesson in {file} ({_reason(error)})")
    except NncliError as error:  # the store's writer says what went wrong in its own words
        warn(str(error))


def _readable(file, count):
    try:
        _parse(_read(file), count)
        return True
    except (OSError, UnicodeDecodeError, ValueError):
        return False


def _reason(error):
    return getattr(error, "strerror", None) or str(error)
