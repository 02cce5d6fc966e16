"""Keys and the mouse, read from the terminal: one interface on every platform.

`open_input(stream)` gives a reader for the terminal `stream` (stdin) — the POSIX reader
(termios) or the Windows console reader (msvcrt), chosen by platform — or None where
neither can work (a pipe, a file, a platform with neither): the caller then takes its
non-interactive path. Inside it each key arrives at once and is not echoed; leaving it —
normally, on an error, on Ctrl-C — puts the terminal back exactly as it was.

Both readers hand over what was typed as the text an xterm sends (an arrow is "ESC [ A"),
so one parser names it: `events(text)` turns it into key names ("space", "up", "pageup", "q",
"unknown" for a sequence it has no name for, …) and
Mouse events, which an xterm reports in its SGR form (mode 1006) once `mouse=True` asked
for them: "ESC [ < button ; column ; row M" for a press or a drag, "… m" for a release.
"""

import contextlib
import dataclasses
import os
import re
import sys
import time

KEY_NAMES = {
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
    "\x08": "backspace",  # what the Windows console sends for it
}
ESCAPES = sorted((s for s in KEY_NAMES if len(s) > 1), key=len, reverse=True)
OTHER_ESCAPE = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|O.)")  # CSI … final byte, or SS3 and one character
MOUSE_REPORT = re.compile(r"\x1b\[<(\d+);(\d+);(\d+)([Mm])")
UNFINISHED = re.compile(r"\x1b(\[(<[\d;]*)?)?\Z")  # the start of a sequence cut off at the end of a read
MOUSE_ON = "\x1b[?1002h\x1b[?1006h"  # report presses, releases and drags with a button down; SGR form
MOUSE_OFF = "\x1b[?1006l\x1b[?1002l"
BUTTONS = {0: "left", 1: "middle", 2: "right"}
WHEEL = {64: "up", 65: "down"}


@dataclasses.dataclass(frozen=True)
class Mouse:
    """One mouse report: `kind` "press", "release", "drag" (moved with a button down) or
    "scroll"; `button` "left", "middle" or "right" ("up" or "down" for a scroll; None when
    the terminal did not say); `column` and `row` the cell, counted from 0 at the top left."""

    kind: str
    button: str | None
    column: int
    row: int


def mouse_event(code, column, row, final):
    """The Mouse event of an SGR report `ESC [ < code ; column ; row final` (1-based cells;
    the code's bits: 0-1 the button, 32 moved, 64 the wheel; 4, 8, 16 the modifiers)."""
    code &= ~(4 | 8 | 16)
    cell = max(column - 1, 0), max(row - 1, 0)
    if code & 64:
        return Mouse("scroll", WHEEL.get(code & ~32), *cell)
    button = BUTTONS.get(code & 3)
    if final == "m":
        return Mouse("release", button, *cell)
    return Mouse("drag" if code & 32 else "press", button, *cell)


def events(text):
    """What `text` (as a terminal sent it) means, in order: key names (an escape sequence
    is one key; any other character names itself) and Mouse events."""
    found = []
    while text:
        report = MOUSE_REPORT.match(text)
        if report:
            code, column, row, final = report.groups()
            found.append(mouse_event(int(code), int(column), int(row), final))
            text = text[report.end() :]
            continue
        key = next((s for s in ESCAPES if text.startswith(s)), None)
        other = OTHER_ESCAPE.match(text) if key is None else None
        key = other.group() if other else key or text[0]
        # a sequence no screen takes (F5, a shifted arrow) is one key: its letters are not keys
        found.append("unknown" if other else KEY_NAMES.get(key, key))
        text = text[len(key) :]
    return found


class Reader:
    """What both platforms' readers share: `pressed(timeout)` is the text typed so far, as
    an xterm sends it ("" if nothing came within `timeout` seconds; None waits for a key;
    "" after a wait for one means the terminal went away); `events(timeout)` names it."""

    def events(self, timeout=0.0):
        return events(self.pressed(timeout))

    def pressed(self, timeout=0.0):
        text = self.read_some(timeout)
        while text and UNFINISHED.search(text):  # an escape sequence split between reads
            more = self.read_some(0.05)
            if not more:
                break
            text += more
        return text


class PosixReader(Reader):
    """The terminal `fd` in cbreak mode (keys at once, no echo; Ctrl-C still interrupts)."""

    def __init__(self, fd, termios, tty):
        self.fd, self.termios = fd, termios
        self.saved = termios.tcgetattr(fd)
        tty.setcbreak(fd, termios.TCSANOW)  # cbreak also turns echo off

    def restore(self):
        try:
            self.termios.tcsetattr(self.fd, self.termios.TCSADRAIN, self.saved)
        except self.termios.error:  # the terminal is gone: nothing left to restore
            pass

    def read_some(self, timeout):
        import select

        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return ""
        try:
            data = os.read(self.fd, 1024)
        except OSError:  # EIO: the terminal is gone
            data = b""
        if not data:
            hang_up()
        return data.decode("utf-8", errors="ignore")


def hang_up():
    """A terminal that closed under us is a hang-up, whether or not SIGHUP reached us (it
    does not when the terminal was not our controlling one): end as SIGHUP ends a command —
    what was learned saved, exit 129 — rather than read nothing forever."""
    import signal

    os.kill(os.getpid(), signal.SIGHUP)
    raise EOFError("the terminal has gone")  # only if SIGHUP was ignored


class WindowsReader(Reader):
    """The Windows console, read with msvcrt. The console sends an arrow or another special
    key as a prefix ("\\x00" or "\\xe0") and a scan code; they are turned into the xterm's
    sequences. With the mouse on, the console is asked for xterm-style input (virtual
    terminal input), and its mode is put back on the way out."""

    SPECIAL = {
        "H": "\x1b[A",
        "P": "\x1b[B",
        "M": "\x1b[C",
        "K": "\x1b[D",
        "I": "\x1b[5~",
        "Q": "\x1b[6~",
        "G": "\x1b[H",
        "O": "\x1b[F",
    }
    POLL_S = 0.01

    def __init__(self, msvcrt, mouse):
        self.msvcrt, self.console = msvcrt, None
        if mouse:
            self.console = windows_console_input()

    def restore(self):
        if self.console is not None:
            self.console.restore()

    def read_some(self, timeout):
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.msvcrt.kbhit():
            if deadline is not None and time.monotonic() >= deadline:
                return ""
            time.sleep(self.POLL_S)
        text = ""
        while self.msvcrt.kbhit():
            key = self.msvcrt.getwch()
            if key == "\x03":  # Ctrl-C, read as a key while the console is raw
                raise KeyboardInterrupt
            if key in ("\x00", "\xe0"):
                text += self.SPECIAL.get(self.msvcrt.getwch(), "")
            else:
                text += key
        return text


class WindowsConsoleInput:
    """The Windows console's input mode switched to xterm-style input (mouse reports
    included), until `restore()`."""

    VIRTUAL_TERMINAL_INPUT, EXTENDED_FLAGS, QUICK_EDIT = 0x0200, 0x0080, 0x0040

    def __init__(self, kernel32, handle, saved):
        self.kernel32, self.handle, self.saved = kernel32, handle, saved
        mode = (saved | self.VIRTUAL_TERMINAL_INPUT | self.EXTENDED_FLAGS) & ~self.QUICK_EDIT
        if not kernel32.SetConsoleMode(handle, mode):
            raise OSError("the console refused virtual terminal input")

    def restore(self):
        self.kernel32.SetConsoleMode(self.handle, self.saved)


def windows_console_input():
    """The console's input switched to xterm-style input, or None where it cannot be (an
    old console): then keys still work and the mouse does not."""
    try:
        import ctypes
        from ctypes import wintypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.GetStdHandle(-10)  # STD_INPUT_HANDLE
        saved = wintypes.DWORD()
        if not kernel32.GetConsoleMode(handle, ctypes.byref(saved)):
            return None
        return WindowsConsoleInput(kernel32, handle, saved.value)
    except (ImportError, AttributeError, OSError):
        return None


def platform_reader(stream, mouse):
    """The reader for this platform on the terminal `stream`, or None where none works."""
    try:
        import msvcrt

        return WindowsReader(msvcrt, mouse)
    except ImportError:
        pass
    try:
        import termios
        import tty
    except ImportError:
        return None
    try:
        return PosixReader(stream.fileno(), termios, tty)
    except (termios.error, OSError, ValueError):  # not a terminal after all
        return None


@contextlib.contextmanager
def open_input(stream=None, out=None, mouse=False):
    """A reader of the keys (and, with `mouse`, the mouse) of the terminal `stream` (stdin),
    or None if `stream` is not a terminal or this platform cannot read one. The terminal's
    settings come back however the block ends. Mouse reports are asked for by writing to
    `out` (stdout), and turned off again on the way out."""
    stream = sys.stdin if stream is None else stream
    out = sys.stdout if out is None else out
    if stream is None or not stream.isatty():
        yield None
        return
    reader = platform_reader(stream, mouse)
    if reader is None:
        yield None
        return
    try:
        if mouse:
            out.write(MOUSE_ON)
            out.flush()
        yield reader
    finally:
        try:
            if mouse:
                out.write(MOUSE_OFF)
                out.flush()
        except (OSError, ValueError):  # the terminal is gone (or its stream closed)
            pass
        finally:
            reader.restore()
