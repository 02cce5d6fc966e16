"""Frames shown whole: Rich's Live display, each of its frames sent as one synchronized update.

A terminal draws what it receives as it arrives, so a large frame can show for a moment
half old and half new (tearing). Terminals that know synchronized output (DEC private
mode 2026: kitty, WezTerm, iTerm2, foot, Windows Terminal, recent xterm …) hold the screen
from `BEGIN` to `END` and then show the frame at once; the others ignore a private mode
they do not know. Every full-screen picture nncli redraws — the lesson player, the live
panel, play, draw, compare and descend — goes through SynchronizedLive, on a terminal
only: a pipe or a file never gets the marks.
"""

from rich.live import Live
from rich.segment import Segment

BEGIN, END = "\x1b[?2026h", "\x1b[?2026l"


class Mark:
    """A control sequence Rich has no name for, written as it is (it takes no cells)."""

    def __init__(self, sequence):
        self.segment = Segment(sequence, None, [])


class SynchronizedLive(Live):
    """Rich's Live, each refresh written as one update between BEGIN and END on a terminal."""

    def refresh(self):
        console = self.console
        if not console.is_terminal or console.is_dumb_terminal or console.legacy_windows:
            super().refresh()  # a file, a dumb terminal, the old Windows console: no marks
            return
        with console:  # one write: the marks and the frame between them
            console.control(Mark(BEGIN))
            super().refresh()
            console.control(Mark(END))
