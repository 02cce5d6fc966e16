"""The command line, as a user and as a script see it: streams, exit codes, round trips."""

import pytest
from conftest import json_lines, run


def test_help_and_version():
    assert run("--help").exit_code == 0
    assert "nncli, version" in run("--version").stdout


def test_train_xor_json_is_json_lines_only():
    result = run("train", "xor", "--json")
    assert result.exit_code == 0, result.stderr
    events = json_lines(result)
    start, summary = events[0], events[-1]
    assert start["event"] == "start" and start["schema"] == 1 and start["task"] == "xor"
    assert start["parameters"] == 17 and start["config"]["hidden"] == [4]
    assert {"epoch", "loss", "accuracy", "lr", "elapsed_s"} <= set(events[1])
    assert len(events) <= 300
    assert summary["event"] == "summary" and summary["accuracy"] == 1.0 and summary["epochs"] == 2000
    assert summary["model"].endswith("xor.npz")
    assert {"task", "loss", "elapsed_s"} <= set(summary)


def test_train_xor_for_a_person_shows_the_truth_table_on_stdout():
    result = run("train", "xor", "--epochs", "300")  # enough to learn XOR; the JSON test above runs the default
    assert result.exit_code == 0
    assert "network output" in result.stdout and "✓" in result.stdout and "✗" not in result.stdout
    assert "model saved to" in result.stderr


def test_linreg_json_summary_has_both_lines():
    summary = json_lines(run("train", "linreg", "--json"))[-1]
    for key in ("slope", "intercept", "slope_exact", "intercept_exact"):
        assert isinstance(summary[key], float)
    assert abs(summary["slope"] - summary["slope_exact"]) < 1e-3


def test_quiet_prints_only_the_result():
    result = run("train", "linreg", "--quiet", "--no-save")
    assert result.exit_code == 0 and result.stderr == ""
    assert "exact least squares" in result.stdout


def test_evaluate_predict_and_inspect_use_the_latest_model(xor_model):
    evaluation = json_lines(run("evaluate", "--json"))
    assert len(evaluation) == 1 and evaluation[0]["event"] == "evaluate" and evaluation[0]["accuracy"] == 1.0
    predictions = json_lines(run("predict", "0,0", "0,1", "1,0", "1,1", "--json"))
    assert [p["prediction"] for p in predictions] == [0, 1, 1, 0]
    assert json_lines(run("predict", "1", "0", "--json"))[0]["prediction"] == 1
    from_stdin = json_lines(run("predict", "xor", "--json", input="x1,x2\n1,1\n0,1\n"))
    assert [p["prediction"] for p in from_stdin] == [0, 1]
    weights = json_lines(run("inspect", "weights", "--json"))
    assert len(weights) == 1 and [t["name"] for t in weights[0]["tensors"]] == [
        "0.weight",
        "0.bias",
        "2.weight",
        "2.bias",
    ]
    model = json_lines(run("inspect", "model", "xor", "--json"))[0]
    assert model["parameters"] == 17
    for command in (["evaluate"], ["predict", "1", "1"], ["inspect", "weights"], ["inspect", "model"]):
        result = run(*command)
        assert result.exit_code == 0 and result.stdout.strip(), command
    summary = run("inspect", "model", env={"NO_COLOR": "1"}).stdout  # rows keyed as the state dict is
    assert "┃ key ┃ layer" in summary and "Linear(2 → 4)" in summary and "Linear(4 → 1)" in summary


def test_save_path_and_no_save(tmp_path, model_home):
    path = tmp_path / "mine.npz"
    summary = json_lines(run("train", "xor", "--json", "--save", str(path), "--epochs", "10"))[-1]
    assert summary["model"] == str(path) and path.exists()
    assert json_lines(run("evaluate", str(path), "--json"))[0]["task"] == "xor"
    summary = json_lines(run("train", "linreg", "--json", "--no-save"))[-1]
    assert summary["model"] is None and not (model_home / "linreg.npz").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["train", "xor", "--epochs", "0"],
        ["train", "xor", "--epochs", "ten"],
        ["train", "xor", "--lr", "0"],
        ["train", "xor", "--lr", "-0.1"],
        ["train", "xor", "--lr", "nan"],
        ["train", "xor", "--lr", "inf"],
        ["train", "xor", "--batch-size", "0"],
        ["train", "xor", "--hidden", "4,0"],
        ["train", "xor", "--hidden", "4,x"],
        ["train", "xor", "--hidden", "-4"],
        ["train", "xor", "--hidden", "100000000"],
        ["train", "xor", "--optimizer", "rmsprop"],
        ["train", "xor", "--save", "a.npz", "--no-save"],
        ["train", "nosuchtask"],
        ["predict", "xor", "1", "2", "3"],
    ],
)
def test_bad_usage_exits_2(args):
    if args[0] == "predict":
        run("train", "xor", "-q", "--epochs", "5")
    result = run(*args)
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""


def test_train_without_a_task_names_every_task_in_one_line():
    result = run("train")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("nncli: name a task: ")
    for task in ("xor", "linreg", "digits", "mnist", "circle", "gauss", "spiral", "moons", "csv"):
        assert task in result.stderr


def test_missing_model_exits_1_with_a_hint():
    result = run("evaluate")
    assert result.exit_code == 1
    assert "nncli train xor" in result.stderr and len(result.stderr.strip().splitlines()) <= 2
    result = run("inspect", "weights", "nothere.npz")
    assert result.exit_code == 1 and "nothere" in result.stderr


def test_corrupt_model_exits_1(tmp_path):
    path = tmp_path / "broken.npz"
    path.write_bytes(b"not a model at all")
    result = run("evaluate", str(path))
    assert result.exit_code == 1 and str(path) in result.stderr


def test_missing_save_folder_fails_before_training(tmp_path):
    result = run("train", "xor", "--json", "--save", str(tmp_path / "no" / "such" / "m.npz"))
    assert result.exit_code == 1 and result.stdout == ""
    assert "does not exist" in result.stderr


def test_divergence_exits_3_and_says_so_in_json():
    result = run("train", "linreg", "--lr", "5", "--json")
    assert result.exit_code == 3
    events = json_lines(result)
    assert events[-1]["event"] == "diverged"
    assert "--lr" in result.stderr


def test_predict_input_of_the_wrong_width_from_stdin_exits_1():
    run("train", "xor", "-q", "--epochs", "5")
    result = run("predict", input="1,2,3\n")
    assert result.exit_code == 1 and "line 1" in result.stderr


def test_gradcheck_reports_every_case_and_passes():
    result = run("gradcheck", "--json")
    assert result.exit_code == 0, result.stderr
    events = json_lines(result)
    assert events[-1] == {"event": "summary", "cases": len(events) - 1, "passed": len(events) - 1, "failed": 0}
    assert {e["engine"] for e in events[:-1]} == {"tensor", "value"}


def test_predict_takes_negative_numbers_as_inputs():
    run("train", "linreg", "-q")
    predictions = json_lines(run("predict", "-1.5", "2", "--json"))
    assert [p["input"] for p in predictions] == [[-1.5], [2.0]]
    assert predictions[0]["output"] == pytest.approx(2 * -1.5 + 1, abs=0.1)
