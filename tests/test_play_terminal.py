"""`nncli play` on a terminal: run under a pseudo-terminal of a given size, driven by keys and
synthetic xterm SGR mouse reports, its screen read with pyte."""

import json
import re
import shutil
import signal
import time

import conftest
import numpy as np
import pytest
from conftest import run
from test_play import drawn_at

from nncli.cli.terminal import MOUSE_OFF, MOUSE_ON
from nncli.render.plane import cell_point
from nncli.render.play import layout
from nncli.session.play import MOST_ADDED, Playground

pyte = pytest.importorskip("pyte")

COLUMNS, LINES = 100, 30

pytestmark = pytest.mark.slow  # every test drives a real terminal for seconds


class Terminal(conftest.Terminal):
    """A terminal that also reads the epoch the Playground shows."""

    def epoch(self):
        """The epoch the screen shows now (what has come so far taken in)."""
        self.read(0.01)
        return int(re.search(r"epoch ([\d,]+)", self.wait_for(r"epoch \d")).group(1).replace(",", ""))

    def reach(self, epoch, timeout=120):
        """Wait until the screen shows `epoch` or a later one (while it trains: frame after frame)."""
        deadline = time.monotonic() + timeout
        while self.epoch() < epoch:
            self.next_frame(timeout=deadline - time.monotonic())


@pytest.fixture(scope="module")
def corner():
    """Cells at the top right corner of circle's plane on a COLUMNS × LINES screen (where no
    generated point lies), and the points of the plane they are."""
    cells = layout(COLUMNS, LINES)
    _, area = drawn_at(Playground("circle"), cells.plane_columns, cells.plane_lines, True)
    columns, _ = area.size
    at = [(area.left + columns - 2 - d, area.top + e) for d in (0, 1, 2) for e in (0, 1)]
    return at, [cell_point(area, *cell) for cell in at]


def probabilities(path, points):
    """The probability of class 1 that the model at `path` gives each point (nncli predict)."""
    rows = "\n".join(f"{x1!r},{x2!r}" for x1, x2 in points)
    result = run("predict", path, "--json", input=rows)
    assert result.exit_code == 0, result.stderr
    return [json.loads(line)["output"] for line in result.stdout.splitlines()]


def test_points_clicked_in_reach_the_saved_model_and_change_its_boundary(tmp_path, corner):
    cells, points = corner
    saved = tmp_path / "played.npz"
    terminal = Terminal("play", "circle", "--save", saved)
    terminal.reach(100)
    terminal.send(b" ", b"s")  # pause, and save the model as it is before any click
    terminal.wait_for("saved as")
    before = shutil.copy(saved, tmp_path / "before.npz")
    for column, line in cells:
        terminal.click(column, line, button=2)  # right clicks: class 1 (the pen is class 0)
    terminal.wait_for("6 added")
    paused_at = terminal.epoch()
    terminal.send(b" ")
    terminal.reach(paused_at + 75)
    terminal.send(b"s")
    terminal.wait_for("saved as")
    terminal.send(b"q")
    assert terminal.finish() == 0

    shown = json.loads(run("visualize", saved, "--view", "boundary", "--json").stdout)
    added = [p for p in shown["points"] if [round(v, 9) for v in p[:2]] in [[round(v, 9) for v in q] for q in points]]
    assert len(added) == 6 and all(p[2] == 1 and p[3] == 0 for p in added)  # class 1, learned from
    assert max(probabilities(before, points)) < 0.5  # before the clicks: the corner was class 0
    assert min(probabilities(saved, points)) > 0.5  # after: the boundary took the corner in


def test_every_key_changes_on_screen_the_setting_it_names():
    terminal = Terminal("play", "circle")
    terminal.wait_for("learning rate +0.03")
    terminal.send(b" ")  # paused: each change is drawn at once, without training in between
    terminal.wait_for("paused")
    steps = [
        (b"l", r"learning rate +0\.1\b"),
        (b"L", r"learning rate +0\.03\b"),
        (b"a", r"activation +relu"),
        (b"h", r"hidden layers +2"),
        (b"H", r"hidden layers +1"),
        (b"w", r"neurons each +12"),
        (b"W", r"neurons each +8"),
        (b"f", r"features +x₁² x₂²"),
        (b"e", r"noise +0\.5"),
        (b"E", r"noise +0\.3"),
        (b"t", r"held out +40%"),
        (b"T", r"held out +30%"),
        (b"g", r"new data +seed 1"),
        (b"1", r"pen class +1"),
        (b"H", r"no hidden layer"),
    ]
    for key, shown in steps:
        terminal.send(key)
        terminal.wait_for(shown, timeout=30)
    epoch = terminal.epoch()
    terminal.send(b"n")
    terminal.wait_for(rf"epoch {epoch + 1:,} ")
    terminal.send(b"q")
    assert terminal.finish() == 0


def test_without_a_mouse_the_screen_says_so_and_the_arrows_and_enter_add_points():
    terminal = Terminal("play", "moons", "--no-mouse")
    terminal.wait_for("keys only")
    terminal.send(b"\x1b[A", b"\x1b[A", b"\x1b[D", b"\r")
    terminal.wait_for("1 added")
    terminal.send(b"1", b"\x1b[B", b"\r")
    terminal.wait_for("2 added")
    terminal.send(b"q")
    assert terminal.finish() == 0
    assert MOUSE_ON.encode() not in terminal.raw


def test_clicks_off_the_plane_the_wheel_a_resize_and_a_flood_of_clicks(corner):
    cells, _ = corner
    terminal = Terminal("play", "circle")
    terminal.epoch()
    terminal.click(COLUMNS - 3, 2)  # on the settings, not the plane
    terminal.wait_for("off the plane")
    terminal.click(*cells[0], button=64, release=False)  # the wheel adds nothing
    terminal.click(*cells[0], button=65, release=False)
    terminal.resize(60, 20)
    terminal.wait_for(r"needs a terminal of at least 72 × 22; this\s+one is 60 × 20")
    terminal.resize(COLUMNS, LINES)
    terminal.wait_for(r"clear added +0 added")  # laid out again, nothing added
    flood = b"".join(f"\x1b[<0;{10 + k % 30};{4 + k % 20}M".encode() for k in range(10_000))
    terminal.send(flood)
    terminal.wait_for(f"{MOST_ADDED:,} added", timeout=120)
    terminal.wait_for(f"at most {MOST_ADDED:,} points")
    terminal.send(b"q")
    assert terminal.finish(timeout=120) == 0


def test_sigterm_restores_the_terminal_and_exits_143():
    terminal = Terminal("play", "gauss")
    terminal.epoch()
    terminal.process.send_signal(signal.SIGTERM)
    assert terminal.finish() == 143
    after_mouse = terminal.raw.rsplit(MOUSE_ON.encode(), 1)[-1]
    assert MOUSE_OFF.encode() in after_mouse and b"\x1b[?1049l" in after_mouse  # mouse off, screen back
    assert "interrupted" in terminal.text()


def test_json_streams_the_session_events_on_stdout(tmp_path, corner):
    cells, points = corner
    out = open(tmp_path / "events.jsonl", "wb")
    terminal = Terminal("play", "circle", "--json", "--save", tmp_path / "m.npz", stdout=out)
    terminal.epoch()
    terminal.click(*cells[0])
    terminal.wait_for("1 added")
    terminal.send(b"l", b"s")
    terminal.wait_for("saved as")
    terminal.send(b"q")
    assert terminal.finish() == 0
    out.close()
    events = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    kinds = [event["event"] for event in events]
    assert kinds[0] == "start" and kinds[-1] == "summary" and "epoch" in kinds
    point = next(event for event in events if event["event"] == "point")
    assert np.allclose([point["x1"], point["x2"]], points[0]) and point["class"] == 0
    assert {"event": "setting", "name": "lr", "value": 0.1} == {
        k: v for k, v in next(e for e in events if e["event"] == "setting").items() if k != "epoch"
    }
    assert events[-1]["model"] == str(tmp_path / "m.npz") and events[-1]["added"] == 1


def test_serve_shows_the_plane_on_a_page_whose_stop_button_ends_play():
    from test_serve import page_events_beside, request

    terminal = Terminal("play", "gauss", "--serve", "0")
    port = int(re.search(r"127\.0\.0\.1:(\d+)", terminal.wait_for(r"127\.0\.0\.1:\d+")).group(1))
    terminal.epoch()
    stopped = []

    def stop(found):  # the page's stop button, once the plane has come
        if found and not stopped:
            stopped.append(request(port, "POST", "/key", body="quit")[0])

    found = page_events_beside(terminal, port, stop)
    assert stopped == [204]
    assert terminal.finish() == 0
    frames = [data for kind, data in found if kind == "frame"]
    assert frames and all("<svg" in frame["html"] and "epoch" in frame["label"] for frame in frames)
    assert found[-1][0] == "end" and found[-1][1]["ending"].startswith("played ")


def test_play_xor_takes_a_click_and_saves_a_model_of_xor(tmp_path):
    cells = layout(COLUMNS, LINES)
    _, area = drawn_at(Playground("xor"), cells.plane_columns, cells.plane_lines, True)
    columns, lines = area.size
    middle = (area.left + columns // 2, area.top + lines // 2)  # the plane's middle: about (0.5, 0.5)
    saved = tmp_path / "xor.npz"
    terminal = Terminal("play", "xor", "--save", saved)
    assert "nncli play xor" in terminal.wait_for("nncli play xor")
    terminal.reach(20)
    terminal.click(*middle)
    terminal.wait_for("1 added")
    terminal.send(b"s")
    terminal.wait_for("saved as")
    terminal.send(b"q")
    assert terminal.finish() == 0
    shown = json.loads(run("visualize", saved, "--view", "boundary", "--json").stdout)
    added = [p for p in shown["points"] if np.allclose(p[:2], cell_point(area, *middle))]
    assert len(added) == 1 and added[0][2:] == [0, 0]  # the pen's class 0, learned from
    model = json.loads(run("inspect", "model", saved, "--json").stdout)
    assert model["task"] == "xor"
