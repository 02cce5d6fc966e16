"""`nncli approx`: targets, the network built by hand, training, pictures, models and JSON."""

import numpy as np
import pytest
from conftest import json_lines, run

from nncli.config import RunConfig
from nncli.session.runner import train_task
from nncli.tasks import get_task
from nncli.tasks.approx import GRID_POINTS, TARGETS, construct_state, neurons, resolve_target

# its module fixture trains the default sine once: all its tests on one worker
pytestmark = pytest.mark.xdist_group("approx")


def options(target, **changes):
    base = dict(
        target=target.name,
        formula=target.formula,
        domain=[target.lo, target.hi],
        samples=256,
        method="construct",
        hidden=(32,),
        activation="step",
        epochs=300,
        lr=0.01,
        batch_size=None,
        optimizer="adam",
        weight_decay=0.0,
        init="pytorch",
        seed=0,
        engine="tensor",
        dtype="float64",
        log_every=None,
    )
    return RunConfig.from_dict({**base, **changes})


def approximate(target, **changes):
    return train_task(get_task("approx"), options(target, **changes), None, lambda event: None)


# --- targets -----------------------------------------------------------------------------


def test_every_named_target_is_finite_on_its_default_domain():
    for name in TARGETS:
        target = resolve_target(name)
        assert target.lo < target.hi
        assert np.isfinite(target(np.linspace(target.lo, target.hi, 101))).all()
    assert resolve_target("sin").lo == pytest.approx(-np.pi)
    assert (resolve_target(expr="x**3 - x").lo, resolve_target(expr="x**3 - x").hi) == (-2.0, 2.0)
    assert resolve_target(expr="x", domain=(0.0, 5.0)).hi == 5.0


@pytest.mark.parametrize(
    "expr, domain, message",
    [
        ("log(x)", None, "not a finite number at x = -2"),
        ("9**9**9", None, "not a finite number anywhere"),
        ("1/x", (-1.0, 1.0), "not a finite number at x = 0"),
        ("x", (1.0, 1.0), "not an interval"),
    ],
)
def test_targets_that_are_not_finite_numbers_are_refused(expr, domain, message):
    with pytest.raises(ValueError, match=message):
        resolve_target(expr=expr, domain=domain)


# --- built by hand -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sin", "cube", "gaussian"])
@pytest.mark.parametrize("activation", ["step", "sigmoid", "tanh"])
def test_doubling_the_steps_halves_the_error(name, activation):
    target = resolve_target(name)
    errors = [
        approximate(target, hidden=(n,), activation=activation).summary["max_abs_error"] for n in (16, 32, 64, 128)
    ]
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert ((ratios > 1.7) & (ratios < 2.4)).all(), (errors, ratios)


@pytest.mark.parametrize("name", ["sin", "cube", "gaussian"])
def test_doubling_the_kinks_quarters_the_error_of_the_linear_interpolant(name):
    target = resolve_target(name)
    errors = [approximate(target, hidden=(n,), activation="relu").summary["max_abs_error"] for n in (16, 32, 64, 128)]
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert (ratios > 3.4).all(), (errors, ratios)


def test_relu_construction_is_exact_for_piecewise_linear_targets():
    assert approximate(resolve_target("abs"), hidden=(4,), activation="relu").summary["max_abs_error"] < 1e-12
    assert approximate(resolve_target(expr="3*x - 1"), hidden=(1,), activation="relu").summary["max_abs_error"] < 1e-12


def test_the_step_construction_places_steps_at_even_switch_points_with_the_targets_increments():
    target = resolve_target("square")  # x**2 on [-1, 1]
    table = approximate(target, hidden=(3,), activation="step").summary["neurons"]
    switches = [row["switch"] for row in table]
    np.testing.assert_allclose(switches, [-0.5, 0.0, 0.5], atol=1e-12)
    midpoints = np.array([-0.75, -0.25, 0.25, 0.75])
    np.testing.assert_allclose([row["v"] for row in table], np.diff(midpoints**2), atol=1e-12)


def test_construct_state_refuses_activations_it_cannot_build():
    task = get_task("approx")
    dataset = task.load_data(options(resolve_target("sin")))
    with pytest.raises(ValueError, match="cannot build"):
        construct_state(dataset, 8, "leaky_relu")


@pytest.mark.parametrize(
    "changes",
    [
        dict(method="construct", activation="step", hidden=(10,)),
        dict(method="construct", activation="relu", hidden=(10,)),
        dict(method="train", activation="tanh", hidden=(6,), epochs=5),
        dict(method="train", activation="relu", hidden=(4, 3), epochs=5),
    ],
)
def test_the_neurons_add_up_to_the_network(changes):
    target = resolve_target("sin")
    outcome = approximate(target, **changes)
    x = np.linspace(target.lo, target.hi, 57)
    base, contributions, table = neurons(outcome.network, outcome.dataset, x)
    scaling = outcome.dataset.input_scaling
    output = outcome.network.predict((x[:, None] - scaling["x_mean"][0]) / scaling["x_std"][0])[:, 0]
    output = output * scaling["y_std"][0] + scaling["y_mean"][0]
    np.testing.assert_allclose(base + contributions.sum(axis=0), output, atol=1e-9)
    assert len(table) == changes["hidden"][-1]
    assert ("w" in table[0]) == (len(changes["hidden"]) == 1)


# --- the command -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_sin(tmp_path_factory):
    """`nncli approx sin --json` at its defaults, run once for the module: (its events, the
    model store it saved into, which tests only read)."""
    store = tmp_path_factory.mktemp("store")
    result = run("approx", "sin", "--json", env={"NNCLI_HOME": str(store)})
    assert result.exit_code == 0, result.stderr
    return json_lines(result), store


def test_default_sin_reaches_a_hundredth_and_json_is_pure(default_sin):
    events, store = default_sin
    start, summary = events[0], events[-1]
    assert start["event"] == "start" and start["task"] == "approx" and start["config"]["formula"] == "sin(x)"
    assert {e["event"] for e in events[1:-1]} == {"epoch", "layer_stats"} and len(events) < 250
    assert summary["event"] == "summary"
    assert summary["max_abs_error"] <= 0.01
    assert summary["mse"] < 1e-4
    assert summary["domain"] == pytest.approx([-np.pi, np.pi])
    assert (summary["method"], summary["activation"], summary["hidden"]) == ("train", "tanh", [32])
    assert len(summary["neurons"]) == 32 and {"w", "b", "v", "switch"} <= set(summary["neurons"][0])
    assert summary["model"] == str(store / "approx.npz")

    in_its_store = {"NNCLI_HOME": str(store)}  # each command reads the model trained last
    evaluated = json_lines(run("evaluate", "--json", env=in_its_store))[0]
    assert evaluated["task"] == "approx" and evaluated["examples"] == GRID_POINTS
    assert evaluated["max_abs_error"] == pytest.approx(summary["max_abs_error"])
    predictions = json_lines(run("predict", "--json", "--", "0.5", "-1", env=in_its_store))
    assert [p["target"] for p in predictions] == pytest.approx(np.sin([0.5, -1]))
    assert all(abs(p["error"]) <= 0.01 for p in predictions)
    model = json_lines(run("inspect", "model", "--json", env=in_its_store))[0]
    assert model["task"] == "approx" and model["config"]["domain"] == pytest.approx([-np.pi, np.pi])


def test_a_formula_with_a_domain_and_two_hidden_layers():
    result = run(
        "approx",
        "--expr",
        "x**3 - x",
        "--domain",
        "-1.5,1.5",
        "--hidden",
        "16,16",
        "--activation",
        "relu",
        "--epochs",
        "200",
        "--json",
        "--no-save",
    )
    assert result.exit_code == 0, result.stderr
    summary = json_lines(result)[-1]
    assert summary["formula"] == "x**3 - x" and summary["target"] == "expr" and summary["domain"] == [-1.5, 1.5]
    assert summary["hidden"] == [16, 16] and summary["model"] is None
    assert summary["max_abs_error"] < 1.0


def test_construct_saves_a_model_that_loads_and_predicts(model_home):
    result = run("approx", "sin", "--method", "construct", "--activation", "step", "--hidden", "50", "--json")
    assert result.exit_code == 0, result.stderr
    start, summary = json_lines(result)
    assert start["event"] == "start" and summary["epochs"] == 0
    assert summary["max_abs_error"] < 0.07 and summary["method"] == "construct" and summary["activation"] == "step"
    assert len(summary["neurons"]) == 50
    evaluated = json_lines(run("evaluate", "--json", str(model_home / "approx.npz")))[0]
    assert evaluated["max_abs_error"] == pytest.approx(summary["max_abs_error"], rel=1e-6)
    assert run("inspect", "weights").exit_code == 0
    prediction = json_lines(run("predict", "--json", "1.5"))[0]
    assert prediction["output"] == pytest.approx(np.sin(1.5), abs=0.07)


def test_the_pictures_for_a_person():
    result = run("approx", "sin", "--method", "construct", "--hidden", "8", "--neurons", "--no-save")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for text in (
        "8 step neurons, built by hand",
        "error = network − target",
        "max |error|",
        "the neurons, one by one",
        "the sum, neuron by neuron",
        "switch −b/w",
        "first 2",
        "all 8",
    ):
        assert text in out, text
    assert any("\u2801" <= ch <= "\u28ff" for ch in out)  # braille
    table = out.split("hidden neurons v·σ(w·x + b)")[1].split("└")[0].splitlines()
    assert [line.split()[1] for line in table if line.startswith("│")] == [str(n) for n in range(1, 9)]  # from 1
    assert "built by hand" in result.stderr and "not saved" in result.stderr
    trained = run("approx", "step", "--epochs", "30", "--no-save")
    assert trained.exit_code == 0 and "jumps" in trained.stdout and "trained for 30 epochs" in trained.stdout
    assert "done after 30 epochs" in trained.stderr


@pytest.mark.parametrize(
    "formula",
    [
        "__import__('os').system('touch PWNED')",
        "x.__class__",
        "(lambda: 1)()",
        "[x for x in ()]",
        "x[0]",
        "'a'",
        "open",
        "open('PWNED', 'w')",
        "9**9**9",
        "x" * 2000,
    ],
)
def test_hostile_formulas_exit_2_and_run_nothing(formula, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("approx", "--expr", formula)
    assert result.exit_code == 2
    assert "--expr" in result.stderr
    assert list(tmp_path.iterdir()) == []  # no file made, no model saved


def test_a_refused_formula_is_pointed_at():
    result = run("approx", "--expr", "x**2 + x.real")
    assert result.exit_code == 2
    assert "attribute access (.) is not allowed (column 9)" in result.stderr
    assert "  x**2 + x.real\n          ^\n" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["sin", "--activation", "step"], "cannot be trained by gradient descent"),
        (["sin", "--method", "construct", "--activation", "leaky_relu"], "construct builds"),
        (["sin", "--method", "construct", "--hidden", "8,8"], "one hidden layer"),
        (["sin", "--method", "construct", "--epochs", "10"], "nothing is trained"),
        (["sin", "--hidden", "none"], "at least one hidden layer"),
        (["sin", "--hidden", "20000"], "at most"),
        (["sin", "--expr", "x"], "not both"),
        (["tan"], "no function 'tan'"),
        (["sin", "--domain", "3,1"], "LO must be less than HI"),
        (["sin", "--domain", "1"], "is not LO,HI"),
        (["sin", "--domain", "0,2*y"], "unknown name 'y'"),
        (["--expr", "log(x)"], "not a finite number"),
        (["sin", "--save", "a.npz", "--no-save"], "contradict"),
    ],
)
def test_usage_errors_exit_2(args, message):
    result = run("approx", *args)
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr
    if "cannot be trained" in message:
        assert "--method construct" in result.stderr


def test_with_neither_a_function_nor_a_formula_it_approximates_sin():
    result = run("approx", "--method", "construct", "--json", "--no-save")
    assert result.exit_code == 0, result.stderr
    summary = json_lines(result)[-1]
    assert (summary["target"], summary["formula"]) == ("sin", "sin(x)")


def test_the_domain_may_use_pi():
    result = run("approx", "cos", "--domain=-2*pi,2*pi", "--method", "construct", "--json", "--no-save")
    assert json_lines(result)[-1]["domain"] == pytest.approx([-2 * np.pi, 2 * np.pi])


def test_a_trained_networks_partial_sums_approach_the_target_and_end_at_its_output(default_sin):
    import numpy as np

    from nncli.session.runner import load_trained, rebuild_data, run_config
    from nncli.views import History
    from nncli.views.curve import neurons

    task, network, meta, path = load_trained(default_sin[1] / "approx.npz")
    config = run_config(meta)
    dataset = rebuild_data(task, config, path)
    view = neurons(network, dataset, config, History.of_model(meta))
    assert view.order == "greedy"
    assert view.errors[-1] == min(view.errors) < view.errors[0]
    from nncli.tasks.base import scale_inputs, unscale_outputs

    scaling = meta["input_scaling"]
    output = unscale_outputs(network.predict(scale_inputs(np.asarray(view.x)[:, None], scaling)), scaling)[:, 0]
    np.testing.assert_allclose(view.sums[-1], output, atol=1e-5)  # all of them: the network itself
