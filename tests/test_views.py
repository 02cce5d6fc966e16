"""The view layer: every task's views are plain numbers that render draws, `visualize`
serves them (one JSON line per view), and a model file's run configuration is checked
field by field when it is loaded back."""

import dataclasses
import io
import json
import math
import shutil

import numpy as np
import pytest
from conftest import json_lines, run
from rich.console import Console
from test_mnist import write_mnist

from nncli.config import RunConfig
from nncli.render import draw
from nncli.session.runner import load_trained, rebuild_data, run_config
from nncli.tasks.catalog import TASKS as CATALOG
from nncli.views import History, Numbers, resolve

# its module fixture trains models once: all its tests on one worker
pytestmark = pytest.mark.xdist_group("views")

# One small, quick run of every task; the test below fails until a new task is added here.
TRAIN = {
    "xor": ("train", "xor", "--epochs", "100"),
    "linreg": ("train", "linreg", "--epochs", "30"),
    "approx": ("approx", "sin", "--epochs", "20", "--hidden", "4"),
    "digits": ("train", "digits", "--epochs", "1", "--hidden", "8"),
    "mnist": ("train", "mnist", "--epochs", "1", "--hidden", "8", "--data-dir", "{mnist}"),
    "circle": ("train", "circle", "--epochs", "2", "--points", "40"),
    "gauss": ("train", "gauss", "--epochs", "2", "--points", "40"),
    "spiral": ("train", "spiral", "--epochs", "2", "--points", "60"),
    "moons": ("train", "moons", "--epochs", "2", "--points", "40"),
    "csv": ("train", "csv", "--data", "iris.csv", "--target", "species", "--epochs", "2"),
}
TASKS = tuple(TRAIN)


def test_every_task_is_covered():
    assert set(TASKS) == set(CATALOG)


@pytest.fixture(scope="module")
def mnist_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mnist")
    write_mnist(folder)
    return folder


@pytest.fixture(autouse=True)
def mnist_in_the_store(mnist_files, model_home):
    """MNIST's files in this test's store: a model never names the folder nncli reads them from."""
    shutil.copytree(mnist_files, model_home / "mnist")


@pytest.fixture(scope="module")
def models(tmp_path_factory, mnist_files):
    """One small trained model per task, in a store of their own."""
    home = tmp_path_factory.mktemp("store")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NNCLI_HOME", str(home))
        for args in TRAIN.values():
            result = run(*(str(mnist_files) if arg == "{mnist}" else arg for arg in args), "-q")
            assert result.exit_code == 0, result.stderr
        yield {name: str(home / f"{name}.npz") for name in TASKS}


def only_plain(value):
    """True if `value` holds nothing but JSON's own types (no arrays, no Rich objects)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and only_plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(only_plain(v) for v in value)
    return value is None or type(value) in (str, int, float, bool)


@pytest.mark.parametrize("name", TASKS)
def test_every_view_of_every_task_is_plain_numbers_that_render_draws(models, name):
    task, network, meta, path = load_trained(models[name])
    config, history = run_config(meta), History.of_model(meta)
    dataset = rebuild_data(task, config, models[name])
    console = Console(file=io.StringIO(), width=100, color_system=None)
    for view, function in [*task.views.items(), *((f, f) for f in task.result)]:
        numbers = resolve(function)(network, dataset, config, history)
        assert isinstance(numbers, Numbers) and dataclasses.is_dataclass(numbers), view
        plain = numbers.to_json()
        assert only_plain(plain), view
        json.dumps(plain, allow_nan=False)
        console.print(draw(numbers, console.width))
    assert console.file.getvalue().strip()


@pytest.mark.parametrize("name", TASKS)
def test_visualize_json_prints_each_view_as_one_line(models, name):
    task = load_trained(models[name])[0]
    for view in task.views:
        result = run("visualize", models[name], "--view", view, "--json")
        assert result.exit_code == 0, result.stderr
        (line,) = json_lines(result)
        assert (
            line["event"] == "view"
            and line["view"] == view
            and line["epoch"] == load_trained(models[name])[2]["epochs_run"]
        )
    every = json_lines(run("visualize", models[name], "--json"))
    assert [line["view"] for line in every] == list(task.views)


def test_the_boundary_view_is_the_networks_output_on_its_grid(models):
    task, network, meta, path = load_trained(models["xor"])
    (line,) = json_lines(run("visualize", models["xor"], "--view", "boundary", "--json"))
    x, y, z = np.array(line["x"]), np.array(line["y"]), np.array(line["z"])
    assert z.shape == (len(y), len(x))
    i, j = 3, 17
    assert network.predict(np.array([[x[j], y[i]]]))[0, 0] == pytest.approx(z[i, j], abs=1e-6)


@pytest.mark.parametrize("name", TASKS)
def test_a_view_the_task_lacks_is_exit_2_listing_its_views(models, name):
    task = load_trained(models[name])[0]
    result = run("visualize", models[name], "--view", "model")
    assert result.exit_code == 2 and ", ".join(task.views) in result.stderr


def rewrite_config(path, config):
    """The model file at `path` with its meta["config"] replaced (bypassing save's checks)."""
    with np.load(path, allow_pickle=False) as npz:
        arrays = dict(npz.items())
    meta = json.loads(arrays["__meta__"].tobytes())
    meta["config"] = config
    text = json.dumps(meta).replace(str(INFINITY), "1e999")  # JSON's 1e999 reads back as infinity
    arrays["__meta__"] = np.frombuffer(text.encode(), dtype=np.uint8)
    np.savez(path, **arrays)


INFINITY = 123456.789  # written into the file as 1e999

OLD_XOR_CONFIG = {  # what nncli wrote before RunConfig: the click options, as they were
    "epochs": 100,
    "lr": 3.0,
    "batch_size": 4,
    "hidden": [4],
    "activation": "sigmoid",
    "optimizer": "sgd",
    "weight_decay": 0.0,
    "init": "pytorch",
    "seed": 0,
    "engine": "tensor",
    "dtype": "float32",
    "log_every": None,
}


def test_an_old_model_file_with_click_options_as_config_still_loads(models, tmp_path):
    path = tmp_path / "old.npz"
    path.write_bytes(open(models["xor"], "rb").read())
    rewrite_config(path, OLD_XOR_CONFIG)
    assert run_config(load_trained(str(path))[2]) == RunConfig(**{**OLD_XOR_CONFIG, "hidden": (4,)})
    assert run("evaluate", str(path)).exit_code == 0
    assert run("visualize", str(path), "--view", "boundary").exit_code == 0


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"epochs": "many"}, "'epochs' must be a whole number"),
        ({"shell": "rm -rf /"}, "unknown setting"),
        ({"lr": INFINITY}, "'lr' must be a finite number"),
        ({"points": 10**12}, "'points' must be a whole number"),
        ({"hidden": [4, -1]}, "'hidden' must be a whole number"),
        ({"dtype": "object"}, "'dtype' must be one of"),
        ({"download": "yes"}, "'download' must be true or false"),
    ],
)
def test_a_hostile_config_is_a_bad_model_file_in_one_line(models, tmp_path, change, reason):
    path = tmp_path / "hostile.npz"
    path.write_bytes(open(models["xor"], "rb").read())
    rewrite_config(path, {**OLD_XOR_CONFIG, **change})
    for command in ("evaluate", "visualize", "predict"):
        result = run(command, str(path), *(["0", "1"] if command == "predict" else []))
        assert result.exit_code == 1, result.stderr
        (line,) = result.stderr.strip().splitlines()
        assert "bad model metadata" in line and reason in line


def test_run_config_refuses_what_it_cannot_use_and_round_trips():
    config = RunConfig.from_dict({"epochs": 5, "hidden": [3, 2], "domain": [-1, 1]})
    assert config.hidden == (3, 2) and config.domain == (-1.0, 1.0)
    assert RunConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    for bad in ({"domain": [1, -1]}, {"dropout": 1.0}, {"lr": 0}, {"seed": True}, {"lr": math.nan}, []):
        with pytest.raises(ValueError):
            RunConfig.from_dict(bad)
