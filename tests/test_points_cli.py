"""nncli train circle | gauss | spiral | moons, --features, --hidden 0, and their views,
through the command line."""

import json

import pytest
from conftest import json_lines, run


def summary(result):
    assert result.exit_code == 0, result.output
    return json_lines(result)[-1]


@pytest.mark.slow
@pytest.mark.parametrize("task", ["circle", "gauss", "moons", "spiral"])
def test_each_task_learns_its_points_with_its_defaults(task):
    result = run("train", task, "--json", "--no-save")
    events = json_lines(result)
    start, last = events[0], events[-1]
    assert start["config"]["test_fraction"] == 0.3 and start["config"]["features"] == "x1,x2"
    assert last["event"] == "summary" and last["accuracy"] >= 0.95 and last["train_accuracy"] >= 0.95
    assert all("train_accuracy" in e for e in events if e["event"] == "epoch")


def test_a_single_neuron_fails_at_xor_and_features_fix_it():
    one_neuron = ("train", "xor", "--hidden", "0", "--epochs", "300", "--json", "--no-save")  # 300 solve it with x1*x2
    line = summary(run(*one_neuron))
    assert line["accuracy"] <= 0.75  # one straight line gets at most three of the four right
    solved = summary(run(*one_neuron, "--features", "x1,x2,x1*x2"))
    assert solved["accuracy"] == 1.0


def test_one_neuron_solves_the_circle_on_squared_inputs_and_predict_applies_them(model_home):
    result = run("train", "circle", "--hidden", "0", "--features", "x1^2,x2^2", "--json")
    line = summary(result)
    assert line["accuracy"] >= 0.97
    meta_config = json_lines(result)[0]["config"]
    assert meta_config["features"] == "x1^2,x2^2" and meta_config["hidden"] == []
    predictions = json_lines(run("predict", "0,0", "4.5,0", "0,-4.8", "1,1", "--json"))
    assert [p["prediction"] for p in predictions] == [1, 0, 0, 1]  # raw points in, features applied
    assert all(
        p["input"] == [float(a), float(b)] for p, (a, b) in zip(predictions, [(0, 0), (4.5, 0), (0, -4.8), (1, 1)])
    )
    flat = summary(run("train", "circle", "--hidden", "0", "--json", "--no-save"))
    assert flat["accuracy"] < 0.8  # on x1, x2 a single neuron cannot


def test_evaluate_measures_the_held_out_points():
    run("train", "moons", "--epochs", "30")
    result = run("evaluate", "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["examples"] == 60 and "held-out" in report["data"] and 0 <= report["accuracy"] <= 1


def test_xor_evaluate_says_it_has_no_held_out_data():
    run("train", "xor", "--epochs", "10")
    result = run("evaluate")
    assert result.exit_code == 0
    assert "its four training examples" in result.stdout and "no held-out data" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["spiral", "--classes", "1"], "--classes"),
        (["spiral", "--classes", "11"], "--classes"),
        (["circle", "--features", "x1,x3"], "choose from x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2)"),
        (["xor", "--features", "cos(x1)"], "unknown feature 'cos(x1)'"),
        (["gauss", "--test-fraction", "0"], "--test-fraction"),
        (["moons", "--test-fraction", "1"], "--test-fraction"),
        (["circle", "--points", "2"], "--points"),
    ],
)
def test_bad_option_values_exit_2(args, message, model_home):
    result = run("train", *args)
    assert result.exit_code == 2 and message in result.stderr
    assert not model_home.exists()


def test_spiral_with_k_classes_has_k_outputs_and_class_predictions():
    result = run("train", "spiral", "--classes", "5", "--points", "100", "--epochs", "5", "--json")
    assert summary(result)["model"]
    predictions = json_lines(run("predict", "0.5,0.5", "--json"))
    assert len(predictions[0]["probabilities"]) == 5
    assert predictions[0]["probabilities"][predictions[0]["prediction"]] == predictions[0]["confidence"]


def test_two_class_tasks_train_on_the_scalar_engine():
    line = summary(run("train", "moons", "--engine", "scalar", "--points", "30", "--epochs", "3", "--json"))
    assert 0 <= line["accuracy"] <= 1
    two_arms = run("train", "spiral", "--classes", "2", "--engine", "scalar", "--points", "20", "--epochs", "2")
    assert two_arms.exit_code == 0
    refused = run("train", "spiral", "--engine", "scalar", "--epochs", "2")
    assert refused.exit_code == 2 and "scalar engine" in refused.stderr


# --- the pictures ------------------------------------------------------------------------


def test_boundary_marks_training_and_held_out_points_differently():
    run("train", "circle", "--epochs", "20", "--points", "60")
    result = run("visualize", "--view", "boundary")
    assert result.exit_code == 0
    assert "①" in result.stdout or "⓪" in result.stdout  # held-out points
    numbers = json.loads(run("visualize", "--view", "boundary", "--json").stdout)
    held_out = [p for p in numbers["points"] if p[3] == 1]
    assert len(numbers["points"]) == 60 and len(held_out) == 18


def test_spiral_boundary_is_coloured_by_class():
    run("train", "spiral", "--epochs", "20")
    result = run("visualize", "--view", "boundary")
    assert result.exit_code == 0 and "3 classes" in result.stdout
    assert all(letter in result.stdout for letter in "abc")
    numbers = json.loads(run("visualize", "--view", "boundary", "--json").stdout)
    flat = [k for row in numbers["predicted"] for k in row]
    assert set(flat) <= {0, 1, 2} and numbers["classes"] == 3
    assert all(1 / 3 <= c <= 1 for row in numbers["confidence"] for c in row)


def test_neuron_tiles_of_a_network_on_features():
    run("train", "circle", "--features", "x1^2,x2^2,x1*x2", "--hidden", "3", "--epochs", "5")
    result = run("visualize", "--view", "neurons")
    assert result.exit_code == 0 and "x₁²" in result.stdout and "x₁x₂" in result.stdout
    numbers = json.loads(run("visualize", "--view", "neurons", "--json").stdout)
    assert numbers["inputs"] == ["x1^2", "x2^2", "x1*x2"]
    assert len(numbers["neurons"]) == 3 and all(len(n["weight"]) == 3 for n in numbers["neurons"])


def test_class_map_draws_in_colour_with_deeper_colour_where_sure():
    import io

    from rich.console import Console

    from nncli.render import draw
    from nncli.render.classes import certainty
    from nncli.views.classes import ClassMap

    numbers = ClassMap([0.0, 1.0], [1.0, 0.0], [[0, 1], [2, 2]], [[1.0, 0.5], [1 / 3, 0.9]], 3, [[0.0, 1.0, 0, 0]])
    console = Console(file=io.StringIO(), width=80, color_system="truecolor")
    console.print(draw(numbers, 80))
    output = console.file.getvalue()
    assert "\x1b[" in output and "0" in output  # colour codes, and the training point's mark
    assert certainty([1.0, 1 / 3, 2 / 3], 3).tolist() == pytest.approx([1.0, 0.0, 0.5])
