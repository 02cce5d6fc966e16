"""Each fact once: the settings table makes the options, the config's checks and the
reproduce command; the task catalog makes the commands; the CLI loads what it runs."""

import ast
import dataclasses
import json
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
from conftest import run

import nncli.cli
from nncli.cli import COMMANDS
from nncli.cli.task_commands import RUN_SETTINGS, entry_settings, run_config
from nncli.cli.train import training_command
from nncli.command import command_line
from nncli.config import CHECKS, RunConfig
from nncli.settings import SETTINGS
from nncli.tasks import get_task
from nncli.tasks.catalog import TASKS

CLI = Path(nncli.cli.__file__).parent  # the package under test, installed or checked out
NOT_SETTINGS = {*RUN_SETTINGS, "watch", "pace", "serve"}  # how a run is shown and saved


def test_the_table_is_runconfigs_fields_with_their_defaults():
    fields = {f.name: f.default for f in dataclasses.fields(RunConfig) if f.name != "given"}
    assert list(fields) == [name for name in fields if name in SETTINGS] and set(fields) == set(SETTINGS)
    assert {name: setting.default for name, setting in SETTINGS.items()} == fields
    assert set(CHECKS) == set(SETTINGS)


def _bounds(setting):
    """Values just inside and just outside each bound of a numeric setting."""
    low = setting.low if setting.command_low is None else setting.command_low
    inside, outside = [], []
    for bound, step, is_open in ((low, -1, setting.low_open), (setting.high, 1, setting.high_open)):
        if bound is None:
            continue
        step = step if setting.kind == "int" else step * 1e-9 * max(1, abs(bound))
        (outside if is_open else inside).append(bound)
        outside.append(bound + step)
    return inside, outside


@pytest.mark.parametrize("name", sorted(TASKS))
def test_every_option_is_a_setting_read_by_the_tables_rules(name):
    """The options of `nncli train NAME`, derived from the table, against RunConfig: each
    is a field; a value at (past) each end of its range, as the task narrows it, passes
    (fails) the option, and the config's check takes what the option takes and refuses
    what the table's own range does."""
    command = training_command(name)
    ctx = click.Context(command)
    taken = {setting.name: setting for setting in entry_settings(TASKS[name])}
    params = {p.name: p for p in command.params if p.name not in NOT_SETTINGS and not p.name.startswith("show_")}
    assert set(params) == set(taken) and set(params) <= {f.name for f in dataclasses.fields(RunConfig)}
    for setting_name, param in params.items():
        setting, check = taken[setting_name], CHECKS[setting_name]
        if setting.kind in ("int", "number"):
            inside, outside = _bounds(setting)
            for value in inside:
                assert check(setting_name, param.type_cast_value(ctx, str(value))) == value
            for value in outside:
                with pytest.raises(click.BadParameter):
                    param.type_cast_value(ctx, str(value))
            table = dataclasses.replace(SETTINGS[setting_name], command_low=None)
            for value in _bounds(table)[1]:
                with pytest.raises(ValueError):
                    check(setting_name, value)
        if setting.kind == "choice":
            assert set(param.type.choices) <= set(setting.choices)
            for choice in param.type.choices:
                assert check(setting_name, choice) == choice


REQUIRED = {"csv": ["--data", "table.csv", "--target", "label"]}


@pytest.mark.parametrize("name", sorted(TASKS))
def test_the_reproduce_command_reads_back_as_the_same_run(name):
    """A bare command's settings → the recorded command line → parsed by the same
    command: the same RunConfig, every setting spelled by the flag the table gives it."""
    task, command = get_task(name), training_command(name)

    def config_of(args):
        ctx = command.make_context(name, list(args))
        return run_config(task, {k: v for k, v in ctx.params.items() if k in SETTINGS}, ctx)

    first = config_of(REQUIRED.get(name, []))
    line = command_line(name, first.to_dict())
    words = shlex.split(line)
    assert words[: 1 + len(TASKS[name].words.split())] == ["nncli", *TASKS[name].words.split()]
    again = config_of(words[1 + len(TASKS[name].words.split()) :])
    assert again == first


def test_each_entry_names_its_task():
    for name, entry in TASKS.items():
        task = get_task(name)
        assert task.name == name and task.title == entry.title
        assert set(entry.defaults) <= set(SETTINGS), name
        assert all(setting in SETTINGS for setting in entry.settings), name


def test_compare_and_lr_find_take_every_task_of_the_catalog():
    for group in ("compare", "lr-find", "train"):
        listing = run(group, "--help", env={"COLUMNS": "80"}).stdout.split("Commands:\n", 1)[1]
        assert [line.split()[0] for line in listing.splitlines()] == sorted(TASKS)


def test_compare_and_lr_find_run_approx():
    compared = run("compare", "approx", "--vary", "lr=0.003,0.03", "--epochs", "20", "--json")
    assert compared.exit_code == 0, compared.stderr
    (comparison,) = [event for event in map(json.loads, compared.stdout.splitlines()) if event["event"] == "comparison"]
    assert [run["settings"]["lr"] for run in comparison["runs"]] == [0.003, 0.03]
    found = run("lr-find", "approx", "--steps", "20", "--json")
    assert found.exit_code == 0, found.stderr
    assert json.loads(found.stdout.splitlines()[-1])["event"] == "lr_find"


# --- a CLI that loads what it runs ---------------------------------------------------------

COMMAND_MODULES = {value.split(":")[0] for value in COMMANDS.values()} | {"nncli.cli.graph"}


def _imported(path):
    """Every nncli module a file imports, at its top or inside its functions."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_command_module_imports_another():
    for module in sorted(COMMAND_MODULES):
        path = CLI / f"{module.rsplit('.', 1)[1]}.py"
        others = (_imported(path) & COMMAND_MODULES) - {module}
        assert not others, f"{module} imports {sorted(others)}: shared helpers belong in a helper module"


def _loaded(*args):
    """The nncli modules loaded, and whether NumPy and Rich were, by `nncli ARGS`."""
    script = (
        "import runpy, sys, json\n"
        f"sys.argv = ['nncli', *{list(args)!r}]\n"
        "try:\n    runpy.run_module('nncli', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('nncli', 'numpy', 'rich'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_help_loads_neither_numpy_nor_rich():
    for args in (["--help"], ["train", "--help"], ["train", "xor", "--help"]):
        loaded = _loaded(*args)
        assert "numpy" not in loaded and "rich" not in loaded, args


def test_training_loads_no_other_command(tmp_path):
    loaded = _loaded("train", "xor", "--epochs", "1", "-q", "--save", str(tmp_path / "xor.npz"))
    assert "nncli.cli.train" in loaded and "nncli.tasks.xor" in loaded
    assert not (loaded & COMMAND_MODULES) - {"nncli.cli.train"}
    assert not {m for m in loaded if m.startswith("nncli.tasks.")} - {
        "nncli.tasks.xor",
        "nncli.tasks.points",  # xor's points for `nncli play xor` are the point tasks' own code
        "nncli.tasks.base",
        "nncli.tasks.catalog",
        "nncli.session.runner",
    }


def test_every_activation_of_the_registry_is_a_layer_of_the_engine():
    """What an activation is, as text, lives in one registry (nncli.activations); what it
    computes lives in nn, under the same names, and the names the settings offer are its."""
    from nncli.activations import REGISTRY
    from nncli.export.json import FORMULAS
    from nncli.layer_types import LAYER_TYPES
    from nncli.nn.layers import ACTIVATIONS as LAYERS
    from nncli.settings import ACTIVATIONS

    assert set(LAYERS) == set(REGISTRY) and set(ACTIVATIONS) | {"softmax"} == set(REGISTRY)
    for name, layer in LAYERS.items():  # the lessons can write each out number by number
        assert callable(layer.on_array) and callable(layer.on_values), name
        assert callable(getattr(layer, "derivative", None)) or name == "softmax", name
    assert set(LAYER_TYPES) - {"unflatten", "conv2d", "maxpool2d", "flatten", "linear"} <= set(FORMULAS)
    for activation in REGISTRY.values():  # each is written somehow to ONNX, and with its parameters to PyTorch
        assert bool(activation.onnx) != bool(activation.onnx_nodes), activation.name
        assert activation.torch_code({"type": activation.name, **activation.parameters})


def test_every_layer_type_of_the_registry_is_a_layer_of_the_engine():
    """What a layer type is lives in one registry (nncli.layer_types); what it computes is
    its class in nn, under the same name, which builds itself from a spec entry and gives
    that entry back, keeping exactly the arrays the record says."""
    import numpy as np

    from nncli.activations import REGISTRY as ACTIVATIONS
    from nncli.layer_types import REGISTRY
    from nncli.nn import from_spec, parameter_count
    from nncli.nn.layers import LAYERS
    from nncli.store import state_shapes

    assert set(LAYERS) == set(REGISTRY)
    entries = {  # one entry of each type, as a model file holds it
        "linear": {"type": "linear", "in": 3, "out": 2, "bias": False},
        "batchnorm": {"type": "batchnorm", "features": 3, "eps": 1e-5, "momentum": 0.1},
        "residual": {"type": "residual", "layers": [{"type": "linear", "in": 3, "out": 3, "bias": True}]},
        "dropout": {"type": "dropout", "p": 0.25},
        "unflatten": {"type": "unflatten", "in": 12, "shape": [3, 2, 2]},
        "conv2d": {"type": "conv2d", "in": 3, "out": 4, "kernel": 3, "stride": 1, "padding": 1, "bias": True},
        "maxpool2d": {"type": "maxpool2d", "kernel": 2, "stride": 2},
        "flatten": {"type": "flatten"},
    }
    for name in REGISTRY:
        entry = entries.get(name) or {"type": name, **ACTIVATIONS[name].parameters}  # an activation
        network = from_spec([entry], np.float64, np.random.default_rng(0))
        assert network.spec() == [entry], name
        state = network.state_dict()
        assert {key: np.shape(array) for key, array in state.items()} == state_shapes([entry]), name
        learned = sum(p.data.size for p in network.parameters())
        assert parameter_count([entry]) == learned, name
        assert REGISTRY[name].title_of(entry), name  # `inspect model` names it
        assert REGISTRY[name].block or REGISTRY[name].torch(entry)[0].startswith(("nn.", "Heaviside")), name
        assert callable(REGISTRY[name].onnx), name  # tests/test_export.py runs each in onnxruntime
