"""Frame times of the live panel, as a person at a terminal sees them: each command runs
under a pseudo-terminal, and every frame it draws (one panel, from its top border) is
timed as it arrives.

    python -m nncli.bench.live_frames [--size 100x30] [--load]

For each command: the time from training starting (the header line) to the first frame,
the median frames per second and the longest gap between frames while it trains (the last
frame, drawn when training ends, is left out of the gaps). Then where a frame's time goes,
measured in this process for each task's default views: computing the views, drawing
them into their cells (Rich), and the panel drawn and written to the terminal (here
/dev/null), in median milliseconds, and the least processor time a frame took. `--load`
runs everything a second time with one CPU-bound process beside it. Prints figures;
asserts nothing.
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

COST_TASKS = ("xor", "spiral", "linreg", "digits")
COST_FRAMES = 30
COMMANDS = (
    ("train xor --pace 100 --epochs 600", ["train", "xor", "--pace", "100", "--epochs", "600"]),
    ("train digits", ["train", "digits"]),
)
ENVIRONMENT = dict(os.environ)  # what the commands run with (before this process sets its BLAS threads)
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
        env = {**ENVIRONMENT, "TERM": "xterm-256color", "NNCLI_HOME": home}
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


def frame_costs(task_name, columns, rows):
    """Median milliseconds of a frame of `task_name`'s default live views on a
    columns × rows terminal: (computing the views, drawing them into their cells, the
    panel drawn and written) — and the least processor time a whole frame took, which
    other work on the machine stretches less than it stretches the others."""
    from rich.console import Console

    from nncli.config import RunConfig
    from nncli.render import prepare as import_drawing
    from nncli.render.live import LivePanel
    from nncli.session.runner import prepare
    from nncli.tasks import get_task
    from nncli.tasks.catalog import defaults
    from nncli.views.live import Watch

    task = get_task(task_name)
    config = RunConfig.from_dict({**defaults(task_name), "epochs": 100})
    dataset, network = prepare(task, config)
    watch = Watch(task, tuple(task.watch), network, dataset, config)
    for view in watch.views.values():
        import_drawing(view)
    watch.log({"event": "epoch", "epoch": 1, "loss": 1.0})
    losses = {"loss": [1.0 / epoch for epoch in range(1, 51)]}
    with open(os.devnull, "w") as nowhere:
        console = Console(file=nowhere, force_terminal=True, width=columns, height=rows, color_system="256")
        panel = LivePanel(console, task.title, 100, keys=True)
        panel.start()
        phases, processor = [], []
        for _ in range(COST_FRAMES):
            started, processor_started = time.perf_counter(), time.process_time()
            panel.frame = watch.frame(50, losses, sizes=panel.resolutions())
            computed = time.perf_counter()
            drawing = panel.render()
            drawn = time.perf_counter()
            panel.live.update(drawing, refresh=True)
            phases.append((computed - started, drawn - computed, time.perf_counter() - drawn))
            processor.append(time.process_time() - processor_started)
        panel.stop()
    return [1000 * statistics.median(phase) for phase in zip(*phases)] + [1000 * min(processor)]


def describe_costs(costs):
    views, cells, panel, processor = costs
    return (
        f"{views + cells + panel:5.1f} ms a frame: views {views:4.1f} · cells {cells:4.1f} · "
        f"panel and write {panel:4.1f} · processor time {processor:4.1f} at least"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="100x30", help="the terminal's columns x lines")
    parser.add_argument("--load", action="store_true", help="also with one CPU-bound process beside it")
    options = parser.parse_args()
    from nncli.runtime import threads

    threads.setup(None, (), 1)  # one BLAS thread, as a training command gives these small networks
    columns, rows = (int(n) for n in options.size.split("x"))
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"live panel frame times on a {columns}×{rows} pseudo-terminal ({os.cpu_count()} cores, load average {load})")
    for loaded in (False, True) if options.load else (False,):
        burner = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if loaded else None
        try:
            for name, args in COMMANDS:
                where = "beside one CPU-bound process" if loaded else "quiet"
                print(f"  {name:<34} {where:<29} {describe(frame_times(args, columns, rows))}")
            for name in COST_TASKS:
                where = "beside one CPU-bound process" if loaded else "quiet"
                print(f"  {name + ' frame':<34} {where:<29} {describe_costs(frame_costs(name, columns, rows))}")
        finally:
            if burner is not None:
                burner.kill()
                burner.wait()


if __name__ == "__main__":
    main()
