"""The keys of a lesson, by name: "space", "left", "right", "up", "down", "pageup",
"pagedown", "home", "end", "enter", or the character itself ("q", "+", "a"). Any other
escape sequence the terminal sends (a function key, say) is one key named "unknown", so
its letters are never taken for keys a screen does take.

The terminal itself — cbreak mode for as long as a lesson runs, restored after it, even
on an error or Ctrl-C — is the live panel's KeyReader (nncli.cli.controls); this only
names what it reads, one key at a time.
"""

import re

SEQUENCES = {
    " ": "space",
    "\r": "enter",
    "\n": "enter",
    "\x1b[A": "up",
    "\x1b[B": "down",
    "\x1b[C": "right",
    "\x1b[D": "left",
    "\x1bOA": "up",
    "\x1bOB": "down",
    "\x1bOC": "right",
    "\x1bOD": "left",
    "\x1b[5~": "pageup",
    "\x1b[6~": "pagedown",
    "\x1b[H": "home",
    "\x1b[F": "end",
    "\x1b[1~": "home",
    "\x1b[4~": "end",
    "\x7f": "backspace",
}
ESCAPES = sorted((s for s in SEQUENCES if len(s) > 1), key=len, reverse=True)
OTHER_ESCAPE = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|O.)")  # CSI … final byte, or SS3 and one character


def names(text):
    """The names of the keys in `text`, in order (an escape sequence is one key)."""
    keys = []
    while text:
        key = next((s for s in ESCAPES if text.startswith(s)), None)
        other = OTHER_ESCAPE.match(text) if key is None else None
        key = other.group() if other else key or text[0]
        keys.append("unknown" if other else SEQUENCES.get(key, key))
        text = text[len(key) :]
    return keys


class LessonKeys:
    """Named keys from a KeyReader, one at a time."""

    def __init__(self, reader):
        self.reader, self.waiting = reader, []

    def read(self, timeout=None):
        """The next key's name, waiting up to `timeout` seconds (None: until one comes);
        None if none came — and "eof" if the terminal went away while waiting for one."""
        if not self.waiting:
            self.waiting = names(self.reader.pressed(timeout))
        if self.waiting:
            return self.waiting.pop(0)
        return "eof" if timeout is None else None
