"""`nncli probe`: saliency, a neuron's favourite input and FGSM, checked against PyTorch's
input gradients on the same weights (float64) and against finite differences."""

import json

import numpy as np
import pytest
from conftest import ON_TORCH_WORKER, json_lines, run

from nncli.session.runner import load_trained, rebuild_data, run_config
from nncli.views import probe

TASKS = {
    "xor": ("train", "xor", "--epochs", "300"),
    "moons": ("train", "moons", "--epochs", "20", "--points", "200"),
    "spiral": ("train", "spiral", "--hidden", "12,8", "--epochs", "20", "--points", "150"),
    "digits": ("train", "digits", "--hidden", "16", "--epochs", "3"),
}


# its module fixture trains models once, and it runs PyTorch: all its tests on the worker that does
pytestmark = ON_TORCH_WORKER


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    home = tmp_path_factory.mktemp("store")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NNCLI_HOME", str(home))
        for name, args in TASKS.items():
            result = run(*args, "-q", "--dtype", "float64", "--save", home / f"{name}.npz")
            assert result.exit_code == 0, result.output
        for name, task in (("linreg", "linreg"), ("xor32", "xor")):  # float32, as trained by default
            assert run("train", task, "-q", "--epochs", "5", "--save", home / f"{name}.npz").exit_code == 0
    return {name: str(home / f"{name}.npz") for name in [*TASKS, "linreg", "xor32"]}


def loaded(path, example=1):
    task, network, meta, _ = load_trained(path)
    dataset = rebuild_data(task, run_config(meta), path)
    classes = probe.classes_of(network, task.classifier)
    return network, probe.example_input(task, meta, dataset, example), classes, dataset


def torch_twin(network):
    """The same network in PyTorch, float64, with the same weights."""
    torch = pytest.importorskip("torch")
    layers = {
        "linear": lambda e: torch.nn.Linear(e["in"], e["out"]),
        "relu": lambda e: torch.nn.ReLU(),
        "tanh": lambda e: torch.nn.Tanh(),
        "sigmoid": lambda e: torch.nn.Sigmoid(),
        "identity": lambda e: torch.nn.Identity(),
        "dropout": lambda e: torch.nn.Dropout(e["p"]),  # off in evaluation, as in nncli's probes
    }
    model = torch.nn.Sequential(*[layers[entry["type"]](entry) for entry in network.spec()]).double()
    model.load_state_dict({k: torch.from_numpy(v.astype(np.float64)) for k, v in network.state_dict().items()})
    return model.eval()


def torch_input(x):
    import torch

    return torch.tensor(x[None, :], dtype=torch.float64, requires_grad=True)


@pytest.mark.parametrize("name", TASKS)
def test_saliency_is_pytorchs_input_gradient_of_the_chosen_score(models, name):
    network, probed, classes, _ = loaded(models[name])
    twin = torch_twin(network)
    for chosen in range(classes):
        view = probe.saliency(network, probed, classes, chosen)
        x = torch_input(probed.x)
        out = twin(x)
        score = out[0, chosen] if out.shape[1] > 1 else (out[0, 0] if chosen == 1 else 1 - out[0, 0])
        score.backward()
        np.testing.assert_allclose(view.gradient, x.grad[0].numpy(), rtol=1e-10, atol=1e-13)
        assert view.score == pytest.approx(score.item(), rel=1e-12)
    assert probe.saliency(network, probed, classes).output == view.prediction  # by default: its answer


@pytest.mark.parametrize("name", ["moons", "digits"])
def test_saliency_matches_finite_differences(models, name):
    network, probed, classes, _ = loaded(models[name])
    view = probe.saliency(network, probed, classes)
    k, h = view.output, 1e-6
    column = (
        (lambda p: p[:, k])
        if network.predict(probed.x[None, :]).shape[1] > 1
        else (lambda p: p[:, 0] * (2 * k - 1) + (1 - k))
    )
    differences = [
        (column(network.predict((probed.x + h * e)[None, :])) - column(network.predict((probed.x - h * e)[None, :])))[0]
        / (2 * h)
        for e in np.eye(len(probed.x))
    ]
    np.testing.assert_allclose(view.gradient, differences, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("name", TASKS)
def test_fgsm_steps_along_the_sign_of_pytorchs_loss_gradient(models, name):
    torch = pytest.importorskip("torch")
    network, probed, classes, _ = loaded(models[name])
    view = probe.fool(network, probed, classes, eps=0.01)
    twin = torch_twin(network)
    x = torch_input(probed.x)
    out = twin(x)
    own = view.before["prediction"]
    if network.loss_name == "cross_entropy":
        loss = torch.nn.functional.cross_entropy(out, torch.tensor([own]))
    elif network.loss_name == "bce":
        loss = torch.nn.functional.binary_cross_entropy(out, torch.tensor([[float(own)]], dtype=torch.float64))
    else:
        loss = torch.nn.functional.mse_loss(out, torch.tensor([[float(own)]], dtype=torch.float64))
    loss.backward()
    np.testing.assert_allclose(view.loss_gradient, x.grad[0].numpy(), rtol=1e-10, atol=1e-13)
    step = np.sign(x.grad[0].numpy())
    assert view.step == step.tolist()
    expected = probed.x + 0.01 * step
    if probed.kind == "image":
        expected = np.clip(expected, 0, 1)
    np.testing.assert_allclose(view.adversarial, expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize("name", ["xor", "moons", "digits"])
def test_the_smallest_eps_flips_the_answer_and_no_smaller_one_on_the_grid_does(models, name):
    network, probed, classes, _ = loaded(models[name])
    view = probe.fool(network, probed, classes)
    assert view.smallest_eps is not None and view.eps == view.smallest_eps
    assert view.after["prediction"] != view.before["prediction"]
    step = np.asarray(view.step)
    below = np.linspace(0, view.smallest_eps, 200, endpoint=False)[1:]
    moved = probed.x + below[:, None] * step
    if probed.kind == "image":
        moved = np.clip(moved, 0, 1)
    answers = probe.answer(network, moved, classes)[0]
    assert (answers == view.before["prediction"]).all()


def test_a_first_layer_neuron_wants_its_own_weights(models):
    """Ascending z = w·x + b with penalty λ‖x − start‖² converges to x = start + w/(2λ)."""
    task, network, meta, _ = load_trained(models["moons"])
    start = np.array([0.3, -0.2])
    weight = network.state_dict()["0.weight"][2].astype(np.float64)
    view = probe.neuron(network, "plane", ["x1", "x2"], start, 1, 3, 2, steps=300, rate=0.1, penalty=0.5)
    np.testing.assert_allclose(view.input, start + weight / (2 * 0.5), rtol=1e-9)
    assert len(view.sums) == 301 and view.sums[-1] > view.sums[0]
    assert np.all(np.diff(view.sums) >= -1e-12)  # each step climbs


def test_neuron_ascent_of_a_digit_class_raises_its_score_within_the_pixel_range(models):
    network, *_ = loaded(models["digits"])
    start = np.full(64, 0.5)
    names = [f"p{i}" for i in range(64)]
    view = probe.neuron(network, "image", names, start, 2, 4, 10, steps=50, rate=0.1, penalty=0.01)
    assert view.neuron_name == "output 4: class 3's score" and view.sums[-1] > view.sums[0] + 1
    assert view.sums == view.activations  # the output layer's score is its weighted sum
    assert min(view.input) >= 0 and max(view.input) <= 1


def test_probe_commands_draw_and_give_json(models, tmp_path):
    for command in (
        ["saliency", models["digits"], "--example", "2"],
        ["fool", models["digits"], "--example", "2"],
        ["neuron", models["digits"], "--layer", "1", "--neuron", "3", "--steps", "20"],
        ["saliency", models["moons"], "--input", "0.5,0.25"],
        ["fool", models["xor"], "--input", "1,0", "--eps", "0.3"],
    ):
        drawn = run("probe", *command, env={"NO_COLOR": "1"})
        assert drawn.exit_code == 0, drawn.output
        assert "\x1b[" not in drawn.stdout
        (line,) = run("probe", *command, "--json").stdout.splitlines()
        event = json.loads(line)
        assert event["event"] == "probe" and event["probe"] == command[0]
    picture = run("probe", "fool", models["digits"], "--svg", tmp_path / "fool.svg")
    assert picture.exit_code == 0 and (tmp_path / "fool.svg").read_text().startswith("<svg")
    assert "nudge no person would notice" in picture.stdout


def test_a_digits_pixels_are_named_by_row_and_column_counted_from_1(models):
    (event,) = json_lines(run("probe", "saliency", models["digits"], "--example", "2", "--json"))
    assert event["names"] == [f"pixel {r},{c}" for r in range(1, 9) for c in range(1, 9)]
    largest = int(np.argmax(np.abs(event["gradient"])))
    shown = run("probe", "saliency", models["digits"], "--example", "2", env={"COLUMNS": "200"}).stdout
    assert f"pixel {largest // 8 + 1},{largest % 8 + 1} {event['gradient'][largest]:.4g}" in shown


@pytest.mark.parametrize(
    "args, said",
    [
        (["neuron", "digits", "--layer", "0"], "--layer"),
        (["neuron", "digits", "--layer", "3"], "--layer"),
        (["neuron", "digits", "--neuron", "17"], "--neuron"),
        (["neuron", "digits", "--steps", "0"], "--steps"),
        (["neuron", "digits", "--steps", "100000000"], "--steps"),
        (["neuron", "digits", "--rate", "nan"], "--rate"),
        (["fool", "digits", "--eps", "-0.1"], "--eps"),
        (["fool", "digits", "--eps", "nan"], "--eps"),
        (["fool", "digits", "--eps", "5"], "--eps"),
        (["fool", "linreg"], "not a classifier"),
        (["saliency", "xor", "--input", "1,0,1"], "--input"),
        (["saliency", "digits", "--example", "100000"], "--example"),
        (["saliency", "xor", "--class", "2"], "--class"),
        (["saliency", "xor", "--input", "1,0", "--example", "1"], "not both"),
    ],
)
def test_bad_input_is_a_one_line_usage_error(models, args, said):
    command, model, *rest = args
    result = run("probe", command, models[model], *rest)
    assert result.exit_code == 2, result.output
    assert said in result.stderr


def test_a_probe_that_diverges_says_so_with_exit_3(models):
    result = run("probe", "neuron", models["moons"], "--rate", "1e308", "--penalty", "0")
    assert result.exit_code == 3
    assert "diverged" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_tables_saliency_is_a_bar_per_named_column(tmp_path):
    rows = np.random.default_rng(0).normal(size=(80, 3))
    lines = ["height,weight,age,label"] + [f"{a:.3f},{b:.3f},{c:.3f},{'yes' if a > c else 'no'}" for a, b, c in rows]
    (tmp_path / "people.csv").write_text("\n".join(lines) + "\n")
    model = tmp_path / "people.npz"
    trained = run("train", "csv", "--data", tmp_path / "people.csv", "--target", "label", "-q", "--save", model)
    assert trained.exit_code == 0, trained.output
    shown = run("probe", "saliency", model, "--input", "1,0,-1", env={"NO_COLOR": "1"})
    assert shown.exit_code == 0
    assert all(name in shown.stdout for name in ("height", "weight", "age", "∂ score / ∂ input"))
    (line,) = run("probe", "saliency", model, "--input", "1,0,-1", "--json").stdout.splitlines()
    event = json.loads(line)
    assert event["kind"] == "table" and event["names"] == ["height", "weight", "age"] and len(event["gradient"]) == 3


@pytest.mark.parametrize("command, model, values", [("saliency", "linreg", "1e300"), ("fool", "xor32", "1e300,1e300")])
def test_an_input_that_overflows_a_float32_network_says_so_with_exit_3(models, command, model, values):
    result = run("probe", command, models[model], "--input", values)
    assert result.exit_code == 3
    assert "not a number" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_an_input_the_scaling_overflows_is_a_usage_error(models):
    result = run("probe", "saliency", models["moons"], "--input", "1e308,-1e308")
    assert result.exit_code == 2 and "--input" in result.stderr
