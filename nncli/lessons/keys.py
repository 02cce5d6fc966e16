"""The keys of a lesson, by name: "space", "left", "right", "up", "down", "pageup",
"pagedown", "home", "end", "enter", or the character itself ("q", "+", "a"). Any other
escape sequence the terminal sends (a function key, say) is one key named "unknown", so
its letters are never taken for keys a screen does take.

The terminal itself — keys read at once for as long as a lesson runs, restored after it,
even on an error or Ctrl-C — is the reader of nncli.cli.terminal, which also names what it
reads; this hands the names over one key at a time.
"""


class LessonKeys:
    """Named keys from a terminal reader, one at a time (the mouse is ignored)."""

    def __init__(self, reader):
        self.reader, self.waiting = reader, []

    def read(self, timeout=None):
        """The next key's name, waiting up to `timeout` seconds (None: until one comes);
        None if none came — and "eof" if the terminal went away while waiting for one."""
        if not self.waiting:
            came = self.reader.events(timeout)
            if not came and timeout is None:
                return "eof"
            self.waiting = [event for event in came if isinstance(event, str)]
        return self.waiting.pop(0) if self.waiting else None
