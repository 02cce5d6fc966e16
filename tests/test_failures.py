"""Hunting for failures: every bad input gives its exit code and a short plain message,
never a traceback, and leaves the user's files as they were."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from conftest import run


@pytest.fixture
def valid_model(tmp_path):
    path = tmp_path / "valid.npz"
    result = run("train", "xor", "-q", "--epochs", "5", "--save", path)
    assert result.exit_code == 0, result.stderr
    return path


def digest(folder):
    """A fingerprint of every file under `folder`, to show nothing was touched."""
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def rewrite(valid, target, change):
    """Copy the model at `valid` to `target`, letting `change(arrays, meta)` alter it."""
    with np.load(valid) as npz:
        arrays = {k: npz[k] for k in npz.files}
    meta = json.loads(arrays.pop("__meta__").tobytes())
    change(arrays, meta)
    if meta is not None:
        arrays["__meta__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(target, **arrays)


def _set(mapping, key, value):
    mapping[key] = value


MODEL_FILES = {
    "missing": (None, "no such file"),
    "empty": (lambda valid, p: p.write_bytes(b""), "empty"),
    "not an npz": (lambda valid, p: p.write_text("hello, I am a text file"), "not an .npz"),
    "truncated": (lambda valid, p: p.write_bytes(valid.read_bytes()[: valid.stat().st_size // 2]), "damaged"),
    "a pickle": (lambda valid, p: p.write_bytes(b"\x80\x04\x95" + b"cos\nsystem\n" * 3), "not an .npz"),
    "npz of another program": (lambda valid, p: np.savez(p, weights=np.ones(3)), "not written by nncli"),
    "metadata not JSON": (
        lambda valid, p: np.savez(p, **{"__meta__": np.frombuffer(b"{oops", dtype=np.uint8)}),
        "not valid JSON",
    ),
    "newer format": (lambda valid, p: rewrite(valid, p, lambda a, m: _set(m, "format_version", 99)), "newer nncli"),
    "missing key": (lambda valid, p: rewrite(valid, p, lambda a, m: a.pop("2.bias")), "missing arrays: 2.bias"),
    "unexpected key": (
        lambda valid, p: rewrite(valid, p, lambda a, m: _set(a, "9.weight", np.ones(2, np.float32))),
        "unexpected",
    ),
    "shape disagrees with the metadata": (
        lambda valid, p: rewrite(valid, p, lambda a, m: _set(a, "0.weight", np.ones((2, 4), np.float32))),
        "shape",
    ),
    "wrong dtype": (lambda valid, p: rewrite(valid, p, lambda a, m: _set(a, "0.bias", np.ones(4, np.int64))), "int64"),
    "NaN weights": (
        lambda valid, p: rewrite(valid, p, lambda a, m: _set(a, "0.bias", np.full(4, np.nan, np.float32))),
        "NaN",
    ),
    "pickled object inside": (
        lambda valid, p: np.savez(
            p, __meta__=np.frombuffer(b"{}", dtype=np.uint8), evil=np.array([print], dtype=object)
        ),
        "pickled",
    ),
}


@pytest.mark.parametrize("case", MODEL_FILES, ids=list(MODEL_FILES))
@pytest.mark.parametrize(
    "command", [["evaluate"], ["predict", "--json"], ["inspect", "weights"], ["inspect", "model"]], ids=" ".join
)
def test_bad_model_files_exit_1_naming_the_file(case, command, valid_model, tmp_path):
    make, message = MODEL_FILES[case]
    path = tmp_path / "bad.npz"
    if make is not None:
        make(valid_model, path)
    before = digest(tmp_path)
    args = [command[0], *command[1 : 2 if command[0] == "inspect" else 1], str(path)]
    if command[0] == "predict":
        args += ["1", "0"]
    result = run(*args)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert str(path) in result.stderr and message in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2
    assert result.stdout == ""
    assert digest(tmp_path) == before


CSV_FILES = {
    "non-numeric cell": ("1,2\n3,abc\n", "line 2, column 2"),
    "NaN": ("1,2\nnan,3\n", "line 2, column 1"),
    "infinity": ("1,2\n2,inf\n", "line 2, column 2"),
    "wrong column count": ("1,2\n3,4,5\n", "line 2"),
    "one column": ("1\n2\n", "expected 2 columns"),
    "empty": ("", "no rows"),
    "only a header": ("x,y\n", "only a header"),
}


@pytest.mark.parametrize("case", CSV_FILES, ids=list(CSV_FILES))
def test_bad_csv_data_exits_1_with_line_and_column(case, tmp_path, model_home):
    content, message = CSV_FILES[case]
    path = tmp_path / "data.csv"
    path.write_text(content)
    result = run("train", "linreg", "--data", path, "--json")
    assert result.exit_code == 1, result.stderr
    assert message in result.stderr and str(path) in result.stderr
    assert result.stdout == "" and not model_home.exists()


def test_missing_csv_exits_1(tmp_path):
    result = run("train", "linreg", "--data", tmp_path / "nope.csv")
    assert result.exit_code == 1 and "no such file" in result.stderr


@pytest.mark.parametrize("rows,message", [("1,2,3\n", "expected 2 columns"), ("1,x\n", "column 2"), ("", "no rows")])
def test_predict_rejects_bad_rows_on_stdin(rows, message, valid_model):
    result = run("predict", valid_model, input=rows)
    assert result.exit_code == 1 and message in result.stderr


def test_unwritable_model_store_fails_before_training(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("I am not a folder")
    monkeypatch.setenv("NNCLI_HOME", str(blocker / "store"))
    result = run("train", "xor", "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert "model store" in result.stderr and "NNCLI_HOME" in result.stderr


def test_save_path_that_is_a_folder_is_a_usage_error(tmp_path):
    result = run("train", "xor", "--save", tmp_path, "--json")
    assert result.exit_code == 2 and result.stdout == "" and "directory" in result.stderr


def test_absurd_network_sizes_fail_before_allocating():
    result = run("train", "xor", "--hidden", "100000,100000")
    assert result.exit_code == 2 and "parameters" in result.stderr
    assert run("train", "xor", "--hidden", "100000000").exit_code == 2


def test_a_diverged_run_leaves_the_saved_model_alone(tmp_path, model_home):
    assert run("train", "linreg", "-q").exit_code == 0
    before = digest(model_home)
    assert run("train", "linreg", "--lr", "5", "-q").exit_code == 3
    assert digest(model_home) == before


def test_ctrl_c_saves_what_was_learned_and_exits_130(tmp_path):
    """A real SIGINT to a real process, as a terminal would send it."""
    env = {**os.environ, "NNCLI_HOME": str(tmp_path / "store")}
    path = tmp_path / "stopped.npz"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nncli",
            "train",
            "xor",
            "--epochs",
            "100000000",
            "--json",
            "--log-every",
            "100",
            "--save",
            str(path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    for line in process.stdout:  # wait until training is under way
        if json.loads(line)["event"] == "epoch":
            break
    process.send_signal(signal.SIGINT)
    rest, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Traceback" not in stderr and str(path) in stderr
    summary = json.loads(rest.strip().splitlines()[-1])
    assert summary["event"] == "summary" and summary["interrupted"] is True and summary["model"] == str(path)
    with zipfile.ZipFile(path) as archive:
        assert "__meta__.npy" in archive.namelist()


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda a, m: _set(m["config"], "points", 10**12), "points"),
        (lambda a, m: _set(m, "input_scaling", {"x_mean": ["a"], "x_std": [1.0]}), "input_scaling"),
        (lambda a, m: _set(m, "input_scaling", {"x_mean": [0.0], "x_std": [0.0]}), "zero"),
        (lambda a, m: _set(m, "config", {}), "cannot rebuild"),
    ],
    ids=["huge data size", "scaling not numbers", "zero scale", "settings missing"],
)
def test_hostile_task_metadata_is_refused_before_use(change, message, tmp_path):
    valid = tmp_path / "line.npz"
    assert run("train", "linreg", "-q", "--epochs", "3", "--save", valid).exit_code == 0
    path = tmp_path / "hostile.npz"
    rewrite(valid, path, change)
    result = run("evaluate", path)
    assert result.exit_code == 1 and message in result.stderr and str(path) in result.stderr
