"""`nncli draw` on a pseudo-terminal: mouse reports (xterm's SGR form) and keys written to
it, the screen read with pyte.

On an 80 × 24 terminal the canvas is 40 × 40 pixels: a pixel is a column by half a line,
its top left pixel at cell (1, 2) (0-based), so the cell of SGR report column c, row r
(1-based) is pixels x = c − 2, y = 2·(r − 3) and the one below. The pen is 4 × 4 pixels
(a tenth of the canvas): x − 1 … x + 2, y − 1 … y + 2.
"""

import re
import signal
import subprocess

import numpy as np
from conftest import json_lines, run
from test_live import UNSIZED, Terminal

from nncli.cli.terminal import MOUSE_OFF, MOUSE_ON

ROWS = range(5, 20)  # the SGR rows of the vertical stroke: y = 4 … 32, so pixels 3 … 34 inked
COLUMN = 20  # its SGR column: x = 18, so pixels 17 … 20 inked


def press(button, column, row):
    return f"\x1b[<{button};{column};{row}M".encode()


def vertical_stroke(terminal, button=0):
    """Drag down the canvas with `button` (0 left, 2 right) held, over ROWS at COLUMN."""
    terminal.press(press(button, COLUMN, ROWS[0]))
    for row in ROWS[1:]:
        terminal.press(press(32 + button, COLUMN, row))
    terminal.press(f"\x1b[<{button};{COLUMN};{ROWS[-1]}m".encode())


def canvas(text):
    """The canvas's 20 lines of 40 cells, as the screen shows them."""
    return [line.ljust(42)[1:41] for line in text.splitlines()[2:22]]


def stroke_drawn(text):
    rows = [line[17:21] for line in canvas(text)]
    return rows[1] == "▄▄▄▄" and rows[2:17] == ["████"] * 15 and rows[17] == "▀▀▀▀" and "◀ answer" in text


def shown_probabilities(text):
    """The ten percentages the bars show, by digit."""
    found = {}
    for line in text.splitlines():
        match = re.match(r"^(\d) [ █▏▎▍▌▋▊▉]* +(\d+\.\d)%( +◀ answer)?$", line[43:].strip())
        if match:
            found[int(match[1])] = float(match[2])
    return [found[digit] for digit in range(10)]


def drawing(*args, stdout=None, monkeypatch=None, size=(80, 24), env=None):
    """`nncli draw ARGS` on a terminal of `size`, its stdout to the file `stdout` if given
    (so that --json's lines stay off the screen)."""
    if stdout is not None:
        real = subprocess.Popen
        monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: real(*a, **{**k, "stdout": stdout}))
    terminal = Terminal("draw", *map(str, args), size=size, env=env)
    if stdout is not None:
        monkeypatch.undo()
    terminal.wait_for(lambda text: "◀ answer" in text)
    return terminal


def test_a_vertical_stroke_reaches_the_model_as_predict_image_reads_it(trained_digits, tmp_path, monkeypatch):
    with open(tmp_path / "out.jsonl", "wb") as out:
        terminal = drawing(trained_digits, "--json", stdout=out, monkeypatch=monkeypatch)
        vertical_stroke(terminal)
        screen = terminal.wait_for(stroke_drawn)
        terminal.press(b"q")
        code, settings = terminal.finish()
    assert code == 0 and settings == terminal.saved
    events = json_lines((tmp_path / "out.jsonl").read_text())
    blank, drawn = events[0], events[-1]
    assert not any(blank["input"])
    expected = np.zeros((8, 8))
    expected[:, 3:5] = 8  # 32 × 4 pixels, padded to 32 × 32, averaged in 4 × 4 blocks, times 16
    assert np.allclose(drawn["input"], expected.ravel())

    ink = np.zeros((40, 40), dtype=int)  # the same drawing, as a file
    ink[3:35, 17:21] = 1
    grid = tmp_path / "stroke.txt"
    grid.write_text("\n".join(" ".join(map(str, row)) for row in ink))
    predicted = json_lines(run("predict", trained_digits, "--image", grid, "--json"))[0]
    assert predicted["probabilities"] == drawn["probabilities"]
    assert shown_probabilities(screen) == [round(100 * p, 1) for p in predicted["probabilities"]]
    answer = [line[43:].strip() for line in screen.splitlines() if line.endswith("◀ answer")]
    assert len(answer) == 1 and answer[0].startswith(f"{predicted['prediction']} ")


def test_keys_move_the_cursor_paint_erase_and_clear(trained_digits):
    terminal = drawing(trained_digits)
    # the cursor starts at pixel (20, 20): space paints pixels 19 … 22 both ways
    terminal.press(b" ")
    text = terminal.wait_for(lambda text: [line[19:23] for line in canvas(text)[9:12]] == ["▄▄▄▄", "████", "▀▀▀▀"])
    assert sum(len(line.strip()) for line in canvas(text)) == 12
    terminal.press(b"\x1b[C\x1b[C\x1b[C\x1b[B ")  # three right, one line down (x 23, y 22): paint
    text = terminal.wait_for(lambda text: canvas(text)[12][22:26] == "▀▀▀▀")
    assert canvas(text)[11][19:26] == "▀▀▀████"
    terminal.press(b"x")  # erase under the cursor: pixels 21 … 24 down, 22 … 25 across
    text = terminal.wait_for(lambda text: canvas(text)[12][22:26] == "    ")
    assert canvas(text)[11][19:26] == "▀▀▀    " and canvas(text)[10][19:23] == "███▀"
    terminal.press(b"c")
    text = terminal.wait_for(lambda text: not any("█" in line for line in canvas(text)))
    terminal.press(b"q")
    code, settings = terminal.finish()
    assert code == 0 and settings == terminal.saved
    assert terminal.output.count(MOUSE_ON.encode()) == 1 and terminal.output.endswith(MOUSE_OFF.encode())


def test_the_right_button_erases_and_other_reports_change_nothing(trained_digits):
    terminal = drawing(trained_digits)
    vertical_stroke(terminal)
    terminal.wait_for(stroke_drawn)
    terminal.press(press(2, COLUMN, 10) + press(34, COLUMN, 11) + b"\x1b[<2;20;11m")  # right: y 14 … 16
    text = terminal.wait_for(lambda text: canvas(text)[7][17:21] == "    ")  # pixels 13 … 18 erased
    assert [line[17:21] for line in canvas(text)[5:11]] == ["████", "▀▀▀▀", "    ", "    ", "▄▄▄▄", "████"]
    before = canvas(text)
    terminal.press(press(64, 30, 10) + press(65, 30, 10))  # the wheel
    terminal.press(press(0, 60, 10) + press(32, 70, 12) + press(0, 1, 1) + press(0, 300, 300))  # off the canvas
    terminal.press(press(1, 30, 10))  # the middle button
    terminal.press(b"\x1b[15~")  # F5: a key draw does not take
    terminal.press(b"c")  # … and a key it does, to know the others were read
    terminal.wait_for(lambda text: not any("█" in line for line in canvas(text)))
    assert sum(line.count("█") for line in before) == 4 * (15 - 4)
    terminal.press(b"q")
    assert terminal.finish()[0] == 0


def test_a_resized_terminal_is_relaid_and_keeps_the_drawing(trained_digits):
    terminal = drawing(trained_digits, env=UNSIZED)
    vertical_stroke(terminal)
    terminal.wait_for(stroke_drawn)
    terminal.resize(50, 15)
    says = "needs a terminal of at least 60 × 20; this one is 50 × 15"
    terminal.wait_for(lambda text: says in " ".join(text.split()))  # wrapped on the narrow terminal
    terminal.resize(100, 30)
    text = terminal.wait_for(lambda text: "┌" + "─" * 52 + "┐" in text and "◀ answer" in text)
    assert sum(line.count("█") for line in text.splitlines()) >= len(ROWS)  # the stroke, at the new scale
    terminal.press(b"q")
    assert terminal.finish()[0] == 0


def test_sigterm_restores_the_terminal_and_exits_143(trained_digits):
    terminal = drawing(trained_digits)
    terminal.process.send_signal(signal.SIGTERM)
    code, settings = terminal.finish()
    assert code == 143 and settings == terminal.saved
    assert terminal.output.index(MOUSE_OFF.encode()) > terminal.output.index(MOUSE_ON.encode())
    assert "interrupted" in terminal.text()


def test_draw_without_a_terminal_or_with_a_model_that_reads_no_images(trained_digits, xor_model):
    piped = run("draw", trained_digits)
    assert piped.exit_code == 1
    assert piped.stderr.strip().splitlines() == [
        "nncli: nncli draw needs a terminal to draw on; to read a digit from a file: nncli predict MODEL --image FILE"
    ]
    xor = run("draw", "xor")
    assert xor.exit_code == 1 and "only digit models do" in xor.stderr
    assert len(xor.stderr.strip().splitlines()) == 1
