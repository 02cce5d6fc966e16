"""Hostile input that used to hang nncli or blow up its memory: a FIFO or /dev/zero where
the store keeps a small file, a page written to a FIFO, a pace of 1e-300 epochs a second,
a CSV header or a --vary list long enough to make a quadratic check run for hours, a table
too big to hold as text, and a reader that stops reading.

The commands that could hang run in a subprocess under HANG_GUARD_S: a generous bound so
that a regression fails instead of hanging the suite, never a timing assertion.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run

from nncli.cli.compare import MAX_RUNS
from nncli.cli.streams import BROKEN_PIPE_EXIT
from nncli.data import tables

HANG_GUARD_S = 120

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs and pipes")


def nncli(*args, stdout=subprocess.PIPE):
    """`nncli ARGS` in a subprocess of this checkout, bounded by HANG_GUARD_S."""
    checkout = os.pathsep.join([str(Path(__file__).parents[1]), os.environ.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "nncli", *map(str, args)],
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": checkout},
        timeout=HANG_GUARD_S,
    )


@pytest.fixture
def store_with_model(model_home):
    """A store holding one model, xor.npz."""
    assert run("train", "xor", "--epochs", "1", "-q").exit_code == 0
    return model_home


@pytest.mark.parametrize("kind", ["FIFO", "link to /dev/zero"])
def test_a_latest_pointer_that_is_not_a_file_is_passed_over(store_with_model, kind):
    latest = store_with_model / "latest"
    latest.unlink()
    if kind == "FIFO":
        os.mkfifo(latest)
    else:
        latest.symlink_to("/dev/zero")
    shown = nncli("inspect", "model")
    assert shown.returncode == 0 and "xor" in shown.stdout, shown.stderr  # the newest model in the store


def test_a_lessons_file_that_is_a_fifo_is_passed_over(model_home):
    model_home.mkdir()
    os.mkfifo(model_home / "lessons.json")
    listed = nncli("learn")
    assert listed.returncode == 0 and "not a regular file" in listed.stderr


@pytest.mark.parametrize(
    "args",
    [["learn", "1", "--html"], ["learn", "1", "--svg"], ["replay", "--html"], ["visualize", "--svg"]],
    ids=" ".join,
)
def test_a_page_to_a_fifo_is_refused(store_with_model, tmp_path, args):
    fifo = tmp_path / "page"
    os.mkfifo(fifo)
    refused = nncli(*args, fifo)
    assert refused.returncode == 1 and "not a regular file" in refused.stderr


def test_a_pace_too_slow_to_ever_end_is_a_usage_error():
    refused = nncli("train", "xor", "--epochs", "2", "--pace", "1e-300", "--no-save")
    assert refused.returncode == 2 and "epochs per second or more" in refused.stderr


def test_a_header_of_200000_columns_is_checked_in_one_pass(tmp_path):
    names = [f"c{i}" for i in range(200_000)]
    table = tmp_path / "wide.csv"
    table.write_text(",".join([*names, "c199999"]) + "\n" + ",".join(["1"] * 200_001) + "\n")
    refused = nncli("train", "csv", "--data", table, "--target", "c0")
    assert refused.returncode == 1 and "names 'c199999' twice (columns 200000 and 200001)" in refused.stderr


def test_a_vary_list_of_20000_values_is_refused_before_it_is_read():
    values = ",".join(str(epochs) for epochs in range(1, 20_001))  # as long as one argument may be
    refused = nncli("compare", "xor", "--vary", f"epochs={values}")
    assert refused.returncode == 2 and f"more than {MAX_RUNS} runs" in refused.stderr


def test_a_table_is_bounded_in_the_cells_it_holds(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "MAX_TABLE_CELLS", 1_000)
    table = tmp_path / "tall.csv"
    table.write_text("x,label\n" + "".join(f"{i},{i % 2}\n" for i in range(1_000)))
    refused = run("train", "csv", "--data", table, "--target", "label", "--epochs", "1")
    assert refused.exit_code == 1 and "more than 1,000 cells" in refused.stderr


def test_a_reader_that_stops_ends_a_lesson_with_a_broken_pipe(model_home):
    checkout = os.pathsep.join([str(Path(__file__).parents[1]), os.environ.get("PYTHONPATH", "")])
    lesson = subprocess.Popen(
        [sys.executable, "-m", "nncli", "learn", "3", "--quick"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": checkout},
    )
    assert lesson.stdout.readline()  # `| head -1`: one line, then the reader is gone
    lesson.stdout.close()
    stderr = lesson.stderr.read()
    assert lesson.wait(timeout=HANG_GUARD_S) == BROKEN_PIPE_EXIT, stderr
