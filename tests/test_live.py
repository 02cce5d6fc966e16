"""The live panel as a person sees it: the real command under a pseudo-terminal, its screen
read with the pyte terminal emulator, keys typed as a person would type them."""

import fcntl
import io
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest
from conftest import frames_whole

from nncli.cli.controls import Controls, parse_keys

pyte = pytest.importorskip("pyte")

COLUMNS, ROWS = 120, 60


class Terminal:
    """A command running on a pseudo-terminal of COLUMNS × ROWS, and its screen."""

    def __init__(self, *args, env=None, size=(COLUMNS, ROWS)):
        columns, rows = size
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.saved = termios.tcgetattr(slave)
        self.slave_name = os.ttyname(slave)
        environment = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(rows)}
        environment.pop("NO_COLOR", None)
        environment.update(env or {})
        environment = {name: value for name, value in environment.items() if value is not None}  # None: unset
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from nncli.cli import main; main()", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=environment,
        )
        self.slave = slave
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.output = b""
        self.shown = None  # the screen as text, kept until more output comes (pyte draws it cell by cell)

    def text(self):
        if self.shown is None:
            self.shown = "\n".join(line.rstrip() for line in self.screen.display)
        return self.shown

    def read(self, timeout=0.05):
        ready, _, _ = select.select([self.master], [], [], timeout)
        if ready:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # the command ended and closed its side
                return False
            self.output += data
            self.stream.feed(data)
            self.shown = None
        return True

    def wait_for(self, predicate, timeout=60):
        """Read until `predicate(screen text)` holds; the text then."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.read()
            text = self.text()
            if predicate(text):
                return text
            if self.process.poll() is not None and not self.read(0.2):
                break
        raise AssertionError(f"the screen never showed what was expected:\n{self.text()}")

    def press(self, key):
        os.write(self.master, key)

    def resize(self, columns, rows):
        """Resize the terminal as a window manager does: the new size, then SIGWINCH."""
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.screen.resize(rows, columns)
        self.shown = None
        self.process.send_signal(signal.SIGWINCH)

    def finish(self, timeout=60):
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            self.read()
        while self.read(0.1) and select.select([self.master], [], [], 0)[0]:
            pass
        code = self.process.wait(timeout=5)
        settings = termios.tcgetattr(self.slave)
        os.close(self.slave)
        os.close(self.master)
        return code, settings


def whole_frame(text):
    """Whether the screen holds a whole frame of the panel, keys line and all (not one
    caught halfway through being drawn)."""
    lines = text.splitlines()
    tops = [index for index, line in enumerate(lines) if line.startswith("╭")]
    bottoms = [index for index, line in enumerate(lines) if line.startswith("╰") and tops and index > tops[-1]]
    return bool(bottoms) and "pause" in lines[bottoms[0] - 1]  # the keys line, just above the bottom border


def epoch_on(text):
    """The epoch the panel's progress line shows."""
    for line in text.splitlines():
        if "epoch" in line and "/" in line:
            return int(line.split("epoch", 1)[1].split("/", 1)[0])
    return None


@pytest.mark.slow
def test_live_xor_panel_shows_the_loss_the_boundary_and_the_neurons(tmp_path):
    term = Terminal("train", "xor", "--epochs", "300", "--pace", "1000", "--save", str(tmp_path / "x.npz"))
    shown = ("Loss per epoch", "Decision boundary", "Hidden neurons", "space pause · n step · q stop")
    term.wait_for(lambda t: all(part in t for part in shown))  # all of it on screen while it trains
    code, settings = term.finish()
    assert code == 0
    final = term.text()
    assert "epoch 300/300" in final and "done" in final
    assert "neuron 4" in final and "σ(" in final  # the tiles and each neuron's formula
    assert settings == term.saved  # the terminal's echo and line mode came back
    assert b"\x1b[?25h" in term.output  # and so did the cursor
    assert frames_whole(term.output) >= 2 and b"Decision boundary" in term.output.split(b"\x1b[?2026h")[-1]


@pytest.mark.slow
def test_on_80_by_24_the_panel_fits_and_uses_the_width():
    term = Terminal("train", "xor", "--epochs", "300", "--pace", "1000", "--no-save", size=(80, 24))
    text = term.wait_for(lambda t: "Decision boundary" in t and "space pause" in t and "╰" in t)
    panel = [line for line in text.splitlines() if line.startswith(("│", "╭", "╰"))]
    assert all(len(line) == 80 for line in panel)  # the whole width, every line
    assert term.finish()[0] == 0


def test_q_stops_early_and_saves_what_was_learned(tmp_path):
    model = tmp_path / "x.npz"
    term = Terminal("train", "xor", "--epochs", "5000", "--pace", "200", "--save", str(model))
    term.wait_for(lambda t: (epoch_on(t) or 0) >= 10)
    term.press(b"q")
    code, settings = term.finish()
    text = term.text()
    assert code == 0
    stopped = int(text.split("stopped at epoch ", 1)[1].split()[0].replace(",", ""))
    assert 10 <= stopped < 5000
    assert f"stopped at epoch {stopped:,} · " in text and model.exists()
    assert settings == term.saved
    from nncli import store

    assert store.load_model(model)[1]["epochs_run"] == stopped  # what it had learned when stopped


@pytest.mark.slow
def test_paused_then_stepped_twice_advances_exactly_two_epochs(tmp_path):
    term = Terminal("train", "xor", "--epochs", "5000", "--pace", "100", "--no-save")
    term.wait_for(lambda t: (epoch_on(t) or 0) >= 3)
    term.press(b" ")
    before = epoch_on(term.wait_for(lambda t: whole_frame(t) and "paused · space resume" in t))
    term.press(b"n")
    term.wait_for(lambda t: epoch_on(t) == before + 1)
    term.press(b"\x1b[C")  # → steps too
    assert "paused" in term.wait_for(lambda t: whole_frame(t) and epoch_on(t) == before + 2)
    term.press(b"q")
    code, settings = term.finish()
    # Paused, nothing moved: the run stopped exactly two steps after the epoch the pause showed.
    assert code == 0 and f"stopped at epoch {before + 2:,}" in term.text()
    assert settings == term.saved


def test_ctrl_c_restores_the_terminal(tmp_path):
    term = Terminal("train", "xor", "--epochs", "5000", "--pace", "100", "--no-save")
    term.wait_for(lambda t: (epoch_on(t) or 0) >= 2)
    term.process.send_signal(signal.SIGINT)  # what the terminal sends for Ctrl-C
    code, settings = term.finish()
    assert code == 130 and "interrupted at epoch" in term.text()
    assert settings == term.saved and b"\x1b[?25h" in term.output


@pytest.mark.parametrize("terminal", [True, False])
def test_a_frame_is_one_synchronized_update_on_a_terminal_and_plain_in_a_file(terminal):
    from rich.console import Console

    from nncli.render.synchronized import SynchronizedLive

    console = Console(file=io.StringIO(), force_terminal=terminal, width=40)
    with SynchronizedLive("first frame", console=console, auto_refresh=False) as live:
        live.update("second frame", refresh=True)
    out = console.file.getvalue()
    assert "second frame" in out
    if terminal:
        assert frames_whole(out) == 3  # the first frame, the second, and the last as Live leaves it
        assert "second frame" in out.split("\x1b[?2026h")[2].split("\x1b[?2026l")[0]  # between its marks
    else:
        assert "\x1b[?2026" not in out


def test_keys_are_parsed_arrow_included():
    assert parse_keys(" nq\x1b[Cx") == ["pause", "step", "quit", "step"]


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_frames_are_time_based_and_cheap_frames_come_ten_a_second():
    clock = FakeClock()
    drawn = []
    controls = Controls(on_frame=lambda epoch, history: drawn.append(epoch), clock=clock)
    for epoch in range(1, 1001):  # 1,000 epochs of a millisecond each: one second
        clock.now += 0.001
        controls.after_epoch(epoch, {})
    assert 9 <= len(drawn) <= 11 and 99 <= drawn[0] <= 101  # the first a tenth of a second in


def frames_of(costs, epochs, epoch_s=0.001):
    """The (time, epoch) of each frame drawn over `epochs` epochs of `epoch_s` seconds, a
    frame costing costs(epoch) seconds."""
    clock = FakeClock()
    drawn = []

    def frame(epoch, history):
        drawn.append((clock.now, epoch))
        clock.now += costs(epoch)

    controls = Controls(on_frame=frame, clock=clock)
    controls.begin()
    for epoch in range(1, epochs + 1):
        clock.now += epoch_s
        controls.after_epoch(epoch, {})
    return drawn, clock.now


def test_an_expensive_frame_is_drawn_less_often_but_at_least_every_half_second():
    from nncli.cli.controls import DRAWING_SHARE, LONGEST_GAP_S

    drawn, end = frames_of(lambda epoch: 0.05, 10_000)  # 50 ms a frame: at most a share of the time
    assert 0.05 * len(drawn) <= DRAWING_SHARE * end + 0.05
    assert drawn[0][0] <= 0.3 and len(drawn) > 20
    slow, end = frames_of(lambda epoch: 0.4, 5_000)  # a frame too dear for the share: still one every 0.5 s
    starts = [at for at, _ in slow]
    assert max(b - a for a, b in zip(starts, starts[1:])) <= 0.4 + LONGEST_GAP_S + 0.002


def test_the_drawing_budget_is_a_sliding_window_not_the_whole_run():
    # Dear frames for the first 3,000 epochs, cheap ones after: once the window holds only
    # cheap frames, they come at the full rate again, however long the dear ones went on.
    from nncli.cli.controls import WINDOW

    drawn, _ = frames_of(lambda epoch: 0.3 if epoch <= 3000 else 0.002, 9_000)
    cheap = [at for at, epoch in drawn if epoch > 3000][WINDOW:]
    gaps = [b - a for a, b in zip(cheap, cheap[1:])]
    assert len(gaps) > 10 and max(gaps) <= 0.11


def test_pace_holds_training_to_n_epochs_a_second(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr("nncli.cli.controls.time.sleep", lambda s: setattr(clock, "now", clock.now + s))
    controls = Controls(pace=50, clock=clock)
    for epoch in range(1, 101):
        controls.after_epoch(epoch, {})
    assert clock.now == pytest.approx(99 / 50, abs=0.06)


@pytest.mark.parametrize("pace", ["0", "-3", "nan", "inf", "fast"])
def test_a_bad_pace_is_a_usage_error(pace):
    from conftest import run

    result = run("train", "xor", "--pace", pace, "--no-save")
    assert result.exit_code == 2 and "--pace" in result.output


def test_watching_a_view_the_task_lacks_lists_its_views():
    from conftest import run

    result = run("train", "xor", "--watch", "fit", "--no-save")
    assert result.exit_code == 2
    assert "xor has no view 'fit': its views are boundary, neurons, hidden, loss" in result.output


def _early_stopped_run(sink):
    sink(
        {
            "event": "start",
            "config": {"epochs": 100, "lr": 0.001, "optimizer": "adam"},
            "network": "64-10",
            "parameters": 17,
        }
    )
    for epoch in range(1, 65):
        sink({"event": "epoch", "epoch": epoch, "loss": 0.00559822 + 1 / epoch, "val_loss": 0.01})
    summary = {"event": "summary", "epochs": 64, "loss": 0.00361552, "val_loss": 0.00912, "elapsed_s": 1.5}
    sink({**summary, "stopped_early": True, "best_epoch": 44, "model": None})


@pytest.mark.parametrize("terminal", [False, True])
def test_after_early_stopping_the_end_reads_finished_with_one_loss(terminal):
    from conftest import TerminalFile
    from rich.console import Console

    from nncli.render.progress import TrainingProgress

    console = Console(file=TerminalFile(), force_terminal=terminal, width=100, color_system=None)
    with TrainingProgress("demo", console=console) as sink:
        _early_stopped_run(sink)
    out = console.file.getvalue()
    assert "stopped early at 64; kept epoch 44" in out
    losses = set(re.findall(r"(?<!val )loss (\S+)", out.split("epoch  1/100")[-1].split("(stopped")[0]))
    assert "0.003616" in out and "0.003616" in losses  # the kept weights' loss, in the last line …
    assert "loss 0.003616" in out.splitlines()[-2]  # … and the summary's, written the same way
    assert frames_whole(out) if terminal else "\x1b[?2026" not in out  # a pipe gets no synchronized updates
    if terminal:
        last = out.rsplit("╭", 1)[1]  # the last frame
        assert re.search(r"epoch +64/100", last) and "64%" not in last and "━━━━━━━━━━╸" not in last  # a full bar
    else:
        assert "kept epoch  44/100  loss 0.003616  val loss 0.00912" in out


def test_digits_log_shows_accuracy_and_validation_accuracy_every_logged_epoch():
    from conftest import run

    result = run("train", "digits", "--epochs", "3", "--no-save")
    lines = [line for line in result.stderr.splitlines() if re.match(r"epoch +\d+/", line)]
    assert len(lines) == 3
    for line in lines:
        assert re.search(r"loss \S+  val loss \S+  train accuracy \d+\.\d\d%  val accuracy \d+\.\d\d%", line)


def test_replay_can_drive_the_panel_with_stored_frames():
    from nncli.cli.controls import play
    from nncli.views.live import Frame

    shown = []
    frames = [Frame(epoch, {"loss": 1 / epoch}) for epoch in (1, 10, 100)]
    controls = Controls(pace=1000)
    assert play(frames, lambda frame, status: shown.append((frame.epoch, status)), controls) is None
    assert [epoch for epoch, _ in shown] == [1, 10, 100] and {status for _, status in shown} == {"running"}


def test_epoch_axes_have_whole_number_ticks():
    from nncli.render import draw
    from nncli.views import History
    from nncli.views.loss import history

    numbers = history(None, None, None, History({"loss": [1 / e for e in range(1, 201)]}, 20_000))
    console_text = _plain(draw(numbers, 80))
    ticks = next(line for line in console_text.splitlines()[::-1] if "20,000" in line).split()
    assert ticks == ["5,000", "10,000", "15,000", "20,000"]


def test_on_256_colours_the_red_blue_heatmap_uses_only_its_own_ramp():

    from rich.console import Console

    from nncli.render.heatmap import XTERM_RAMPS, heatmap

    console = Console(file=io.StringIO(), force_terminal=True, color_system="256", width=80)
    console.print(heatmap([[-1.0 + k / 20 for k in range(41)]], palette="diverging"))
    used = {int(code) for code in re.findall(r"\x1b\[(?:38|48);5;(\d+)m", console.file.getvalue())}
    assert used and used <= set(XTERM_RAMPS["diverging"])  # no stray pinks or lilacs
    assert not used & {13, 127, 128, 129, 163, 164, 165, 170, 171, 177, 183, 201, 207, 213, 219}  # magentas


@pytest.mark.parametrize("term", ["xterm", "linux"])
def test_on_16_colours_pictures_fall_back_to_the_shading_glyphs(term, monkeypatch):

    from rich.console import Console

    from nncli.render.heatmap import GLYPHS, heatmap

    monkeypatch.setenv("TERM", term)
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    console = Console(file=io.StringIO(), force_terminal=True, width=80)
    assert console.color_system == "standard"  # what Rich makes of these terminals: 16 colours
    console.print(heatmap([[k / 5 - 1 for k in range(11)]], palette="diverging"))
    drawn = re.sub(r"\x1b\[[0-9;]*m", "", console.file.getvalue())
    assert "▀" not in drawn and [glyph for glyph in GLYPHS if glyph in drawn] == list(GLYPHS)  # a ramp, low to high
    levels = [GLYPHS.index(glyph) for glyph in drawn.strip()[::2]]
    assert levels == sorted(levels)  # monotonic


def test_a_stepped_frame_shows_the_epoch_it_took_every_number_measured_afresh():
    from nncli.cli.task_commands import run_config
    from nncli.session.runner import prepare
    from nncli.tasks import get_task
    from nncli.views.live import Watch

    task = get_task("xor")
    config = run_config(task, {"epochs": 10})
    dataset, network = prepare(task, config)
    watch = Watch(task, ("boundary",), network, dataset, config)
    watch.log({"event": "epoch", "epoch": 1, "loss": 0.3, "accuracy": 0.25})  # the last logged epoch
    numbers = {"event": "epoch", "epoch": 7, "loss": 0.2447}  # the epoch just stepped, not logged
    running = watch.frame(7, {"loss": [0.3] * 7}, numbers)
    assert running.metrics["loss"] == 0.2447 and running.metrics["accuracy"] == 0.25
    stepped = watch.frame(7, {"loss": [0.3] * 7}, numbers, fresh=True)
    assert stepped.metrics["loss"] == 0.2447
    assert stepped.metrics["accuracy"] == task.epoch_metrics(network, dataset)["accuracy"]


def test_the_header_names_the_network_built():
    from conftest import run

    out = run("train", "xor", "--hidden", "8,8", "--epochs", "1", "--no-save").stderr
    assert "a 2-8-8-1 sigmoid network: 105 parameters" in out and "2-4-1" not in out
    out = run("train", "digits", "--hidden", "32x10", "--epochs", "1", "--limit", "100", "--no-save").stderr
    assert "64-32×10-10 relu network" in out and "64-128-64-10" not in out
    out = run(
        "train",
        "digits",
        "--hidden",
        "32,32,32",
        "--residual",
        "--batchnorm",
        "--epochs",
        "1",
        "--limit",
        "100",
        "--no-save",
    ).stderr
    assert "64-32×3-10 relu with batch norm and skip connections" in " ".join(out.split())


def _plain(renderable):
    import io

    from rich.console import Console

    console = Console(file=io.StringIO(), width=120, color_system=None)
    console.print(renderable)
    return console.file.getvalue()


@pytest.mark.slow
def test_replay_plays_the_snapshots_in_the_live_panel_and_q_stops_it(tmp_path):
    model = tmp_path / "x.npz"
    assert subprocess.run([sys.executable, "-m", "nncli", "train", "xor", "-q", "--save", str(model)]).returncode == 0
    term = Terminal("replay", str(model), "--fps", "5")
    text = term.wait_for(lambda t: "Decision boundary" in t and "space pause" in t and (epoch_on(t) or 0) >= 2)
    assert "replay" in text and "Loss per epoch" in text
    term.press(b" ")
    paused = term.wait_for(lambda t: "paused · space resume" in t)
    term.press(b"n")
    term.wait_for(lambda t: (epoch_on(t) or 0) > epoch_on(paused))
    term.press(b"q")
    code, settings = term.finish()
    assert code == 0 and "stopped at epoch" in term.text()
    assert settings == term.saved and b"\x1b[?25h" in term.output


def test_a_cnn_panel_shows_its_kernels_and_feature_maps_while_it_learns():
    term = Terminal("train", "digits", "--conv", "4,8", "--epochs", "3", "--watch", "filters,feature-maps", "--no-save")
    text = term.wait_for(lambda t: "4 kernels of 3×3" in t and "after pool 1" in t)
    assert "A held-out" in text
    assert term.finish()[0] == 0


# --- fitting the terminal people have ------------------------------------------------------

UNSIZED = {"COLUMNS": None, "LINES": None}  # the size comes from the terminal itself, and follows it


def test_resizing_narrow_mid_run_relays_out_and_saves_the_model(tmp_path):
    model = tmp_path / "x.npz"
    term = Terminal("train", "xor", "--epochs", "300", "--pace", "150", "--save", model, env=UNSIZED, size=(80, 24))
    term.wait_for(lambda t: "Decision boundary" in t)
    term.resize(60, 18)
    wide = term.wait_for(lambda t: "Decision boundary" in t and "not shown" in t)  # laid out again, narrower
    assert all(len(line) <= 60 for line in wide.splitlines())
    for columns, rows in ((30, 8), (5, 5), (1, 1), (10, 3)):  # the run ends on the last, too small
        term.resize(columns, rows)
        time.sleep(0.2)
        term.read()
    code, _ = term.finish()
    output = term.output.decode("utf-8", "replace")
    assert code == 0 and "unexpected error" not in output and "Traceback" not in output
    assert model.exists()


@pytest.mark.slow
def test_a_resize_storm_during_training_and_replay_crashes_nothing(tmp_path):
    model = tmp_path / "s.npz"
    term = Terminal("train", "spiral", "--epochs", "60", "--pace", "40", "--save", model, env=UNSIZED, size=(100, 30))
    term.wait_for(lambda t: "Decision regions" in t)
    for step in range(60):  # a window dragged about: a size every 10 ms, some of them tiny
        term.resize(3 + step * 7 % 110, 2 + step * 5 % 40)
        time.sleep(0.01)
        term.read(0)
    code, _ = term.finish()
    assert code == 0 and b"unexpected error" not in term.output and model.exists()
    replay = Terminal("replay", model, "--fps", "30", env=UNSIZED, size=(80, 24))
    replay.wait_for(lambda t: "replay" in t)
    for step in range(30):
        replay.resize(2 + step * 11 % 90, 1 + step * 3 % 30)
        time.sleep(0.01)
        replay.read(0)
    code, _ = replay.finish()
    assert code == 0 and b"unexpected error" not in replay.output


def test_a_terminal_too_small_gets_one_line_with_the_size_needed_and_training_goes_on(tmp_path):
    model = tmp_path / "x.npz"
    term = Terminal("train", "xor", "--epochs", "200", "--pace", "400", "--save", model, env=UNSIZED, size=(40, 12))
    text = term.wait_for(lambda t: "needs" in t)
    line = next(line for line in text.splitlines() if "needs" in line)
    needed = re.search(r"needs (\d+)×(\d+)", line)
    assert needed and int(needed[1]) > 40 or int(needed[2]) > 12  # the size it needs, larger than this one
    assert "Decision boundary" not in text  # no picture squeezed in
    code, _ = term.finish()
    output = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", term.output.decode("utf-8", "replace"))
    assert code == 0 and model.exists() and "done after 200 epochs" in output
    assert re.search(r"epoch +\d+/200  loss", output)  # the plain log's lines go on above that line
    assert "unexpected error" not in output


# Every view of every kind of task, watched on an 80×24 terminal: (command, {view: its title}).
# Views not on screen are named on the panel's last line; `v` brings them to the front.
EVERY_VIEW = [
    (
        ["train", "xor", "--epochs", "3000", "--pace", "300"],
        {
            "boundary": "Decision boundary",
            "neurons": "Hidden neurons",
            "hidden": "Hidden space",
            "loss": "Loss per epoch",
            "health": "Gradient",
        },
    ),
    (
        ["train", "spiral", "--epochs", "300", "--pace", "30"],
        {
            "boundary": "Decision regions",
            "neurons": "Hidden neurons",
            "hidden": "Hidden space",
            "loss": "Loss per epoch",
            "health": "Gradient",
        },
    ),
    (
        ["train", "linreg", "--epochs", "300", "--pace", "30"],
        {
            "fit": "The data and the two lines",
            "landscape": "Loss landscape",
            "loss": "Loss per epoch",
            "health": "Gradient",
        },
    ),
    (
        ["approx", "sin", "--epochs", "3000", "--pace", "300"],
        {
            "fit": "sin(x) and a network",
            "neurons": "the neurons, one by one",
            "loss": "Loss per epoch",
            "health": "Gradient",
        },
    ),
    (
        ["train", "digits", "--epochs", "30", "--pace", "3", "--limit", "200"],
        {
            "samples": "Held-out digits",
            "confusion": "Confusion, held-out",
            "filters": "What the first layer looks for",
            "loss": "Loss per epoch",
            "health": "Gradient",
        },
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("command, titles", EVERY_VIEW, ids=lambda value: value[1] if isinstance(value, list) else "")
def test_on_80_by_24_every_watched_view_is_shown_or_named_and_v_brings_each_to_the_front(command, titles):
    term = Terminal(*command, "--no-save", "--watch", ",".join(titles), size=(80, 24))
    seen = set()
    for _ in titles:  # as many turns as there are views: each comes to the front once
        screen = term.wait_for(lambda t: whole_frame(t) and any(title in t for title in titles.values()))
        assert all(len(line) <= 80 for line in screen.splitlines())
        shown = {view for view, title in titles.items() if title in screen}
        named = screen.split("not shown:", 1)[1] if "not shown:" in screen else ""
        assert all(view in named for view in set(titles) - shown)  # never dropped without a word
        seen |= shown
        term.press(b"v")
        if named:  # views not shown: `v` brings them to the front, drawn at once
            term.wait_for(lambda t, before=shown: whole_frame(t) and {v for v in titles if titles[v] in t} != before)
    assert seen == set(titles)
    term.press(b"q")
    code, _ = term.finish()
    assert code == 0 and b"unexpected error" not in term.output


@pytest.mark.parametrize(
    "command, headline",
    [
        (["train", "xor", "--epochs", "3000", "--pace", "300"], "Decision boundary"),
        (["train", "linreg", "--epochs", "300", "--pace", "30"], "The data and the two lines"),
    ],
)
def test_at_120_by_40_the_headline_view_comes_first_and_the_rest_are_shown_or_named(command, headline):
    term = Terminal(*command, "--no-save", size=(120, 40))
    screen = term.wait_for(lambda t: headline in t and "space pause" in t)
    titles = (headline, "Hidden neurons", "Loss landscape", "Loss per epoch")
    first_row = next(line for line in screen.splitlines() if any(title in line for title in titles))
    assert first_row.index(headline) == min(first_row.index(title) for title in titles if title in first_row)
    term.press(b"q")
    assert term.finish()[0] == 0


def test_a_diverged_run_ends_on_a_frame_offering_no_keys():
    term = Terminal("train", "linreg", "--lr", "1.5", "--epochs", "3000", "--pace", "60", "--no-save", size=(80, 24))
    term.wait_for(lambda t: "The data and the two lines" in t and "space pause" in t)  # while it runs, the keys
    code, _ = term.finish()
    last_frame = term.output.decode("utf-8", "replace").rsplit("╭─", 1)[1].split("╰", 1)[0]
    assert code == 3 and "diverged at epoch" in last_frame
    assert "space pause" not in last_frame and "n step" not in last_frame and "v shows" not in last_frame


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_frames_keep_coming_while_it_trains(size):
    # Frame after frame, the epoch on the screen moves on: never frozen at one epoch and
    # then the end (frames are read as the terminal shows them; no clock is asserted).
    term = Terminal("train", "xor", "--pace", "200", "--epochs", "1000", "--no-save", size=size)
    shown = []
    while term.process.poll() is None and len(shown) < 6:
        term.read()
        text = term.text()
        if whole_frame(text) and "done" not in text and (epoch := epoch_on(text)) and epoch not in shown:
            shown.append(epoch)
    term.press(b"q")
    assert term.finish()[0] == 0
    assert len(shown) == 6 and shown == sorted(shown) and shown[-1] < 1000  # six epochs, in order, before the end
