"""`nncli explain descent | backprop`: every number against the autograd engine and PyTorch."""

import numpy as np
import pytest
from conftest import ON_TORCH_WORKER, json_lines, run

from nncli import nn, store
from nncli.render.explain import num
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


@ON_TORCH_WORKER
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


def torch_layers(torch, layers):
    """A torch.nn.Sequential of the same layer list; a residual block is x + block(x)."""

    class Residual(torch.nn.Module):
        def __init__(self, module):
            super().__init__()
            self.module = module

        def forward(self, x):
            return x + self.module(x)

    model = []
    for entry in layers:
        kind = entry["type"]
        if kind == "linear":
            model.append(torch.nn.Linear(entry["in"], entry["out"], bias=entry["bias"]).double())
        elif kind == "dropout":
            model.append(torch.nn.Dropout(entry["p"]))
        elif kind == "batchnorm":
            model.append(torch.nn.BatchNorm1d(entry["features"], eps=entry["eps"]).double())
        elif kind == "residual":
            model.append(Residual(torch_layers(torch, entry["layers"])))
        else:
            model.append({"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[kind]())
    return torch.nn.Sequential(*model)


def torch_forward(sequential, layers, h, kept, prefix=""):
    """Run layer by layer, keeping every output (gradient retained) under its state-dict prefix."""
    for i, (module, entry) in enumerate(zip(sequential, layers)):
        if entry["type"] == "residual":
            h = h + torch_forward(module.module, entry["layers"], h, kept, f"{prefix}{i}.module.")
        else:
            h = module(h)
        h.retain_grad()
        kept[f"{prefix}{i}"] = h
    return h


def output_keys(layers, prefix=""):
    """{Linear's prefix: the prefix of the last layer before the next Linear, dropouts aside}."""
    keys, linear = {}, None
    for i, entry in enumerate(layers):
        key = f"{prefix}{i}"
        if entry["type"] == "residual":
            keys.update(output_keys(entry["layers"], f"{key}.module."))
            linear = None
        elif entry["type"] == "linear":
            linear = keys[key] = key
        elif entry["type"] != "dropout" and linear is not None:
            keys[linear] = key
    return keys


def torch_pass(torch, layers, state, x, target, loss_name):
    """Every layer's output and the parameters' gradients from PyTorch, on the same weights."""
    sequential = torch_layers(torch, layers)
    sequential.load_state_dict({k: torch.tensor(np.asarray(v, dtype=np.float64)) for k, v in state.items()})
    sequential.eval()
    kept = {}
    h = torch_forward(sequential, layers, torch.tensor([x], dtype=torch.float64), kept)
    if loss_name == "cross_entropy":
        loss = torch.nn.functional.cross_entropy(h, torch.tensor([int(target[0])]))
    else:
        loss = torch.nn.functional.mse_loss(h, torch.tensor([target], dtype=torch.float64))
    loss.backward()
    return dict(sequential.named_parameters()), kept, loss.item()


def check_layers_against_torch(torch, event, layers, state):
    parameters, kept, loss = torch_pass(torch, layers, state, event["input"], event["target"], event["loss_name"])
    assert event["loss"] == pytest.approx(loss, rel=1e-10)
    outputs = output_keys(layers)
    for layer in event["layers"]:
        key = layer["key"]

        def close(ours, theirs, rtol=1e-9):
            np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=rtol, atol=1e-13)

        close(layer["z"], kept[key][0], rtol=1e-10)
        close(layer["a"], kept[outputs[key]][0], rtol=1e-10)
        close(layer["delta"], kept[key].grad[0])
        close(layer["dL_da"], kept[outputs[key]].grad[0])
        close(layer["weight_grad"], parameters[f"{key}.weight"].grad)
        assert np.shape(layer["weight_grad"]) == parameters[f"{key}.weight"].shape
        if layer["bias"] is not None:
            close(layer["bias_grad"], parameters[f"{key}.bias"].grad)
        if layer["batchnorm"] is not None:
            norm = layer["batchnorm"]
            close(norm["z_hat"], kept[norm["key"]][0], rtol=1e-10)
            close(norm["dL_dz_hat"], kept[norm["key"]].grad[0])
            close(norm["gamma_grad"], parameters[f"{norm['key']}.weight"].grad)
            close(norm["beta_grad"], parameters[f"{norm['key']}.bias"].grad)


@ON_TORCH_WORKER
def test_backprop_xor_matches_torch(xor_model):
    torch = pytest.importorskip("torch")
    state, meta = store.load_model(xor_model)
    (event,) = json_lines(run("explain", "backprop", "--input", "1,0", "--json"))
    assert event["event"] == "explain" and event["target"] == [1.0]
    check_layers_against_torch(torch, event, meta["layers"], state)


@ON_TORCH_WORKER
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
    # layers, neurons and inputs counted as a student counts them, with the tensors' names
    assert "hidden layer 1 (2 → 4, sigmoid; weights 0.weight)" in text
    assert "output layer (4 → 1, sigmoid; weights 2.weight)" in text and "(layer " not in text
    rows = [line.split()[0] for line in text.splitlines() if line.strip()[:1].isdigit()]
    assert rows[:5] == ["1", "2", "3", "4", "1"]  # hidden layer 1's neurons, then the output's
    assert "w₁" in text and "w₄" in text and "w₀" not in text
    coloured = run("explain", "backprop", "--input", "1,0", env={"FORCE_COLOR": "1", "NO_COLOR": None})
    assert "\x1b[" in coloured.stdout


def test_a_hand_and_engine_mismatch_is_a_bug_exit_1(xor_model, monkeypatch):
    monkeypatch.setattr(nn.Sigmoid, "derivative", lambda self, z, a: a)  # a wrong σ'
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


# --- batch norm --------------------------------------------------------------------------


def batchnorm_state(spec, rng):
    """Random weights, and running statistics far from batch norm's start (μ 0, σ² 1), so a
    formula that forgot them would show."""
    state = {}
    for i, entry in enumerate(spec):
        if entry["type"] == "linear":
            state[f"{i}.weight"] = rng.normal(size=(entry["out"], entry["in"]))
            if entry["bias"]:
                state[f"{i}.bias"] = rng.normal(size=entry["out"])
        elif entry["type"] == "batchnorm":
            n = entry["features"]
            state[f"{i}.weight"] = rng.uniform(0.5, 2.0, n)
            state[f"{i}.bias"] = rng.normal(size=n)
            state[f"{i}.running_mean"] = rng.normal(size=n)
            state[f"{i}.running_var"] = rng.uniform(0.1, 3.0, n)
            state[f"{i}.num_batches_tracked"] = np.array(7)
    return state


def test_batchnorm_by_hand_is_the_eval_formula_and_matches_the_engine():
    from nncli.nn import mlp_spec

    spec = mlp_spec([3, 4, 2], "tanh", "identity", batchnorm=True)
    assert [e["type"] for e in spec] == ["linear", "batchnorm", "tanh", "linear"]
    state = batchnorm_state(spec, np.random.default_rng(1))
    x = np.array([0.5, -1.0, 2.0])
    result = lesson.backprop_pass(spec, state, "mse", x, [0.3, -0.2], lr=0.1)
    hidden = result.layers[0]
    norm = hidden.norm
    assert hidden.bias is None and hidden.bias_grad is None  # batch norm's β takes its place
    z = state["0.weight"] @ x
    z_hat = state["1.weight"] * (z - state["1.running_mean"]) / np.sqrt(state["1.running_var"] + 1e-5) + state["1.bias"]
    np.testing.assert_allclose(norm.z_hat, z_hat, rtol=1e-12)
    np.testing.assert_allclose(hidden.a, np.tanh(z_hat), rtol=1e-12)
    scale = state["1.weight"] / np.sqrt(state["1.running_var"] + 1e-5)
    np.testing.assert_allclose(hidden.delta, norm.dL_dz_hat * scale, rtol=1e-12)
    np.testing.assert_allclose(norm.dL_dz_hat, hidden.dL_da * (1 - np.tanh(z_hat) ** 2), rtol=1e-12)
    assert np.abs(norm.gamma_grad).min() > 0  # every number of it checked, none trivially zero
    graph_loss = lesson.scalar_graph(spec, state, "mse", x, [0.3, -0.2])
    assert graph_loss.data == pytest.approx(result.loss, rel=1e-12)


def test_a_wrong_batchnorm_slope_is_caught(monkeypatch):
    from nncli.nn import mlp_spec

    spec = mlp_spec([2, 3, 1], "relu", "sigmoid", batchnorm=True)
    state = batchnorm_state(spec, np.random.default_rng(2))
    real = lesson._backward

    def forgets_gamma(layer, group, dL_da):  # δ = ∂L/∂ẑ / √(σ² + ε): the γ left out
        out = real(layer, group, dL_da)
        if layer.norm is not None:
            layer.delta = layer.norm.dL_dz_hat / layer.norm.std
        return out

    monkeypatch.setattr(lesson, "_backward", forgets_gamma)
    with pytest.raises(lesson.ExplainMismatch, match="δ = ∂L/∂z of layer 0"):
        lesson.backprop_pass(spec, state, "mse", [1.0, 0.5], [1.0], lr=0.1)


@pytest.fixture
def batchnorm_xor(model_home):
    assert run("train", "xor", "--hidden", "3", "--batchnorm", "--epochs", "200", "--lr", "0.5", "-q").exit_code == 0
    return store.resolve_model("xor")


def test_backprop_screen_writes_out_the_batch_norm(batchnorm_xor):
    state, _ = store.load_model(batchnorm_xor)
    result = run("explain", "backprop", "--input", "1,0", env={"NO_COLOR": "1", "COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "batch norm 1: x̂ = (z − μ)/√(σ² + ε), ẑ = γ·x̂ + β" in text
    assert "through the batch norm δ = ∂L/∂ẑ · γ/√(σ² + ε)" in text
    for mean, var, gamma in zip(state["1.running_mean"], state["1.running_var"], state["1.weight"]):
        assert num(mean) in text and num(var) in text and num(gamma) in text
    assert "γ ← γ − η·∂L/∂γ" in text and "checked against" in text


def test_backprop_json_carries_the_batch_norm(batchnorm_xor):
    state, _ = store.load_model(batchnorm_xor)
    (event,) = json_lines(run("explain", "backprop", "--input", "0,1", "--json"))
    hidden, output = event["layers"]
    assert (hidden["name"], hidden["key"], output["name"], output["key"]) == (
        "hidden layer 1",
        "0",
        "output layer",
        "3",
    )
    assert output["batchnorm"] is None and hidden["bias"] is None
    norm = hidden["batchnorm"]
    assert norm["key"] == "1" and norm["eps"] == 1e-5
    np.testing.assert_allclose(norm["running_mean"], state["1.running_mean"], rtol=1e-7)
    np.testing.assert_allclose(norm["running_var"], state["1.running_var"], rtol=1e-7)
    np.testing.assert_allclose(hidden["a"], 1 / (1 + np.exp(-np.array(norm["z_hat"]))), rtol=1e-12)
    np.testing.assert_allclose(hidden["delta"], np.multiply(norm["dL_dz_hat"], norm["scale"]), rtol=1e-12)


@ON_TORCH_WORKER
def test_backprop_batchnorm_digits_matches_torch(model_home):
    torch = pytest.importorskip("torch")
    assert run("train", "digits", "--batchnorm", "--epochs", "2", "--hidden", "12", "-q").exit_code == 0
    state, meta = store.load_model(store.resolve_model("digits"))
    assert any(e["type"] == "batchnorm" for e in meta["layers"])
    (event,) = json_lines(run("explain", "backprop", "--target", "3", "--json"))
    check_layers_against_torch(torch, event, meta["layers"], state)


# --- residual blocks ---------------------------------------------------------------------


def residual_state(spec, rng, prefix=""):
    """Random weights for every Linear and batch norm, those inside residual blocks too."""
    state = {}
    for i, entry in enumerate(spec):
        if entry["type"] == "residual":
            state.update(residual_state(entry["layers"], rng, f"{prefix}{i}.module."))
        else:
            state.update({f"{prefix}{k}": v for k, v in batchnorm_state([{"type": "x"}] * i + [entry], rng).items()})
    return state


@pytest.mark.parametrize("batchnorm", [False, True], ids=["plain", "batchnorm"])
def test_residual_gradient_is_the_skip_plus_the_block(batchnorm):
    from nncli.nn import mlp_spec

    spec = mlp_spec([2, 3, 3, 3, 1], "tanh", "identity", batchnorm=batchnorm, residual=True)
    blocks = [str(i) for i, entry in enumerate(spec) if entry["type"] == "residual"]
    assert len(blocks) == 2
    state = residual_state(spec, np.random.default_rng(3))
    result = lesson.backprop_pass(spec, state, "mse", [0.5, -1.0], [0.7], lr=0.1)  # engine-checked inside
    first, second = result.skips
    assert (first.key, first.first, first.last) == (blocks[0], 1, 1) and (second.key, second.first) == (blocks[1], 2)
    hidden = result.layers
    np.testing.assert_allclose(first.out, hidden[0].a + hidden[1].a, rtol=1e-15)
    np.testing.assert_array_equal(hidden[2].inputs, first.out)  # the next block is given x + block(x)
    np.testing.assert_allclose(first.through_block, hidden[1].weight.T @ hidden[1].delta, rtol=1e-15)
    np.testing.assert_allclose(first.dL_dx, first.dL_dout + first.through_block, rtol=1e-15)
    np.testing.assert_array_equal(hidden[0].dL_da, first.dL_dx)
    np.testing.assert_array_equal(first.dL_dout, hidden[1].dL_da)  # the sum passes ∂L/∂out on unchanged
    graph_loss = lesson.scalar_graph(spec, state, "mse", result.input, [0.7])
    assert graph_loss.data == pytest.approx(result.loss, rel=1e-12)


def test_a_forgotten_skip_gradient_is_caught(monkeypatch):
    from nncli.nn import mlp_spec

    spec = mlp_spec([2, 3, 3, 1], "sigmoid", "sigmoid", residual=True)
    state = residual_state(spec, np.random.default_rng(4))
    real = lesson._backward

    def through_the_block_only(layer, group, dL_da):  # as if the skip carried no gradient
        out = real(layer, group, dL_da)
        return out - dL_da if layer.block is not None else out

    monkeypatch.setattr(lesson, "_backward", through_the_block_only)
    with pytest.raises(lesson.ExplainMismatch, match="δ = ∂L/∂z of layer 0"):
        lesson.backprop_pass(spec, state, "mse", [1.0, 0.0], [1.0], lr=0.1)


@pytest.fixture
def residual_xor(model_home):
    args = ["--hidden", "3x3", "--residual", "--batchnorm", "--epochs", "200", "--lr", "0.5", "-q"]
    assert run("train", "xor", *args).exit_code == 0
    return store.resolve_model("xor")


def test_backprop_screen_writes_out_the_skip(residual_xor):
    result = run("explain", "backprop", "--input", "1,0", env={"NO_COLOR": "1", "COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    text = result.stdout
    (event,) = json_lines(run("explain", "backprop", "--input", "1,0", "--json"))
    skip = event["residual_blocks"][0]
    assert skip["key"] == "3" and event["layers"][1]["block"] == "3"
    assert "residual block 3: the skip adds the block's input x back" in text
    assert f"{num(skip['input'][0])} + {num(skip['block'][0])} = {num(skip['out'][0])}" in text
    assert "the gradient reaching its input x comes along two paths" in text
    assert "∂L/∂out (along the skip)" in text
    row = f"{num(skip['dL_dout'][0])}"
    assert row in text and num(skip["through_block"][0]) in text and num(skip["dL_dx"][0]) in text
    np.testing.assert_allclose(skip["dL_dx"], np.add(skip["dL_dout"], skip["through_block"]), rtol=1e-15)
    assert "inside residual block 3" in text and "checked against" in text


@ON_TORCH_WORKER
def test_backprop_residual_digits_matches_torch(model_home):
    torch = pytest.importorskip("torch")
    args = ["--residual", "--batchnorm", "--hidden", "12x3", "--epochs", "2"]
    assert run("train", "digits", *args, "-q").exit_code == 0
    state, meta = store.load_model(store.resolve_model("digits"))
    assert sum(e["type"] == "residual" for e in meta["layers"]) == 2
    (event,) = json_lines(run("explain", "backprop", "--target", "4", "--json"))
    assert len(event["layers"]) == 4 and len(event["residual_blocks"]) == 2
    check_layers_against_torch(torch, event, meta["layers"], state)


def test_layers_the_lesson_cannot_write_out_are_refused_plainly():
    from nncli.errors import NncliError
    from nncli.views.diagram import network_diagram

    linear = {"type": "linear", "in": 2, "out": 2, "bias": True}
    cases = [
        ([linear, {"type": "relu"}, {"type": "batchnorm", "features": 2}, linear], "batch norm only straight after"),
        ([linear, {"type": "residual", "layers": [linear]}], "needs a linear layer after a residual block"),
        ([linear, {"type": "residual", "layers": [linear, {"type": "residual", "layers": [linear]}]}, linear], "deep"),
    ]
    for spec, message in cases:
        with pytest.raises(NncliError, match=message):
            lesson.backprop_pass(spec, {}, "mse", [1.0, 0.0], [1.0], lr=0.1)
    with pytest.raises(NncliError, match="one level deep"):
        network_diagram(cases[2][0], {})
