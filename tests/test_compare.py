"""`nncli compare`: runs of a task side by side, every run from the same start."""

import re

import pytest
from conftest import json_lines, run, run_in_terminal

from nncli import store

ANSI = re.compile(r"\x1b\[")


def test_runs_are_the_product_of_the_values_and_start_alike():
    result = run("compare", "xor", "--vary", "epochs=2,3", "--vary", "lr=1,2", "--json")
    assert result.exit_code == 0, result.stderr
    events = json_lines(result)
    starts = [e for e in events if e["event"] == "start"]
    assert [s["settings"] for s in starts] == [
        {"epochs": 2, "lr": 1.0},
        {"epochs": 2, "lr": 2.0},
        {"epochs": 3, "lr": 1.0},
        {"epochs": 3, "lr": 2.0},
    ]
    assert [s["run"] for s in starts] == [0, 1, 2, 3]
    assert all("run" in e for e in events if e["event"] != "comparison")
    first = {e["run"]: e["loss"] for e in events if e["event"] == "epoch" and e["epoch"] == 1}
    # XOR trains on all four rows at once, so epoch 1's loss is the loss of the starting
    # weights: the same for every run, whatever its learning rate or epochs.
    assert len(first) == 4 and len(set(first.values())) == 1
    last = {e["run"]: e for e in events if e["event"] == "summary"}
    assert [last[k]["epochs"] for k in range(4)] == [2, 2, 3, 3]
    (comparison,) = [e for e in events if e["event"] == "comparison"]
    assert events[-1] is comparison and len(comparison["runs"]) == 4
    for row, start in zip(comparison["runs"], starts):
        assert row["settings"] == start["settings"] and row["status"] in ("done", "stalled")
        assert {"loss", "test_loss", "accuracy", "epochs", "elapsed_s", "gap", "best_epoch"} <= set(row)
        assert row["model"] is None


def test_a_later_setting_leaves_the_first_epochs_alone():
    # Mini-batches of digits: epoch 1 already learns, so equal first epochs mean the same
    # data, weights and batches, and that only the varied setting (the epochs) differed.
    args = ("compare", "digits", "--limit", "60", "--hidden", "16", "--json", "--log-every", "1")
    events = json_lines(run(*args, "--vary", "epochs=2,3"))
    epochs = [(e["run"], e["epoch"], e["loss"], e["val_loss"]) for e in events if e["event"] == "epoch"]
    by_run = {k: [(ep, loss, val) for r, ep, loss, val in epochs if r == k] for k in (0, 1)}
    assert by_run[0] == by_run[1][:2]
    (comparison,) = [e for e in events if e["event"] == "comparison"]
    for row in comparison["runs"]:
        assert row["gap"] == pytest.approx(row["test_loss"] - row["loss"])
        assert 1 <= row["best_epoch"] <= row["epochs"] and row["lowest_val_loss"] is not None


@pytest.mark.parametrize(
    ("vary", "says"),
    [
        (["lrr=0.1,1"], "did you mean 'lr'?"),
        (["weight_decy=0,0.1"], "did you mean 'weight-decay'?"),
        (["lrr=0.1,1"], "epochs, lr, batch-size"),
        (["lr=0.1,-1"], "the run with lr=-1: '-1' must be a finite number greater than 0"),
        (["optimizer=sgd,rmsprop"], "the run with optimizer=rmsprop: 'rmsprop' is not one of"),
        (["lr=0.1", "lr=1"], "lr is varied twice"),
        (["lr=1,2,3,4,5", "epochs=1,2,3,4"], "5 × 4 = 20 runs, more than 16"),
        (["lr="], "an empty value"),
        (["lr=1,,2"], "an empty value"),
        (["lr"], "is not NAME=V1,V2"),
        (["lr=1,1"], "the value '1' twice"),
        (["save=a,b"], "no setting 'save'"),
        ([], "say what to compare with --vary"),
    ],
)
def test_bad_vary_is_a_usage_error_before_any_training(vary, says):
    args = [arg for text in vary for arg in ("--vary", text)]
    result = run("compare", "xor", "--json", *args)
    assert result.exit_code == 2 and says in result.stderr
    assert result.stdout == ""  # nothing trained: not even a start event


def test_a_set_option_cannot_also_vary():
    result = run("compare", "xor", "--lr", "2", "--vary", "lr=1,3")
    assert result.exit_code == 2 and "--lr is both set and varied" in result.stderr


def test_layer_sizes_with_commas_are_separated_by_slashes():
    events = json_lines(run("compare", "xor", "--epochs", "2", "--json", "--vary", "hidden=3/4,2"))
    assert [e["settings"] for e in events if e["event"] == "start"] == [{"hidden": [3]}, {"hidden": [4, 2]}]
    assert [e["parameters"] for e in events if e["event"] == "start"] == [13, 25]


def test_a_diverged_run_is_marked_and_the_others_go_on():
    result = run("compare", "linreg", "--vary", "lr=0.5,1.1,0.1", env={"NO_COLOR": "1", "COLUMNS": "120"})
    assert result.exit_code == 0, result.stderr
    table = result.stdout[result.stdout.index("linreg: lr compared") :]
    rows = [line for line in table.splitlines() if re.match(r"\s*[ABC] ", line)]
    assert len(rows) == 3 and "diverged" in rows[1] and "diverged" not in rows[0] + rows[2]
    assert "—" in rows[1]  # no final loss for a run that diverged


def test_every_run_diverging_exits_3():
    result = run("compare", "linreg", "--vary", "lr=2.5,3", "--json")
    assert result.exit_code == 3 and "every run diverged" in result.stderr
    events = json_lines(result)
    assert [e["run"] for e in events if e["event"] == "diverged"] == [0, 1]
    assert [row["status"] for row in events[-1]["runs"]] == ["diverged", "diverged"]


def test_a_run_that_hardly_learns_is_stalled():
    result = run("compare", "xor", "--epochs", "100", "--vary", "lr=0.001,10", "--json")
    rows = json_lines(result)[-1]["runs"]
    assert [row["status"] for row in rows] == ["stalled", "done"]


def test_nothing_is_saved_and_latest_is_untouched(tmp_path, model_home):
    assert run("train", "xor", "--epochs", "10", "-q").exit_code == 0
    latest = store.resolve_model(None)
    before = sorted(model_home.iterdir())
    assert run("compare", "xor", "--epochs", "3", "--vary", "lr=1,2", "-q").exit_code == 0
    assert sorted(model_home.iterdir()) == before and store.resolve_model(None) == latest

    folder = tmp_path / "runs"
    result = run("compare", "xor", "--epochs", "3", "--vary", "lr=1,2", "--save-dir", folder, "--json")
    saved = sorted(p.name for p in folder.iterdir())
    assert saved == ["xor-1-lr=1.npz", "xor-2-lr=2.npz"]
    assert [row["model"] for row in json_lines(result)[-1]["runs"]] == [str(folder / name) for name in saved]
    assert sorted(model_home.iterdir()) == before and store.resolve_model(None) == latest
    _, meta = store.load_model(folder / saved[1])
    assert meta["config"]["lr"] == 2.0 and meta["epochs_run"] == 3


def test_save_dir_must_be_a_folder(tmp_path):
    target = tmp_path / "file"
    target.write_text("mine")
    result = run("compare", "xor", "--vary", "lr=1,2", "--save-dir", target)
    assert result.exit_code == 2 and target.read_text() == "mine"


def test_ctrl_c_stops_every_run(monkeypatch):
    from nncli import train

    epochs = []
    real = train._run_epoch

    def interrupted_in_run_two(*args):
        epochs.append(args[6])
        if len(epochs) == 5:  # run 1 has 3 epochs; Ctrl-C in run 2's second epoch
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(train, "_run_epoch", interrupted_in_run_two)
    result = run("compare", "xor", "--epochs", "3", "--vary", "lr=1,2,3", "--json")
    assert result.exit_code == 130 and "interrupted during run 2 of 3" in result.stderr
    rows = json_lines(result)[-1]["runs"]
    assert [row["status"] for row in rows][1:] == ["interrupted", "not run"]
    assert rows[0]["epochs"] == 3 and rows[1]["epochs"] == 1 and rows[2]["epochs"] is None


def test_the_chart_tells_runs_apart_without_colour():
    result = run(
        "compare", "digits", "--limit", "60", "--hidden", "16", "--epochs", "4", "--vary", "dropout=0,0.5",
        env={"NO_COLOR": "1", "COLUMNS": "80"},
    )  # fmt: skip
    out = result.stdout
    assert result.exit_code == 0 and not ANSI.search(out)
    chart = out[: out.index(" A dropout=0")]
    assert {"A", "B", "a", "b"} <= set(chart)  # each run's letter on its training and validation lines
    assert " B dropout=0.5" in out and "small letters: validation loss" in out
    assert "Validation loss near its lowest" in out
    assert "gap" in out and "val at" in out and "accuracy" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_linreg_draws_the_paths_side_by_side_at_80_columns(tmp_path):
    svg = tmp_path / "lr.svg"
    result = run("compare", "linreg", "--vary", "lr=0.01,0.5,1.1", "--svg", svg, env={"NO_COLOR": "1", "COLUMNS": "80"})
    assert result.exit_code == 0
    out = result.stdout
    heads = next(line for line in out.splitlines() if "lr=0.01" in line and "lr=1.1" in line)  # one row
    assert heads.index("lr=0.5") - heads.index("lr=0.01") <= 30  # a panel as wide as its picture
    assert "too slow" in out and "converged in" in out and "diverged" in out
    assert "where it left the picture" in out and re.search("[↑↓←→]", out)
    assert max(len(line) for line in out.splitlines()) <= 80
    assert svg.read_text().startswith("<svg")
    svg.unlink()
    scripted = run("compare", "linreg", "--vary", "lr=0.5,1.1", "--json", "--svg", svg)
    assert json_lines(scripted)[-1]["event"] == "comparison" and "Loss landscape" in svg.read_text().replace(
        "&#160;", " "
    )


def test_landscape_paths_crawl_converge_and_diverge():
    import math

    from nncli.config import RunConfig
    from nncli.session.runner import prepare
    from nncli.tasks import get_task
    from nncli.views import History
    from nncli.views.line import loss_landscape

    task = get_task("linreg")
    base = dict(epochs=300, lr=0.1, points=100, slope=2.0, intercept=1.0, noise=0.1, activation="identity")
    runs = [(f"lr={lr:g}", RunConfig.from_dict({**base, "lr": lr})) for lr in (0.01, 0.5, 1.1)]
    dataset, network = prepare(task, runs[0][1])
    report = loss_landscape(network, dataset, runs[0][1], History(), runs=runs, size=10).to_json()
    slow, fast, wild = report["paths"]
    assert [p["label"] for p in report["paths"]] == ["lr=0.01", "lr=0.5", "lr=1.1"]
    assert (slow["status"], fast["status"], wild["status"]) == ("slow", "converged", "diverged")
    assert math.dist(slow["points"][0], slow["points"][-1]) < math.dist(fast["points"][0], fast["points"][-1])
    assert wild["diverged_at"] is not None and all(math.isfinite(v) for p in wild["points"] for v in p)
    assert len(report["loss"]) == len(report["slopes"]) == 10


def test_limit_learns_from_fewer_and_holds_out_as_many():
    from nncli.config import RunConfig
    from nncli.tasks import get_task

    digits = get_task("digits")
    full = digits.load_data(RunConfig.from_dict({"hidden": [8]}))
    few = digits.load_data(RunConfig.from_dict({"hidden": [8], "limit": 100}))
    assert len(few.X_train) == 100 and len(full.X_train) > 1000
    assert (few.validation[0] == full.validation[0]).all() and (few.X_test == full.X_test).all()
    rows = {tuple(row) for row in full.X_train.tolist()}
    assert all(tuple(row) in rows for row in few.X_train.tolist())
    other = digits.load_data(RunConfig.from_dict({"hidden": [8], "limit": 100, "seed": 1}))
    assert not (other.X_test == full.X_test).all() or not (other.X_train == few.X_train).all()

    xor = get_task("xor").load_data(RunConfig.from_dict({"limit": 3}))
    assert len(xor.X_train) == 3 and len(xor.X_test) == 4


def test_visualize_lr_points_to_compare(tmp_path):
    assert run("train", "linreg", "--epochs", "5", "-q").exit_code == 0
    result = run("visualize", "linreg", "--lr", "0.01,0.5")
    assert result.exit_code == 2 and "nncli compare linreg --vary lr=0.01,0.5" in result.stderr


def test_the_runs_are_drawn_live_on_a_terminal():
    pyte = pytest.importorskip("pyte")
    code, text = run_in_terminal("compare", "xor", "--epochs", 400, "--vary", "lr=0.5,3", env={"NO_COLOR": "1"})
    assert code == 0
    assert "run 2 of 2 B lr=3 · epoch" in re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)  # a frame drawn while it ran
    screen = pyte.Screen(80, 50)
    pyte.Stream(screen).feed(text)
    shown = "\n".join(screen.display)
    assert "run 2 of 2" not in shown  # the last frame gave way to the finished chart and table
    assert "Loss per epoch" in shown and " A lr=0.5" in shown and " B lr=3" in shown
    assert "xor: lr compared" in shown


def test_a_run_that_cannot_be_built_is_named():
    result = run("compare", "xor", "--epochs", "2", "--vary", "hidden=4/900000,900000")
    assert result.exit_code == 2  # options that cannot be honoured: a usage error
    assert "\nnncli: run 2 (hidden=900000,900000): that network would have" in result.stderr
