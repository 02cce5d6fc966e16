"""When stdout goes away: a closed, full or broken output stream ends nncli quietly.

A reader that stops reading (`nncli train xor --json | head -1`) or a stream that cannot
take more (`> /dev/full`) must not cost the user the model being trained: the first
failed write marks stdout as lost, everything written after it is dropped, the command
finishes its work (and saves), and only then does nncli exit — 141 for a broken pipe (as
a process killed by SIGPIPE would), 1 for any other failed write.

And a stream whose encoding cannot hold a character (a Windows pipe in cp1252, LANG=C)
gets an ASCII stand-in for it instead of an error.
"""

import errno
import os
import sys

BROKEN_PIPE_EXIT = 141  # 128 + SIGPIPE, what a shell reports for `yes | head -1`

lost = None  # the OSError that ended stdout, if one did


def write_out(text):
    """Write `text` to stdout and flush it; once stdout is lost, drop it."""
    if lost is not None:
        return
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as error:
        lose_stdout(error)


def write_out_bytes(data):
    """Write `data` (a file's bytes: `export … -`) to stdout as they are; once stdout is
    lost, drop them."""
    if lost is not None:
        return
    try:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except OSError as error:
        lose_stdout(error)


def is_output_error(error):
    """True if `error` is what writing to a closed, full or broken stream raises."""
    return isinstance(error, BrokenPipeError) or (
        getattr(error, "filename", None) is None and error.errno in (errno.ENOSPC, errno.EIO, errno.EBADF, errno.EPIPE)
    )


def lose_stdout(error):
    """Remember that stdout failed, and point it at /dev/null so that nothing — not even
    the interpreter's last flush at exit — writes to it again."""
    global lost
    lost = lost or error
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test's capture): nothing to silence
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, fd)
    os.close(null)


def exit_code():
    """The exit code a lost stdout calls for (None if stdout is fine)."""
    if lost is None:
        return None
    return BROKEN_PIPE_EXIT if isinstance(lost, BrokenPipeError) or lost.errno == errno.EPIPE else 1


def open_missing_streams():
    """Give a closed stdin, stdout or stderr (`<&-`, `>&-`) /dev/null instead.

    Otherwise the next file nncli opens would get descriptor 0, 1 or 2, and a stray print
    could land in the middle of a model file. A closed stdin reads as empty; a closed
    stdout or stderr takes whatever is written and keeps none of it.
    """
    for fd, name, mode in ((0, "stdin", os.O_RDONLY), (1, "stdout", os.O_WRONLY), (2, "stderr", os.O_WRONLY)):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, mode)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
            if getattr(sys, name) is None:
                setattr(sys, name, open(fd, "r" if fd == 0 else "w", closefd=False))


def write_any_encoding():
    """Let stdout and stderr write what their encoding cannot hold (σ, ₁, ▓, braille on a
    cp1252 or ASCII stream: a Windows pipe or file, LANG=C) as ASCII stand-ins — sigma, 1,
    #, .: — rather than fail (see nncli.text.ascii_equivalent). An error handler other than
    Python's defaults (PYTHONIOENCODING=…:replace) is kept."""
    from nncli.text import ascii_fallback

    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) in ("strict", "backslashreplace") and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors=ascii_fallback())
