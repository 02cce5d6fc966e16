"""`nncli explain descent | backprop`: every number against the autograd engine and PyTorch."""

import numpy as np
import pytest
from conftest import json_lines, run

from nncli import store
from nncli.views import explain as lesson

# --- descent -----------------------------------------------------------------------------


def test_descent_step_numbers_are_the_lesson_formulas():
    x, y = np.array([1.0, 2.0, 3.0]), np.array([3.0, 5.5, 6.5])
    (step,) = lesson.descent_steps(x, y, m=0.5, c=-1.0, lr=0.1)
    y_hat = 0.5 * x - 1.0
    assert step.loss == pytest.approx(np.mean((y - y_hat) ** 2), rel=1e-15)
    assert step.grad_m == pytest.approx(-2 / 3 * np.sum(x * (y - y_hat)), rel=1e-15)
    assert step.grad_c == pytest.approx(-2 / 3 * np.sum(y - y_hat), rel=1e-15)
    assert step.engine_grad_m == pytest.approx(step.grad_m, rel=1e-12)
    assert step.engine_grad_c == pytest.approx(step.grad_c, rel=1e-12)
    assert step.new_m == pytest.approx(0.5 - 0.1 * step.grad_m)
    assert step.new_loss < step.loss


def test_descent_against_torch():
    torch = pytest.importorskip("torch")
    events = json_lines(run("explain", "descent", "--points", "7", "--seed", "3", "--steps", "3", "--json"))
    steps = events[0]["steps"]
    m = torch.tensor(steps[0]["m"], dtype=torch.float64, requires_grad=True)
    c = torch.tensor(steps[0]["c"], dtype=torch.float64, requires_grad=True)
    x = torch.tensor([p["x"] for p in steps[0]["points"]], dtype=torch.float64)
    y = torch.tensor([p["y"] for p in steps[0]["points"]], dtype=torch.float64)
    optimizer = torch.optim.SGD([m, c], lr=steps[0]["lr"])
    for step in steps:
        optimizer.zero_grad()
        loss = ((y - (m * x + c)) ** 2).mean()
        loss.backward()
        assert step["loss"] == pytest.approx(loss.item(), rel=1e-12)
        assert step["grad_m"] == pytest.approx(m.grad.item(), rel=1e-12)
        assert step["engine_grad_c"] == pytest.approx(c.grad.item(), rel=1e-12)
        optimizer.step()
        assert (step["new_m"], step["new_c"]) == pytest.approx((m.item(), c.item()), rel=1e-12)


def test_descent_screen_writes_the_sums_out(tmp_path):
    points = tmp_path / "points.csv"
    points.write_text("x,y\n1,3\n2,5\n")
    screen = run("explain", "descent", "--data", points, "--m", "1", "--c", "0", "--lr", "0.1", env={"NO_COLOR": "1"})
    assert screen.exit_code == 0, screen.output
    text = screen.stdout
    # errors 2 and 3: L = (4 + 9)/2, ∂L/∂m = −2/2·(1·2 + 2·3) = −8, ∂L/∂c = −2/2·5 = −5
    assert "(1/2) · (2² + 3²) = 6.5" in text
    assert "-2/2 · (1·2 + 2·3)" in text and "= -8" in text
    assert "engine -8 ✓" in text and "engine -5 ✓" in text
    assert "m ← 1 − 0.1 · (-8) = 1.8" in text
    assert "\x1b[" not in text


def test_descent_screen_in_colour():
    screen = run("explain", "descent", "--steps", "3", env={"FORCE_COLOR": "1", "NO_COLOR": None})
    assert screen.exit_code == 0
    assert "\x1b[" in screen.stdout and "The steps after it" in screen.stdout


@pytest.mark.parametrize(
    "args",
    [["--lr", "0"], ["--lr", "-1"], ["--lr", "nan"], ["--lr", "inf"], ["--points", "0"], ["--points", "21"]],
    ids=" ".join,
)
def test_descent_bad_options_are_usage_errors(args):
    result = run("explain", "descent", *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_descent_refuses_a_long_data_file(tmp_path):
    points = tmp_path / "many.csv"
    points.write_text("".join(f"{i},{2 * i}\n" for i in range(25)))
    result = run("explain", "descent", "--data", points)
    assert result.exit_code == 2 and "at most 20" in result.stderr


# --- backprop ----------------------------------------------------------------------------


@pytest.fixture
def xor_model(model_home):
    assert run("train", "xor", "--epochs", "300", "-q").exit_code == 0
    return store.resolve_model("xor")


def torch_pass(torch, layers, state, x, target, loss_name):
    """z, a, δ and the gradients of each Linear from PyTorch, on the same weights."""
    model = []
    for entry in layers:
        kind = entry["type"]
        if kind == "linear":
            model.append(torch.nn.Linear(entry["in"], entry["out"]).double())
        elif kind == "dropout":
            model.append(torch.nn.Dropout(entry["p"]))
        else:
            model.append({"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[kind]())
    sequential = torch.nn.Sequential(*model)
    sequential.load_state_dict({k: torch.tensor(np.asarray(v, dtype=np.float64)) for k, v in state.items()})
    sequential.eval()
    h = torch.tensor([x], dtype=torch.float64)
    kept = {}
    for i, module in enumerate(sequential):
        h = module(h)
        h.retain_grad()
        kept[i] = h
    if loss_name == "cross_entropy":
        loss = torch.nn.functional.cross_entropy(h, torch.tensor([int(target[0])]))
    else:
        loss = torch.nn.functional.mse_loss(h, torch.tensor([target], dtype=torch.float64))
    loss.backward()
    return sequential, kept, loss.item()


def check_layers_against_torch(torch, event, layers, state):
    sequential, kept, loss = torch_pass(torch, layers, state, event["input"], event["target"], event["loss_name"])
    assert event["loss"] == pytest.approx(loss, rel=1e-10)
    for layer in event["layers"]:
        i = layer["index"]
        activation = i + 1 if i + 1 < len(layers) and layers[i + 1]["type"] not in ("linear", "dropout") else i
        np.testing.assert_allclose(layer["z"], kept[i].detach()[0], rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(layer["a"], kept[activation].detach()[0], rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(layer["delta"], kept[i].grad[0], rtol=1e-9, atol=1e-13)
        np.testing.assert_allclose(layer["weight_grad"], sequential[i].weight.grad, rtol=1e-9, atol=1e-13)
        np.testing.assert_allclose(layer["bias_grad"], sequential[i].bias.grad, rtol=1e-9, atol=1e-13)
        assert np.shape(layer["weight_grad"]) == (layers[i]["out"], layers[i]["in"])


def test_backprop_xor_matches_torch(xor_model):
    torch = pytest.importorskip("torch")
    state, meta = store.load_model(xor_model)
    (event,) = json_lines(run("explain", "backprop", "--input", "1,0", "--json"))
    assert event["event"] == "explain" and event["target"] == [1.0]
    check_layers_against_torch(torch, event, meta["layers"], state)


def test_backprop_digits_with_dropout_matches_torch(model_home):
    torch = pytest.importorskip("torch")
    assert run("train", "digits", "--epochs", "1", "--hidden", "12", "-q").exit_code == 0
    state, meta = store.load_model(store.resolve_model("digits"))
    assert any(e["type"] == "dropout" for e in meta["layers"])
    (event,) = json_lines(run("explain", "backprop", "--target", "7", "--json"))
    assert event["target"] == [7.0] and len(event["output"]) == 10
    assert sum(event["output"]) == pytest.approx(1.0)
    check_layers_against_torch(torch, event, meta["layers"], state)
    for outside in ("10", "-1", "2.5"):
        result = run("explain", "backprop", "--target", outside)
        assert result.exit_code == 2 and "the labels are 0 to 9" in result.stderr


def test_backprop_by_hand_matches_the_engine_for_every_activation():
    rng = np.random.default_rng(0)
    cases = [("tanh", "mse"), ("relu", "bce"), ("leaky_relu", "cross_entropy"), ("sigmoid", "mse"), ("step", "mse")]
    for activation, loss in cases:
        final = {"mse": "identity", "bce": "sigmoid", "cross_entropy": "identity"}[loss]
        from nncli.nn import mlp_spec

        spec = mlp_spec([3, 5, 4, 2], activation, final)
        state = {}
        for i, entry in enumerate(spec):
            if entry["type"] == "linear":
                state[f"{i}.weight"] = rng.normal(size=(entry["out"], entry["in"]))
                state[f"{i}.bias"] = rng.normal(size=entry["out"])
        target = [1] if loss == "cross_entropy" else [0.0, 1.0]
        result = lesson.backprop_pass(spec, state, loss, rng.normal(size=3), target, lr=0.1)
        assert len(result.layers) == 3  # checked against the engine inside, or it raises
        graph_loss = lesson.scalar_graph(spec, state, loss, result.input, target)
        assert graph_loss.data == pytest.approx(result.loss, rel=1e-12)


def test_backprop_screen(xor_model):
    plain = run("explain", "backprop", "--input", "1,0", env={"NO_COLOR": "1"})
    assert plain.exit_code == 0, plain.output
    text = plain.stdout
    for part in ("Forward", "The loss: mean squared error", "Backward", "δ = ∂L/∂a · σ'(z)", "checked against"):
        assert part in text
    assert "\x1b[" not in text
    coloured = run("explain", "backprop", "--input", "1,0", env={"FORCE_COLOR": "1", "NO_COLOR": None})
    assert "\x1b[" in coloured.stdout


def test_a_hand_and_engine_mismatch_is_a_bug_exit_1(xor_model, monkeypatch):
    monkeypatch.setitem(lesson.DERIVATIVES, "sigmoid", lambda z, a, entry: a)  # a wrong σ'
    result = run("explain", "backprop", "--input", "1,0")
    assert result.exit_code == 1
    assert "internal check failed" in result.stderr and "bug" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--input", "1"], "takes 2 inputs"),
        (["--input", "1,0,1"], "takes 2 inputs"),
        (["--input", "a,b"], "not a number"),
        (["--input", "nan,1"], "not a finite number"),
        (["--input", "1,inf"], "not a finite number"),
        (["--input", "1,0", "--target", "2"], "labels are 0 and 1"),
        (["--input", "1,0", "--target", "nan"], "not a finite number"),
    ],
)
def test_backprop_bad_input_is_a_usage_error(xor_model, args, message):
    result = run("explain", "backprop", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_backprop_regression_models_with_scaling(model_home):
    assert run("approx", "sin", "--epochs", "5", "--hidden", "6", "-q").exit_code == 0
    (event,) = json_lines(run("explain", "backprop", "--input", "1.5", "--target", "0.9", "--json"))
    assert len(event["layers"]) == 2 and event["loss_name"] == "mse"
    assert run("explain", "backprop", "--input", "1.5").exit_code == 2  # no target for a regression input
    assert run("train", "linreg", "--epochs", "3", "-q").exit_code == 0
    (event,) = json_lines(run("explain", "backprop", "--json"))
    assert event["example"] == "the first training example"


@pytest.mark.parametrize("kind", ["batchnorm", "residual"])
def test_layers_the_lesson_cannot_write_out_are_refused_plainly(kind):
    from nncli.errors import NncliError
    from nncli.views.diagram import network_diagram

    spec = [{"type": "linear", "in": 2, "out": 3, "bias": True}, {"type": kind}, {"type": "linear", "in": 3, "out": 1}]
    with pytest.raises(NncliError, match=f"cannot write out {kind} layers"):
        lesson.backprop_pass(spec, {}, "mse", [1.0, 0.0], [1.0], lr=0.1)
    with pytest.raises(NncliError, match=f"cannot draw {kind} layers"):
        network_diagram(spec, {})
