"""The health view: numbers from layer statistics, and their drawing."""

import math

import pytest
from conftest import json_lines, run
from rich.console import Console

from nncli import store
from nncli.render.health import health_picture
from nncli.views.health import health_view


def record(epoch, grads, saturated=0.1, ratio=-3.0):
    layers = [
        {"name": f"{2 * i}.weight", "activation": "sigmoid", "act_mean": 0.5, "act_std": 0.2}
        | {"saturated": saturated, "grad_std": g, "update_ratio": ratio}
        for i, g in enumerate(grads)
    ]
    layers[-1].update(activation="identity", saturated=None)
    return {"epoch": epoch, "layers": layers}


def test_the_view_is_a_layers_by_epochs_grid_with_a_log_range_and_a_final_profile():
    view = health_view([record(1, [1e-8, 1e-5, 1e-2]), record(5, [1e-6, None, 1e-3], ratio=None)])
    assert view.epochs == [1, 5] and view.layers == ["0.weight", "2.weight", "4.weight"]
    assert view.grad_std == [[1e-8, 1e-6], [1e-5, None], [1e-2, 1e-3]]
    assert view.log_range == pytest.approx((-8.0, -2.0))
    assert view.final[0] == {"act_mean": 0.5, "act_std": 0.2, "saturated": 0.1, "grad_std": 1e-6, "update_ratio": None}
    assert view.gradient_ratio == pytest.approx(1e-3)
    assert view.activations == ["sigmoid", "sigmoid", "identity"]


@pytest.mark.parametrize(
    "bad",
    [
        None,
        [],
        [{"epoch": "1", "layers": []}],
        [record(1, [1.0, 1.0]), record(2, [1.0, 1.0, 1.0])],
        [record(2, [1.0, 1.0]), record(1, [1.0, 1.0])],
        [{"epoch": 1, "layers": [{"name": "0.weight", "grad_std": "big"}]}],
        [{"epoch": 1, "layers": [{"grad_std": 1.0}]}],
    ],
)
def test_malformed_statistics_are_refused(bad):
    with pytest.raises(ValueError):
        health_view(bad)


def test_the_picture_draws_every_layer_and_fits_80_columns_without_colour():
    view = health_view([record(e, [1e-9 * e, 1e-4, 1e-2]) for e in range(1, 60)])
    console = Console(width=80, no_color=True, record=True)
    console.print(health_picture(view))
    text = console.export_text()
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert any(line.strip().startswith("hidden 1 ·") for line in lines)  # the weakest gradient, lowest shade
    assert any(line.strip().startswith("output █") for line in lines)
    assert "-3.0 " in text and "┼" in text and "epoch 1" in text
    assert math.isclose(view.gradient_ratio, 59e-9 / 1e-2)


def test_a_trained_model_file_holds_what_the_view_needs():
    result = run("train", "xor", "--hidden", "4x3", "--batchnorm", "--epochs", "40", "-q")
    assert result.exit_code == 0, result.stderr
    _, meta = store.load_model(store.resolve_model(None))
    view = health_view(meta["layer_stats"])
    assert view.layers == ["0.weight", "3.weight", "6.weight", "9.weight"] and view.epochs[-1] == 40


def test_visualize_draws_the_health_view_of_every_task_and_its_numbers_as_json():
    from nncli.tasks import get_task
    from nncli.tasks.catalog import TASKS

    assert all(get_task(name).views.get("health") == "health.layers" for name in TASKS)
    assert run("train", "xor", "--epochs", "30", "-q").exit_code == 0
    drawn = run("visualize", "--view", "health", env={"NO_COLOR": "1", "COLUMNS": "80"})
    assert drawn.exit_code == 0, drawn.stderr
    assert "Gradient std per layer" in drawn.stdout and "hidden 1" in drawn.stdout and "output" in drawn.stdout
    (numbers,) = json_lines(run("visualize", "--view", "health", "--json"))
    assert numbers["view"] == "health" and numbers["layers"] == ["0.weight", "2.weight"]
    assert len(numbers["grad_std"]) == 2 and len(numbers["grad_std"][0]) == len(numbers["epochs"])


def test_damaged_layer_statistics_in_a_model_file_are_refused_plainly(model_home):
    import json

    import numpy as np

    assert run("train", "xor", "--epochs", "5", "-q").exit_code == 0
    path = model_home / "xor.npz"
    with np.load(path) as npz:
        arrays = dict(npz.items())
    meta = json.loads(arrays["__meta__"].tobytes())
    meta["layer_stats"] = [{"epoch": 1, "layers": [{"name": "0.weight", "grad_std": "lots"}]}]
    arrays["__meta__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(path, **arrays)
    result = run("visualize", "--view", "health")
    assert result.exit_code == 1 and "layer statistics are damaged" in result.stderr
