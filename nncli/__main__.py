"""`python -m nncli`, and the `nncli` command: the command line.

A signal that comes while Python is still importing nncli must not be lost. With Python's
own handler, a Ctrl-C that lands inside the import machinery can be swallowed ("Exception
ignored in …") and the command would run on as if no key had been pressed. So, before
anything else is imported, each interrupting signal is only remembered; once the command
line is imported (which handles signals itself from its first line), a remembered signal
ends nncli at once with its exit code (130 for Ctrl-C), before any work.
"""

import os
import signal

_remembered = []


def _remember(signum, frame):
    _remembered.append(signum)


_previous = {}
try:
    for _name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, _name):
            _previous[getattr(signal, _name)] = signal.signal(getattr(signal, _name), _remember)
except ValueError:  # imported outside the main thread: signals are not ours to handle
    pass


def run():
    """Run the command line (the `nncli` command's entry point)."""
    try:
        from nncli.cli import main

        for signum, handler in _previous.items():  # Python's own again, until the command takes over
            signal.signal(signum, handler)
        if _remembered:
            os._exit(128 + _remembered[0])  # nothing done yet: nothing to save or restore
        main()
    except KeyboardInterrupt:  # Ctrl-C before nncli.cli's own handlers were in place: end quietly
        raise SystemExit(130) from None


if __name__ == "__main__":
    run()
