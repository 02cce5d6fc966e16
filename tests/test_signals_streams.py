"""How a run ends when the world interferes: signals (real processes), closed, full and
broken streams, and every kind of file a --save or --svg target can be."""

import json
import os
import pty
import re
import select
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import json_lines, run

from nncli import store
from nncli.train import TrainResult

ROOT = Path(__file__).parents[1]
LONG_XOR = ["train", "xor", "--epochs", "100000000", "--log-every", "100"]


def nncli_process(args, tmp_path, **kwargs):
    env = {**os.environ, "NNCLI_HOME": str(tmp_path / "store"), "PYTHONPATH": str(ROOT)}
    env.pop("NO_COLOR", None)
    return subprocess.Popen([sys.executable, "-m", "nncli", *args], env=env, text=True, **kwargs)


def shell(command, tmp_path):
    """Run `command` in sh, where `nncli` is this checkout's; (exit code, stderr)."""
    env = {**os.environ, "NNCLI_HOME": str(tmp_path / "store"), "PYTHONPATH": str(ROOT)}
    command = command.replace("nncli ", f"{sys.executable} -m nncli ")
    done = subprocess.run(["sh", "-c", command], env=env, capture_output=True, text=True, timeout=120)
    return done.returncode, done.stderr


def wait_for_epochs(process):
    for line in process.stdout:  # until training is under way
        if json.loads(line)["event"] == "epoch":
            return


def leftovers(folder):
    return [p.name for p in Path(folder).iterdir() if p.name.endswith(".tmp")]


# --- signals -----------------------------------------------------------------------------


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 130)])
def test_a_signal_stops_training_saves_and_exits_with_its_code(tmp_path, signum, code):
    path = tmp_path / "stopped.npz"
    process = nncli_process(
        [*LONG_XOR, "--json", "--save", str(path)], tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    wait_for_epochs(process)
    process.send_signal(signum)
    rest, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr and f"saved what it learned to {path}" in stderr
    summary = json.loads(rest.strip().splitlines()[-1])
    assert summary["event"] == "summary" and summary["interrupted"] is True
    store.load_model(path)  # what was saved loads
    assert leftovers(tmp_path) == []


def test_sigterm_on_a_terminal_restores_the_cursor(tmp_path):
    """Under a pseudo-terminal the live panel hides the cursor; SIGTERM must show it again."""
    leader, follower = pty.openpty()
    process = nncli_process(LONG_XOR, tmp_path, stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    screen, deadline = b"", time.monotonic() + 60
    while b"loss" not in screen and time.monotonic() < deadline:  # the panel is drawing epochs
        if select.select([leader], [], [], 1)[0]:
            screen += os.read(leader, 65536)
    process.send_signal(signal.SIGTERM)
    while True:
        try:
            chunk = os.read(leader, 65536) if select.select([leader], [], [], 5)[0] else b""
        except OSError:  # the process is gone and the terminal closed
            break
        if not chunk:
            break
        screen += chunk
    assert process.wait(timeout=60) == 143
    os.close(leader)
    assert b"\x1b[?25l" in screen  # hidden while drawing …
    assert screen.rfind(b"\x1b[?25h") > screen.rfind(b"\x1b[?25l")  # … and shown again at the end
    assert b"Traceback" not in screen and b"interrupted at epoch" in screen


def catches_sigterm(process):
    """Whether the process handles SIGTERM itself. Python alone does not, and nncli's first
    line starts remembering every interrupting signal: so True means nncli has started."""
    status = Path(f"/proc/{process.pid}/status").read_text()
    caught = int(re.search(r"^SigCgt:\s*([0-9a-fA-F]+)", status, re.M).group(1), 16)
    return bool(caught >> (signal.SIGTERM - 1) & 1)


def start_nncli_and_wait_for_its_first_line(tmp_path):
    process = nncli_process([*LONG_XOR, "-q"], tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for _ in range(60_000):  # a generous bound (60 s) for a start-up on a busy machine
        if process.poll() is not None or catches_sigterm(process):
            return process
        time.sleep(0.001)
    process.kill()
    raise AssertionError("nncli did not start within 60 s")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads a process's signal mask from /proc")
def test_a_signal_while_starting_ends_quietly(tmp_path):
    """From nncli's first line on, a Ctrl-C at any moment of the start-up — importing the
    command line, NumPy, the task — ends it at once with 130 and no traceback: never lost,
    never a run that goes on. (Before that line, while Python itself starts, what happens is
    Python's own affair: it may print its traceback, or even lose the signal.)"""
    for delay in (0.0, 0.002, 0.005, 0.01, 0.02, 0.04, 0.08, 0.15, 0.3):
        process = start_nncli_and_wait_for_its_first_line(tmp_path)
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        try:
            _, stderr = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise AssertionError(f"a Ctrl-C {delay} s after nncli started was lost: the run went on") from None
        # A shell reports an end by the signal itself (-2 here) as 130 too.
        assert process.returncode in (130, -signal.SIGINT), (delay, stderr)
        assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, (delay, stderr)


def test_approx_json_interrupted_exits_130_after_its_summary(tmp_path):
    args = ["approx", "sin", "--epochs", "100000000", "--json", "--log-every", "100"]
    process = nncli_process(args, tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for_epochs(process)
    process.send_signal(signal.SIGINT)
    rest, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert json_lines(rest)[-1]["event"] == "summary"


def test_approx_json_that_diverges_says_so_on_stdout():
    result = run("approx", "--expr", "x", "--optimizer", "sgd", "--lr", "1000", "--json")
    assert result.exit_code == 3
    assert json_lines(result)[-1]["event"] == "diverged"


def test_ctrl_c_during_a_learning_rate_comparison_stops_every_run(monkeypatch):
    """The loss landscape's paths (compare linreg draws one per run) stop at the first Ctrl-C."""
    from dataclasses import replace

    from nncli.session.runner import load_trained, run_config
    from nncli.tasks import get_task
    from nncli.views import landscape

    calls = []

    def interrupted_fit(*args, **kwargs):
        calls.append(1)
        return TrainResult(epochs_run=1, interrupted=True)

    assert run("train", "linreg", "-q").exit_code == 0
    _task, network, meta, _path = load_trained(None)
    config = run_config(meta)
    dataset = get_task("linreg").load_data(config)
    runs = [(f"lr {lr}", replace(config, lr=lr)) for lr in (0.01, 0.1, 0.5)]
    monkeypatch.setattr(landscape, "fit", interrupted_fit)
    with pytest.raises(KeyboardInterrupt):
        landscape.descent_paths(network.spec(), dataset, None, runs)  # no line: no path gets drawn
    assert len(calls) == 1


# --- streams -----------------------------------------------------------------------------


def test_a_reader_that_quits_ends_the_output_not_the_run(tmp_path):
    """`nncli train xor --json | head -1`: exit 141, quietly, and the model is saved."""
    path = tmp_path / "m.npz"
    process = nncli_process(
        ["train", "xor", "--json", "--save", str(path)], tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert json.loads(process.stdout.readline())["event"] == "start"
    process.stdout.close()  # as head does after one line
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == 141
    assert stderr == ""
    store.load_model(path)


def test_a_broken_pipe_while_drawing_exits_141_quietly(tmp_path):
    assert shell("nncli train xor -q --epochs 5 >/dev/null", tmp_path)[0] == 0
    done = subprocess.run(
        ["bash", "-c", f"{sys.executable} -m nncli visualize xor | head -3 >/dev/null; exit ${{PIPESTATUS[0]}}"],
        env={**os.environ, "NNCLI_HOME": str(tmp_path / "store"), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 141 and done.stderr == ""


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_a_full_stdout_is_exit_1_with_one_line_and_the_model_saved(tmp_path, json_flag):
    code, stderr = shell(
        f"nncli train xor --epochs 5 {' '.join(json_flag)} --save {tmp_path}/m.npz >/dev/full", tmp_path
    )
    assert code == 1
    assert stderr.strip().splitlines()[-1] == "nncli: cannot write the output (No space left on device)"
    store.load_model(tmp_path / "m.npz")


def test_a_closed_stdout_writes_nowhere_and_the_run_succeeds(tmp_path):
    code, stderr = shell(f"nncli train xor --epochs 5 --save {tmp_path}/m.npz >&-", tmp_path)
    assert code == 0 and "Traceback" not in stderr
    store.load_model(tmp_path / "m.npz")


def test_a_closed_stdin_reads_as_empty(tmp_path):
    assert shell("nncli train xor -q --epochs 5 >/dev/null", tmp_path)[0] == 0
    code, stderr = shell("nncli predict <&-", tmp_path)
    assert code == 1 and stderr == "nncli: stdin: no rows of numbers (it is empty)\n"


# --- target paths ------------------------------------------------------------------------


def save_xor(path, *more):
    return run("train", "xor", "-q", "--epochs", "5", "--save", str(path), *more)


@pytest.mark.parametrize("target", ["/dev/null", "fifo", "folder"])
def test_a_target_that_is_not_a_regular_file_is_refused_before_training(tmp_path, target):
    path = Path(target) if target.startswith("/") else tmp_path / target
    if target == "fifo":
        os.mkfifo(path)
    elif target == "folder":
        path.mkdir()
    before = os.stat(path).st_mode
    assert save_xor(tmp_path / "m.npz").exit_code == 0
    saved = save_xor(path)  # --save takes a file name: a folder is click's usage error (2)
    drawn = run("visualize", tmp_path / "m.npz", "--svg", str(path), "--view", "loss")
    assert saved.exit_code == (2 if target == "folder" else 1) and drawn.exit_code == 1
    for result in (saved, drawn):
        assert "refused" in result.stderr or "folder" in result.stderr or "directory" in result.stderr
    assert os.stat(path).st_mode == before and leftovers(path.parent if target != "/dev/null" else tmp_path) == []


def test_a_replaced_model_keeps_its_permissions(tmp_path):
    path = tmp_path / "m.npz"
    assert save_xor(path).exit_code == 0
    path.chmod(0o600)
    assert save_xor(path, "--seed", "1").exit_code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    svg = tmp_path / "p.svg"
    svg.write_text("old")
    svg.chmod(0o640)
    assert run("visualize", str(path), "--view", "loss", "--svg", str(svg)).exit_code == 0
    assert stat.S_IMODE(svg.stat().st_mode) == 0o640 and svg.read_text().startswith("<svg")


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    real = tmp_path / "kept" / "m.npz"
    real.parent.mkdir()
    assert save_xor(real).exit_code == 0
    link = tmp_path / "link.npz"
    link.symlink_to(real)
    assert save_xor(link, "--seed", "3").exit_code == 0
    assert link.is_symlink() and store.load_model(real)[1]["seed"] == 3
    dangling = tmp_path / "new.npz"
    dangling.symlink_to(tmp_path / "kept" / "fresh.npz")
    assert save_xor(dangling).exit_code == 0 and dangling.is_symlink() and (tmp_path / "kept" / "fresh.npz").is_file()


def test_bad_target_names_are_refused_before_training(tmp_path):
    too_long = save_xor(tmp_path / ("a" * 300 + ".npz"))
    assert too_long.exit_code == 1 and "File name too long" in too_long.stderr and len(too_long.stderr) < 500
    no_folder = save_xor(tmp_path / "missing" / "m.npz")
    assert no_folder.exit_code == 1 and "does not exist" in no_folder.stderr
    no_user = save_xor("~nosuchuser-for-nncli/m.npz")
    assert no_user.exit_code == 2 and "no such user" in no_user.stderr


def test_a_name_with_markup_is_shown_as_typed(tmp_path):
    path = tmp_path / "run[red].npz"
    result = run("train", "xor", "--epochs", "5", "--save", str(path))
    assert result.exit_code == 0 and f"model saved to {path}" in result.stderr


def test_stale_temporary_files_are_removed_and_fresh_ones_kept(tmp_path):
    stale, fresh = tmp_path / ".m.npz.abcdefgh.tmp", tmp_path / ".m.npz.ijklmnop.tmp"
    stale.write_bytes(b"half a model")
    fresh.write_bytes(b"another writer's")
    an_hour_ago = time.time() - store.STALE_TEMPORARY_S - 60
    os.utime(stale, (an_hour_ago, an_hour_ago))
    state = {"0.weight": np.zeros((1, 1), np.float32), "0.bias": np.zeros(1, np.float32)}
    meta = {"task": "linreg", "layers": [{"type": "linear", "in": 1, "out": 1, "bias": True}], "dtype": "float32"}
    store.save_model(tmp_path / "m.npz", state, meta)
    assert not stale.exists() and fresh.exists()


def test_data_whose_scale_overflows_is_refused_before_training(tmp_path):
    data = tmp_path / "huge.csv"
    data.write_text("x,y\n1e200,1\n-1e200,2\n3e200,3\n")
    result = run("train", "linreg", "--data", str(data), "-q")
    assert result.exit_code == 1 and "overflowed" in result.stderr
    assert not (tmp_path / "store" / "linreg.npz").exists()
    result = run("approx", "--expr", "8e307*x", "-q")
    assert result.exit_code == 1 and "overflowed" in result.stderr


# --- resources ---------------------------------------------------------------------------


def test_the_loss_history_stays_bounded_and_evenly_spaced(monkeypatch):
    from nncli import train
    from nncli.nn import mlp_spec
    from nncli.nn.network import build_network

    monkeypatch.setattr(train, "MAX_HISTORY", 8)
    network = build_network(mlp_spec([2, 3, 1], "sigmoid", "sigmoid"), "mse", "tensor", "float64", 0)
    X, y = np.array([[0.0, 0], [0, 1], [1, 0], [1, 1]]), np.array([[0.0], [1], [1], [0]])
    epochs = []
    config = train.TrainConfig(epochs=100, lr=0.5, batch_size=4, log_every=1)
    result = train.fit(network, X, y, config, lambda e: epochs.append(e) if e["event"] == "epoch" else None)
    losses = [e["loss"] for e in epochs]
    assert len(result.history["loss"]) <= 9 and result.history_stride == 16
    kept = list(range(0, 100, 16))  # epochs 1, 17, 33, … then always the last
    assert result.history["loss"] == [losses[i] for i in kept] + [losses[-1]]


@pytest.mark.parametrize(
    "args, words",
    [
        (["approx", "sin", "--samples", "1000000", "--hidden", "10000"], "GiB"),
        (["train", "xor", "--engine", "scalar", "--hidden", "10000"], "scalar engine handles at most"),
        (["train", "xor", "--hidden", "100000,100000"], "parameters"),
    ],
)
def test_runs_that_would_exhaust_memory_are_refused_before_allocating(args, words):
    result = run(*args)
    assert result.exit_code == 2 and words in result.stderr
