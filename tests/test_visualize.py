"""`nncli visualize`, the numbers behind its pictures, and the live training view."""

import io
import json
import re

import numpy as np
import pytest
from conftest import TerminalFile, json_lines, run
from rich.console import Console
from rich.text import Text

from nncli.render import draw
from nncli.render.heatmap import GLYPHS
from nncli.render.progress import TrainingProgress
from nncli.views import History
from nncli.views.loss import history as loss_history

ANSI = re.compile(r"\x1b\[")


# its module fixture trains models once: all its tests on one worker
pytestmark = pytest.mark.xdist_group("visualize")


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """One small trained model per task, in a store of their own."""
    home = tmp_path_factory.mktemp("store")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NNCLI_HOME", str(home))
        patch.delenv("FORCE_COLOR", raising=False)
        assert run("train", "xor", "-q").exit_code == 0
        assert run("train", "linreg", "-q", "--epochs", "200").exit_code == 0
        assert run("approx", "sin", "-q", "--epochs", "50", "--hidden", "8").exit_code == 0
        assert run("train", "digits", "-q", "--epochs", "3", "--hidden", "16").exit_code == 0
        yield {name: str(home / f"{name}.npz") for name in ("xor", "linreg", "approx", "digits")}


def test_xor_shows_boundary_neurons_and_loss_in_glyphs_under_no_color(models):
    result = run("visualize", models["xor"], env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert not ANSI.search(out)
    assert "Decision boundary" in out and "Hidden neurons" in out and "Loss per epoch" in out
    assert all(f"neuron {k}" in out for k in range(1, 5)) and "σ(" in out
    assert set(GLYPHS[1:]) <= set(out) and "▀" not in out
    # the boundary: rows between the y-axis bar and the line end; the four inputs marked
    rows = [re.split("[│┤]", line, maxsplit=1)[1] for line in out.splitlines() if re.search("[│┤]", line)][:24]
    assert sum(row.count("0") for row in rows) == 2 and sum(row.count("1") for row in rows) == 2
    assert result.stderr == ""


def test_colour_terminal_gets_half_blocks(models):
    result = run(
        "visualize",
        models["xor"],
        "--view",
        "boundary",
        env={"FORCE_COLOR": "1", "NO_COLOR": None, "TERM": "xterm-256color"},
    )
    assert result.exit_code == 0
    assert ANSI.search(result.stdout) and "▀" in result.stdout


def test_view_picks_one_view_and_must_belong_to_the_task(models):
    neurons = run("visualize", models["xor"], "--view", "neurons")
    assert neurons.exit_code == 0 and "Hidden neurons" in neurons.stdout and "Decision" not in neurons.stdout
    loss = run("visualize", models["linreg"], "--view", "loss")
    assert "Loss per epoch" in loss.stdout and "landscape" not in loss.stdout
    wrong = run("visualize", models["xor"], "--view", "landscape")  # linreg's, not xor's
    assert wrong.exit_code == 2 and "boundary, neurons, hidden, loss" in wrong.stderr
    assert run("visualize", models["xor"], "--view", "nonsense").exit_code == 2


def test_linreg_shows_the_fit_and_the_landscape(models):
    result = run("visualize", models["linreg"], env={"NO_COLOR": "1"})
    assert result.exit_code == 0 and not ANSI.search(result.stdout)
    out = result.stdout
    assert "learned y =" in out and "least squares y =" in out and "Loss landscape" in out
    assert "lr 0.1" in out and "converged" in out
    assert "o" in out and "•" in out  # the start and the steps of the path


def test_the_models_own_rate_retraces_its_training(models):
    report = json.loads(run("visualize", models["linreg"], "--view", "landscape", "--json").stdout)
    (path,) = report["paths"]
    learned = json.loads(run("inspect", "model", models["linreg"], "--json").stdout)["metrics"]
    assert path["lr"] == 0.1 and path["epochs"] == 200
    assert path["points"][-1] == pytest.approx([learned["slope"], learned["intercept"]], abs=1e-6)


def test_svg_is_written_atomically_and_a_bad_path_is_one_line(models, tmp_path):
    target = tmp_path / "xor.svg"
    result = run("visualize", models["xor"], "--svg", str(target))
    assert result.exit_code == 0 and target.read_text().startswith("<svg")
    assert str(target) in result.stderr and list(tmp_path.iterdir()) == [target]
    for bad in (tmp_path / "missing" / "x.svg", tmp_path):
        failed = run("visualize", models["xor"], "--view", "loss", "--svg", str(bad))
        assert failed.exit_code == 1 and len(failed.stderr.strip().splitlines()) == 1


def test_approx_shows_target_and_network_then_the_neurons(models):
    result = run("visualize", models["approx"], env={"NO_COLOR": "1"})
    assert result.exit_code == 0 and not ANSI.search(result.stdout)
    out = result.stdout
    assert "target sin(x)" in out and "max |error|" in out
    assert "the neurons, one by one" in out and "neuron by neuron" in out and "Loss per epoch" in out
    report = json.loads(run("visualize", models["approx"], "--view", "neurons", "--json").stdout)
    assert len(report["table"]) == 8 and {"w", "b", "v"} <= set(report["table"][0])


def test_digits_show_predictions_confusion_and_filters(models):
    result = run("visualize", models["digits"], env={"NO_COLOR": "1"})
    assert result.exit_code == 0 and not ANSI.search(result.stdout)
    out = result.stdout
    assert "Held-out digits" in out and "confusion matrix" in out and "first-layer neuron" in out
    assert "Loss per epoch" in out and "validation loss" in out
    assert set(GLYPHS[1:]) <= set(out)
    report = json.loads(run("visualize", models["digits"], "--view", "filters", "--json").stdout)
    assert np.array(report["weights"]).shape == (16, 64)
    # the screen counts the neurons from 1 (the JSON's rows of 0.weight, from 0)
    assert re.search(r"#1\b", out) and re.search(r"#16\b", out) and not re.search(r"#0\b", out)
    confusion = json.loads(run("visualize", models["digits"], "--view", "confusion", "--json").stdout)
    assert np.array(confusion["confusion"]).sum() == 359  # the held-out fifth of 1,797


def test_missing_model_is_exit_1(tmp_path, monkeypatch):
    monkeypatch.setenv("NNCLI_HOME", str(tmp_path))
    result = run("visualize")
    assert result.exit_code == 1 and "no trained model" in result.stderr


def test_json_has_the_numbers_behind_the_pictures(models):
    boundary, neurons, hidden, loss, health = json_lines(run("visualize", models["xor"], "--json"))
    views = (boundary, neurons, hidden, loss, health)
    assert [v["view"] for v in views] == ["boundary", "neurons", "hidden", "loss", "health"]
    assert all(v["event"] == "view" and v["epoch"] == 2000 for v in (boundary, neurons, loss))
    output = np.array(boundary["z"])
    assert output.shape == (24, 24) and ((output >= 0) & (output <= 1)).all()
    assert len(boundary["x"]) == len(boundary["y"]) == 24 and boundary["y"][0] > boundary["y"][-1]
    assert len(neurons["neurons"]) == 4 and neurons["activation"] == "sigmoid"
    (series,) = loss["series"]
    assert len(series["values"]) <= 200 and series["epochs"][-1] == 2000


def loss_view(losses, epochs):
    console = Console(file=io.StringIO(), width=120, color_system=None)
    console.print(draw(loss_history(None, None, None, History(losses, epochs)), 80))
    return Text(console.file.getvalue())


def test_loss_view_handles_validation_and_empty_histories():
    chart = loss_view({"loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.6, 0.4]}, 3).plain
    assert "validation loss" in chart and "log scale" in chart
    linear = loss_view({"loss": [0.0, -1.0]}, 2).plain
    assert "log scale" not in linear
    assert "no loss history" in loss_view({}, 0).plain


def _events(epochs):
    yield {
        "event": "start",
        "config": {"epochs": epochs, "lr": 0.1, "optimizer": "sgd"},
        "network": "2-4-1 sigmoid",
        "parameters": 17,
    }
    for epoch in range(1, epochs + 1):
        yield {"event": "epoch", "epoch": epoch, "loss": 1.0 / epoch, "accuracy": 0.5, "lr": 0.1, "elapsed_s": 0.0}
    yield {"event": "summary", "epochs": epochs, "loss": 1.0 / epochs, "elapsed_s": 0.1, "model": None}


def test_live_panel_on_a_terminal_ends_with_the_summarys_numbers():
    buffer = TerminalFile()
    console = Console(file=buffer, force_terminal=True, width=80, color_system=None)
    with TrainingProgress("demo", console=console) as view:
        for event in _events(50):
            view(event)
    out = buffer.getvalue()
    assert "epoch 50/50" in out and "100%" in out and "loss 0.02" in out
    assert "done after 50 epochs" in out  # (its views, drawn from a training run: tests/test_live.py)


def test_piped_progress_is_plain_lines_without_redraws():
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=False, width=80)
    with TrainingProgress("demo", console=console) as view:
        for event in _events(100):
            view(event)
    lines = buffer.getvalue().splitlines()
    assert not ANSI.search(buffer.getvalue())
    assert sum(line.startswith("epoch") for line in lines) == 11  # epoch 1, then every tenth
