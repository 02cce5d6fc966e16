"""Hostile model files, as an attacker or an unlucky user would make them, run through every
command that reads a model.

Each file is made by hand (no training), then one subprocess — under a memory limit
(RLIMIT_AS) — runs every command on every file and reports what happened. For each run:
a documented exit code, at most two lines on stderr each under 500 characters, no Python
exception text, nothing raw from the file on the screen, and no hang (a generous
timeout per run, which fails the run only if it never ends).
"""

import json
import os
import resource
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

# its module fixture runs every command on every file once: all its tests on one worker
pytestmark = pytest.mark.xdist_group("hostile")

COMMANDS = {
    "evaluate": ["evaluate", "{model}"],
    "predict": ["predict", "{model}", "0", "0"],
    "visualize": ["visualize", "{model}"],
    "inspect weights": ["inspect", "weights", "{model}"],
    "inspect model": ["inspect", "model", "{model}"],
}
MEMORY_LIMIT = 3 * 1024**3  # address space: NumPy and BLAS reserve far more than they touch
PROCESSES = 2
HANG_GUARD_S = 900  # a hang guard, not a timing test: the slowest honest run takes 46 s of CPU, more on a busy machine
EXCEPTION_WORDS = ("Traceback", "Error:", "unexpected error", "out of memory", "Exception")


# --- the files ---------------------------------------------------------------------------


def xor_meta(**changes):
    meta = {
        "format": "nncli-model",
        "format_version": 1,
        "nncli_version": "0.1.0",
        "task": "xor",
        "layers": [
            {"type": "linear", "in": 2, "out": 4, "bias": True},
            {"type": "sigmoid"},
            {"type": "linear", "in": 4, "out": 1, "bias": True},
            {"type": "sigmoid"},
        ],
        "dtype": "float32",
        "seed": 0,
        "config": {"epochs": 10, "lr": 3.0, "batch_size": 4, "hidden": [4], "activation": "sigmoid"},
        "input_scaling": None,
        "metrics": {"loss": 0.25, "accuracy": 0.5},
        "history": {"loss": [0.3, 0.25]},
        "data": "the XOR truth table",
        "epochs_run": 10,
    }
    meta.update(changes)
    return meta


def linreg_meta(**changes):
    layers = [{"type": "linear", "in": 1, "out": 1, "bias": True}]
    scaling = {"x_mean": [0.0], "x_std": [1.0], "y_mean": [0.0], "y_std": [1.0]}
    config = {"epochs": 10, "lr": 0.1, "batch_size": None, "points": 50, "slope": 2.0, "intercept": 1.0}
    config.update(noise=0.5, optimizer="sgd", weight_decay=0.0, init="pytorch", hidden=[], activation="identity")
    return xor_meta(**{"task": "linreg", "layers": layers, "input_scaling": scaling, "config": config, **changes})


def approx_meta(**changes):
    target = {"name": "sin", "formula": "sin(x)", "domain": [-3.0, 3.0]}
    config = {"epochs": 10, "lr": 0.01, "hidden": [4], "activation": "tanh", "samples": 50, "method": "train"}
    config.update(target="sin", formula="sin(x)", domain=[-3.0, 3.0], batch_size=None, optimizer="adam")
    scaling = {"x_mean": [0.0], "x_std": [3.0], "y_mean": [0.0], "y_std": [1.0]}
    layers = [
        {"type": "linear", "in": 1, "out": 4, "bias": True},
        {"type": "tanh"},
        {"type": "linear", "in": 4, "out": 1, "bias": True},
    ]
    fields = {"task": "approx", "layers": layers, "config": config, "input_scaling": scaling, "target": target}
    return xor_meta(**{**fields, **changes})


def state_for(layers, dtype="float32"):
    rng = np.random.default_rng(0)
    state = {}
    for i, spec in enumerate(layers):
        if spec.get("type") == "linear":
            state[f"{i}.weight"] = rng.normal(size=(spec["out"], spec["in"])).astype(dtype)
            state[f"{i}.bias"] = rng.normal(size=spec["out"]).astype(dtype)
    return state


def write(path, meta=None, arrays=None, meta_bytes=None, compress=False):
    """An .npz with `arrays` (default: weights matching `meta`) and the metadata entry."""
    arrays = dict(state_for(meta["layers"]) if arrays is None else arrays)
    if meta_bytes is None and meta is not None:
        meta_bytes = json.dumps(meta).encode()
    if meta_bytes is not None:
        arrays["__meta__"] = np.frombuffer(meta_bytes, dtype=np.uint8)
    (np.savez_compressed if compress else np.savez)(path, **arrays)


def nested(depth):
    return "[" * depth + "]" * depth


def deep_meta_bytes(depth):
    text = json.dumps(xor_meta(config={"x": 0}))
    return text.replace('{"x": 0}', '{"x": ' + nested(depth) + "}").encode()


ESCAPES = "\x1b]0;owned\x07\x1b[2J\x1b[31m"
MARKUP = "[link=https://example.com]click[/link][/oops][red]"

# kind → {case name → function(path) that writes the file}
CASES = {
    "container": {
        "empty file": lambda p: p.write_bytes(b""),
        "text file": lambda p: p.write_text("hello\n"),
        "pickle": lambda p: p.write_bytes(b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94."),
        "truncated zip": lambda p: (write(p, xor_meta()), p.write_bytes(p.read_bytes()[:200])),
        "zip of text": lambda p: _zip(p, {"readme.txt": b"hi"}),
        "object array": lambda p: np.savez(p, __meta__=np.array([{"a": 1}], dtype=object)),
        "no metadata": lambda p: np.savez(p, **state_for(xor_meta()["layers"])),
        "bad zip entry header": lambda p: _zip(p, {"__meta__.npy": b"\x93NUMPY\x01\x00garbage"}),
        "too many entries": lambda p: np.savez(p, **{f"a{i}": np.zeros(1) for i in range(10_001)}),
        "declared 10^12 numbers": lambda p: _zip(p, {"0.weight.npy": _npy_header("<f4", (1_000_000, 1_000_000))}),
    },
    "metadata": {
        "not utf-8": lambda p: write(p, xor_meta(), meta_bytes=b"\xff\xfe{}"),
        "not json": lambda p: write(p, xor_meta(), meta_bytes=b"{nope"),
        "json list": lambda p: write(p, xor_meta(), meta_bytes=b"[1, 2]"),
        "NaN constant": lambda p: write(
            p, xor_meta(), meta_bytes=json.dumps(xor_meta()).replace("0.25", "NaN", 1).encode()
        ),
        "other format": lambda p: write(p, xor_meta(format="keras")),
        "newer version": lambda p: write(p, xor_meta(format_version=99)),
        "version a string": lambda p: write(p, xor_meta(format_version="1")),
        "nested 10^5 deep": lambda p: write(p, xor_meta(), meta_bytes=deep_meta_bytes(100_000)),
        "nested 20 deep": lambda p: write(p, xor_meta(), meta_bytes=deep_meta_bytes(20)),
        "15 MB string": lambda p: write(p, xor_meta(data="A" * 15_000_000), compress=True),
        "15 MB key": lambda p: write(p, xor_meta(config={"k" * 15_000_000: 1}), compress=True),
        "million-item list": lambda p: write(p, xor_meta(history={"loss": [0.1] * 1_000_000}), compress=True),
        "metadata 17 MB": lambda p: write(p, xor_meta(), meta_bytes=b" " * 17_000_000, compress=True),
    },
    "field types": {
        "task a number": lambda p: write(p, xor_meta(task=7)),
        "task unknown": lambda p: write(p, xor_meta(task="chess")),
        "dtype int8": lambda p: write(p, xor_meta(dtype="int8")),
        "seed a string": lambda p: write(p, xor_meta(seed="0")),
        "seed negative": lambda p: write(p, xor_meta(seed=-1)),
        "seed 2**70": lambda p: write(p, xor_meta(seed=2**70)),
        "seed true": lambda p: write(p, xor_meta(seed=True)),
        "config a list": lambda p: write(p, xor_meta(config=[1, 2])),
        "config nested object": lambda p: write(p, xor_meta(config={"hidden": {"a": 1}})),
        "config key markup": lambda p: write(p, xor_meta(config={"[red]x": 1})),
        "config points 10^12": lambda p: write(p, linreg_meta(config={**linreg_meta()["config"], "points": 10**12})),
        "config points a string": lambda p: write(p, linreg_meta(config={**linreg_meta()["config"], "points": "9"})),
        "config lr a string": lambda p: write(p, linreg_meta(config={**linreg_meta()["config"], "lr": "fast"})),
        "metrics a list": lambda p: write(p, xor_meta(metrics=[0.5])),
        "metric a string": lambda p: write(p, xor_meta(metrics={"accuracy": "100%"})),
        "history a number": lambda p: write(p, xor_meta(history=3)),
        "history of strings": lambda p: write(p, xor_meta(history={"loss": ["a", "b"]})),
        "scaling a string": lambda p: write(p, linreg_meta(input_scaling="z")),
        "scaling zero std": lambda p: write(
            p, linreg_meta(input_scaling={**linreg_meta()["input_scaling"], "x_std": [0.0]})
        ),
        "scaling overflowed": lambda p: write(
            p, linreg_meta(input_scaling={**linreg_meta()["input_scaling"], "x_std": [None]})
        ),
        "scaling too long": lambda p: write(
            p, linreg_meta(input_scaling={**linreg_meta()["input_scaling"], "x_mean": [0.0] * 5})
        ),
        "scaling unknown key": lambda p: write(p, linreg_meta(input_scaling={"z_mean": [0.0]})),
        "epochs_run negative": lambda p: write(p, xor_meta(epochs_run=-5)),
        "target a string": lambda p: write(p, approx_meta(target="sin")),
        "target domain reversed": lambda p: write(
            p, approx_meta(target={"name": None, "formula": "x", "domain": [3, -3]})
        ),
        "target formula code": lambda p: write(
            p, approx_meta(target={"name": None, "formula": "__import__('os')", "domain": [-1, 1]})
        ),
        "data not a string": lambda p: write(p, xor_meta(data={"path": "/etc/passwd"})),
    },
    "layers and arrays": {
        "layers missing": lambda p: write(p, {k: v for k, v in xor_meta().items() if k != "layers"}, arrays={}),
        "layer type unknown": lambda p: write(p, xor_meta(layers=[{"type": "conv", "in": 2, "out": 1}]), arrays={}),
        "layer width a string": lambda p: write(
            p, xor_meta(layers=[{"type": "linear", "in": "2", "out": 1, "bias": True}]), arrays={}
        ),
        "widths disagree with arrays": lambda p: write(
            p,
            xor_meta(),
            arrays=state_for([{"type": "linear", "in": 3, "out": 4}, {}, {"type": "linear", "in": 4, "out": 1}]),
        ),
        "layers chain broken": lambda p: write(
            p,
            xor_meta(
                layers=[
                    {"type": "linear", "in": 2, "out": 4, "bias": True},
                    {"type": "linear", "in": 5, "out": 1, "bias": True},
                ]
            ),
            arrays={},
        ),
        "array missing": lambda p: write(
            p, xor_meta(), arrays={k: v for k, v in state_for(xor_meta()["layers"]).items() if k != "2.bias"}
        ),
        "array extra": lambda p: write(
            p, xor_meta(), arrays={**state_for(xor_meta()["layers"]), "9.weight": np.zeros(3)}
        ),
        "weights int64": lambda p: write(
            p, xor_meta(), arrays={k: v.astype(np.int64) for k, v in state_for(xor_meta()["layers"]).items()}
        ),
        "weights complex": lambda p: write(
            p, xor_meta(), arrays={k: v.astype(np.complex64) for k, v in state_for(xor_meta()["layers"]).items()}
        ),
        "weights NaN": lambda p: write(
            p, xor_meta(), arrays={k: np.full_like(v, np.nan) for k, v in state_for(xor_meta()["layers"]).items()}
        ),
        "weights infinite": lambda p: write(
            p, xor_meta(), arrays={k: np.full_like(v, np.inf) for k, v in state_for(xor_meta()["layers"]).items()}
        ),
        "dropout p 2": lambda p: write(
            p, xor_meta(layers=xor_meta()["layers"][:2] + [{"type": "dropout", "p": 2}] + xor_meta()["layers"][2:])
        ),
        "leaky slope missing": lambda p: write(
            p, xor_meta(layers=[xor_meta()["layers"][0], {"type": "leaky_relu"}] + xor_meta()["layers"][2:])
        ),
        "100,000 layers": lambda p: write(p, xor_meta(layers=[{"type": "relu"}] * 100_000), compress=True),
        "width 10^9": lambda p: write(
            p, xor_meta(layers=[{"type": "linear", "in": 2, "out": 10**9, "bias": True}]), arrays={}
        ),
        "1→3,000,000→1 in 40 KB": lambda p: _wide(p, 3_000_000),
        "xor 2→100,000→1": lambda p: _wide(p, 100_000, inputs=2),
        "xor 2→20,000→1": lambda p: _wide(p, 20_000, inputs=2),
        "5 GB of bias": lambda p: _zip(
            p,
            {
                "__meta__.npy": _npy(json.dumps(xor_meta()).encode()),
                "0.weight.npy": _npy_header("<f4", (4, 2)),
                "0.bias.npy": _npy_header("<f4", (1_300_000_000,)),
            },
        ),
    },
    "paths named": {
        "data /dev/zero": lambda p: write(p, linreg_meta(config={**linreg_meta()["config"], "data": "/dev/zero"})),
        "data a FIFO": lambda p: write(p, linreg_meta(config={**linreg_meta()["config"], "data": str(_fifo(p))})),
        "data /etc/passwd": lambda p: write(p, linreg_meta(config={**linreg_meta()["config"], "data": "/etc/passwd"})),
        "xor with data": lambda p: write(p, xor_meta(config={**xor_meta()["config"], "data": "/dev/zero"})),
        "mnist data_dir /dev": lambda p: write(p, _mnist_meta("/dev")),
        "mnist data_dir a FIFO": lambda p: write(p, _mnist_meta(str(_fifo(p)))),
    },
    "text": {
        "escapes in the file name": lambda p: _renamed(p, "esc" + ESCAPES + ".npz"),
        "markup in the file name": lambda p: _renamed(p, "run[red]" + MARKUP.replace("/", "|") + ".npz"),
        "escapes in data": lambda p: write(p, xor_meta(data=ESCAPES)),
        "markup in data": lambda p: write(p, xor_meta(data=MARKUP)),
        "escapes in nncli_version": lambda p: write(p, xor_meta(nncli_version=ESCAPES)),
        "escapes in task": lambda p: write(p, xor_meta(task=ESCAPES)),
        "markup in task": lambda p: write(p, xor_meta(task="[/oops]")),
        "markup in a metric name": lambda p: write(p, xor_meta(metrics={"[/oops]": 1.0})),
        "markup in a history name": lambda p: write(p, xor_meta(history={"[bold]x": [1.0]})),
        "escapes in a config string": lambda p: write(
            p, xor_meta(config={**xor_meta()["config"], "activation": ESCAPES})
        ),
        "markup in the formula": lambda p: write(
            p, approx_meta(target={"name": None, "formula": "[/oops]", "domain": [-1.0, 1.0]})
        ),
        "bidi override in format": lambda p: write(p, xor_meta(format="\u202enncli-model")),
    },
}

# Honest models with odd text or an odd size: they load, and each command works.
LOADS = {"escapes in the file name", "markup in the file name", "escapes in data", "markup in data"}
LOADS |= {"escapes in nncli_version", "xor 2→20,000→1"}


# Files whose oddity only some commands meet: a task this nncli does not know still has
# weights to inspect; what a run setting means is the run configuration's to check.
SOME_COMMANDS = {"task unknown", "config lr a string", "escapes in a config string"}


def expected_codes(kind, case, command):
    """The documented exit codes of `command` on a case's file."""
    if case in LOADS:
        return {0}
    if case in SOME_COMMANDS:
        return {0, 1}
    if kind == "paths named":  # the file itself is sound; only rebuilding its data is refused
        return {
            "evaluate": {1},
            "visualize": {0, 1},  # xor's pictures need no data
            "predict": {0, 2},  # 2: two values for MNIST's 784 inputs is a usage error
        }.get(command, {0})
    return {1}


def _renamed(path, name):
    target = path.with_name(name)
    write(target, xor_meta())
    return target


def _zip(path, entries):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


def _npy_header(dtype, shape):
    header = repr({"descr": dtype, "fortran_order": False, "shape": shape}).encode()
    header += b" " * (63 - len(header) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header


def _npy(data):
    return _npy_header("|u1", (len(data),)) + data


def _wide(path, width, inputs=1):
    layers = [
        {"type": "linear", "in": inputs, "out": width, "bias": True},
        {"type": "tanh"},
        {"type": "linear", "in": width, "out": 1, "bias": True},
    ]
    arrays = {
        "0.weight": np.zeros((width, inputs), np.float32),
        "0.bias": np.zeros(width, np.float32),
        "2.weight": np.zeros((1, width), np.float32),
        "2.bias": np.zeros(1, np.float32),
    }
    meta = (
        approx_meta(layers=layers) if inputs == 1 else xor_meta(layers=layers[:2] + layers[2:] + [{"type": "sigmoid"}])
    )
    write(path, meta, arrays=arrays, compress=True)


def _fifo(path):
    fifo = path.with_suffix(".fifo")
    if not fifo.exists():
        os.mkfifo(fifo)
    return fifo


def _mnist_meta(folder):
    layers = [
        {"type": "linear", "in": 784, "out": 4, "bias": True},
        {"type": "relu"},
        {"type": "linear", "in": 4, "out": 10, "bias": True},
    ]
    config = {"epochs": 1, "lr": 0.001, "hidden": [4], "activation": "relu", "data_dir": folder, "limit": None}
    return xor_meta(task="mnist", layers=layers, config=config, input_scaling={"x_mean": [0.0], "x_std": [255.0]})


def build_all(folder):
    """Write every case into `folder`; {(kind, case): path}."""
    files = {}
    for kind, cases in CASES.items():
        for number, (case, make) in enumerate(cases.items()):
            path = folder / f"{kind.replace(' ', '_')}_{number}.npz"
            made = make(path)
            files[(kind, case)] = made if isinstance(made, Path) else path
    return files


# --- the runs, in one subprocess under a memory limit -------------------------------------


def run_batch(runs):
    """In the subprocess: run each (args) with the CLI in-process; one result per run."""
    from click.testing import CliRunner

    from nncli.cli import main

    def hung(signum, frame):
        raise TimeoutError(f"hang guard: still running after {HANG_GUARD_S} s")

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    signal.signal(signal.SIGALRM, hung)
    results = []
    for args in runs:
        signal.alarm(HANG_GUARD_S)  # a run that hangs ends as an exception, reported below
        result = CliRunner().invoke(main, args)
        signal.alarm(0)
        results.append(
            {
                "code": result.exit_code,
                "stdout": result.stdout[-2000:],
                "stdout_has_escape": "\x1b" in result.stdout,
                "stderr": result.stderr,
                "exception": None
                if result.exception is None or isinstance(result.exception, SystemExit)
                else repr(result.exception),
            }
        )
    return results


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    files = build_all(folder)
    runs, keys = [], []
    for (kind, case), path in files.items():
        for command, template in COMMANDS.items():
            runs.append([str(path) if part == "{model}" else part for part in template])
            keys.append((kind, case, command))
    env = {**os.environ, "NNCLI_HOME": str(folder / "store"), "HOME": str(folder), "COLUMNS": "100"}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parents[1]), env.get("PYTHONPATH", "")])
    env.pop("NO_COLOR", None)
    batches = [runs[i::PROCESSES] for i in range(PROCESSES)]  # one per core, all at once
    processes = [
        subprocess.Popen(
            [sys.executable, __file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in batches
    ]
    results = [None] * len(runs)
    for i, (process, batch) in enumerate(zip(processes, batches)):
        stdout, stderr = process.communicate(json.dumps(batch), timeout=HANG_GUARD_S * len(batch))
        assert process.returncode == 0, stderr[-3000:]
        results[i::PROCESSES] = json.loads(stdout)
    return dict(zip(keys, results))


def test_there_are_at_least_60_distinct_hostile_files():
    assert sum(len(cases) for cases in CASES.values()) >= 60


@pytest.mark.parametrize("kind, case", [(kind, case) for kind, cases in CASES.items() for case in cases])
def test_every_command_survives_the_file(outcomes, kind, case):
    for command in COMMANDS:
        outcome = outcomes[(kind, case, command)]
        where = f"{kind} / {case} / {command}: {outcome['stderr']!r}"
        assert outcome["code"] in expected_codes(kind, case, command), where
        assert outcome["exception"] is None, where
        assert "Traceback" not in outcome["stderr"], where
        assert not outcome["stdout_has_escape"] and "\x1b" not in outcome["stderr"], where
        lines = outcome["stderr"].splitlines()
        assert len(lines) <= 2 and all(len(line) < 500 for line in lines), where
        assert lines == [] or lines[0].startswith("nncli: "), where
        assert not any(word in outcome["stderr"] for word in EXCEPTION_WORDS), where


def test_text_from_a_file_is_shown_literally(outcomes):
    shown = outcomes[("text", "markup in the file name", "inspect model")]
    assert shown["code"] == 0 and "run[red]" in shown["stdout"]  # as typed, not as red
    escaped = outcomes[("text", "escapes in the file name", "inspect weights")]
    assert escaped["code"] == 0 and "\\x1b]0;owned" in escaped["stdout"]


def test_a_model_never_makes_nncli_open_a_path_it_names(outcomes):
    for case in ("data /dev/zero", "data a FIFO", "data /etc/passwd"):
        outcome = outcomes[("paths named", case, "evaluate")]
        assert outcome["code"] == 1 and "give --data FILE" in outcome["stderr"]


def test_a_wide_network_is_refused_before_it_is_allocated(outcomes):
    outcome = outcomes[("layers and arrays", "xor 2→100,000→1", "evaluate")]
    assert outcome["code"] == 1 and "GiB" in outcome["stderr"] and "budget" in outcome["stderr"]


if __name__ == "__main__":
    sys.stdout.write(json.dumps(run_batch(json.loads(sys.stdin.read()))))
