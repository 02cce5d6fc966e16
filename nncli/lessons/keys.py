"""Single key presses from a terminal, for the lessons' pager.

The terminal is put in cbreak mode (keys arrive one by one, unechoed; Ctrl-C still
interrupts) for the length of a `with KeyReader():` block and always restored after it.
Keys come back as names: "space", "left", "right", "up", "down", "enter", or the
character itself ("q", "+", "a").
"""

import os
import select
import sys
import termios
import tty

SEQUENCES = {
    b" ": "space",
    b"\r": "enter",
    b"\n": "enter",
    b"\x1b[A": "up",
    b"\x1b[B": "down",
    b"\x1b[C": "right",
    b"\x1b[D": "left",
    b"\x1bOA": "up",
    b"\x1bOB": "down",
    b"\x1bOC": "right",
    b"\x1bOD": "left",
    b"\x7f": "backspace",
}


class KeyReader:
    def __init__(self, stream=None):
        self.fd = (stream or sys.stdin).fileno()
        self.saved = None

    def __enter__(self):
        self.saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd)
        return self

    def __exit__(self, *exc_info):
        termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)

    def read(self, timeout=None):
        """The next key's name, or None if none came within `timeout` seconds."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return None
        data = os.read(self.fd, 1)
        if data == b"\x1b":  # an escape sequence arrives in one burst; a lone Esc does not
            while select.select([self.fd], [], [], 0.02)[0]:
                data += os.read(self.fd, 1)
                if len(data) >= 3 and data[-1:].isalpha():
                    break
        if not data:
            return "eof"
        return SEQUENCES.get(data, data.decode("utf-8", "replace"))
