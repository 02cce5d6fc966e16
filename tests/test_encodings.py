"""Output in any encoding: on a stream that cannot encode σ, ₁, ▓ or braille (a Windows
pipe or file in cp1252, LANG=C's ASCII, Latin-1) every command writes ASCII stand-ins
for them instead of failing."""

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from nncli.text import ascii_equivalent, ascii_fallback

# its module fixture trains models once: all its tests on one worker
pytestmark = pytest.mark.xdist_group("encodings")

COMMANDS = [
    ("train", "xor", "--epochs", "300"),
    ("train", "digits", "--epochs", "2", "--limit", "200"),
    ("approx", "sin", "--epochs", "50"),
    ("evaluate", "xor"),
    ("predict", "xor", "1", "0"),
    ("visualize", "xor"),
    ("inspect", "weights", "xor"),
    ("inspect", "model", "xor"),
    ("inspect", "network", "xor", "--input", "1,0", "--grad"),
    ("inspect", "graph", "tanh(x*w + b)", "x=2", "w=-3", "b=6.8814"),
    ("replay", "xor"),
    ("compare", "linreg", "--vary", "lr=0.01,1.1", "--epochs", "30"),
    ("descend", "rosenbrock", "--steps", "50"),
    ("lr-find", "xor"),
    ("explain", "descent"),
    ("explain", "backprop", "xor", "--input", "1,0"),
    ("export", "xor", "--to", "json", "{tmp}/xor.json"),
    ("gradcheck",),
    ("learn",),
    ("learn", "1", "--quick"),
    ("learn", "9", "--quick"),
    ("--help",),
    ("train", "xor", "--help"),
]


def test_stand_ins_for_what_the_tool_prints():
    text = "a = σ(z₁)  x² 2³² ▓░█ ⠒⣿ ─│┼ ŷ x̂ ∂L/∂m η·δ ✓ → ▁▄█ ⁻¹"
    assert text.encode("ascii", ascii_fallback()).decode() == (
        "a = sigma(z1)  x^2 2^32 #.# .: -|+ y^ x^ dL/dm eta*delta v -> _=# ^-1"
    )
    assert text.encode("cp1252", ascii_fallback()).decode("cp1252").startswith("a = sigma(z1)  x² 2³² #.#")
    assert ascii_equivalent("Σ") == "sum" and ascii_equivalent("Δ") == "Delta"


def test_every_character_has_an_ascii_stand_in():
    handler = ascii_fallback()
    for code in range(0x80, 0x30000):
        if not 0xD800 <= code <= 0xDFFF:
            chr(code).encode("ascii", handler)  # never raises
    assert "\udc80".encode("ascii", handler) == b"?"  # a lone surrogate, as a file name may hold


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A model store with an XOR model in it, shared by the runs below."""
    from conftest import run

    home = tmp_path_factory.mktemp("store")
    assert run("train", "xor", "--epochs", "300", "--quiet", env={"NNCLI_HOME": str(home)}).exit_code == 0
    return home


def run_encoded(encoding, args, store):
    from nncli.cli import main

    args = [arg.format(tmp=store.parent) for arg in args]
    return CliRunner(charset=encoding).invoke(main, args, env={"NNCLI_HOME": str(store), "COLUMNS": "100"})


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_every_command_writes_cp1252(store, args):
    result = run_encoded("cp1252", args, store)
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.decode("cp1252") and "unexpected error" not in result.stderr


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("args", [COMMANDS[0], COMMANDS[5], ("learn", "5", "--quick")], ids=" ".join)
def test_ascii_and_latin_1_streams(store, encoding, args):
    result = run_encoded(encoding, args, store)
    assert result.exit_code == 0, result.stderr
    text = result.stdout_bytes.decode(encoding)
    if args[0] == "learn":  # the lesson on backprop writes σ'(z) and ∂L/∂w: as sigma and d
        assert "sigma" in text and "dL/d" in text


def test_a_real_process_writes_to_a_file_and_a_pipe_in_cp1252(tmp_path):
    """The case that lost a run: `train xor > log` trained, saved, then exited 1."""
    env = {**os.environ, "PYTHONIOENCODING": "cp1252", "NNCLI_HOME": str(tmp_path / "store")}
    command = [sys.executable, "-m", "nncli", "train", "xor", "--epochs", "100"]
    with open(tmp_path / "log", "wb") as log:
        assert subprocess.run(command, stdout=log, stderr=subprocess.PIPE, env=env).returncode == 0
    piped = subprocess.run(command, capture_output=True, env=env)
    assert piped.returncode == 0, piped.stderr
    for output in ((tmp_path / "log").read_bytes(), piped.stdout, piped.stderr):
        output.decode("cp1252")
    assert "·".encode("cp1252") in piped.stderr  # cp1252 has the middle dot: it is kept
