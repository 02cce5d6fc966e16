"""Frame times of the live panel, as a person at a terminal sees them: each command runs
under a pseudo-terminal, and every frame it draws (one panel, from its top border) is
timed as it arrives.

    python -m nncli.bench.live_frames [--size 100x30] [--load]

For each command: the time from training starting (the header line) to the first frame,
the median frames per second and the longest gap between frames while it trains (the last
frame, drawn when training ends, is left out of the gaps). `--load` runs each command a
second time with one CPU-bound process beside it. Prints figures; asserts nothing.
"""

import argparse
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import time

COMMANDS = (
    ("train xor --pace 100 --epochs 600", ["train", "xor", "--pace", "100", "--epochs", "600"]),
    ("train digits", ["train", "digits"]),
)
TOP_BORDER = "╭─".encode()
HEADER = b"parameters,"


def frame_times(args, columns, rows):
    """(seconds from the header to each frame's top border) of `nncli ARGS` on a
    pseudo-terminal of columns × rows."""
    import fcntl
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "TERM": "xterm-256color", "NNCLI_HOME": home}
        for name in ("COLUMNS", "LINES", "NO_COLOR"):
            env.pop(name, None)
        process = subprocess.Popen(
            [sys.executable, "-m", "nncli", *args, "--no-save"],
            stdin=follower,
            stdout=follower,
            stderr=follower,
            env=env,
        )
        os.close(follower)
        started, frames, tail = None, [], b""
        while True:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            now = time.perf_counter()
            seen = tail + chunk
            if started is None and HEADER in seen:
                started = now
            if started is not None:
                frames += [now - started] * seen.count(TOP_BORDER)
            tail = chunk[-8:].replace(TOP_BORDER, b"")  # a border split between two reads counts once
        process.wait()
        os.close(leader)
    return frames


def describe(frames):
    """First frame, median frames per second and longest gap of a run's frame times."""
    if len(frames) < 3:
        return f"{len(frames)} frames"
    gaps = [b - a for a, b in zip(frames, frames[1:-1])]
    return (
        f"first frame {frames[0]:.2f} s · {1 / statistics.median(gaps):.1f} frames/s (median) · "
        f"longest gap {max(gaps):.2f} s · {len(frames)} frames"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="100x30", help="the terminal's columns x lines")
    parser.add_argument("--load", action="store_true", help="also with one CPU-bound process beside it")
    options = parser.parse_args()
    columns, rows = (int(n) for n in options.size.split("x"))
    print(f"live panel frame times on a {columns}×{rows} pseudo-terminal ({os.cpu_count()} cores)")
    for loaded in (False, True) if options.load else (False,):
        burner = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if loaded else None
        try:
            for name, args in COMMANDS:
                where = "beside one CPU-bound process" if loaded else "quiet"
                print(f"  {name:<34} {where:<29} {describe(frame_times(args, columns, rows))}")
        finally:
            if burner is not None:
                burner.kill()
                burner.wait()


if __name__ == "__main__":
    main()
