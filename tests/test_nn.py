"""nn and optim: layers, state dicts, losses and optimisers, against PyTorch where installed."""

import numpy as np
import pytest
from conftest import imported_on_first_use, needs_torch

from nncli import nn, optim
from nncli.autograd import Tensor, Value
from nncli.nn import scalar

torch = imported_on_first_use("torch")  # the PyTorch cross-checks below skip without it


def xor_net(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    return nn.Sequential(
        nn.Linear(2, 4, dtype=dtype, rng=rng), nn.Sigmoid(), nn.Linear(4, 1, dtype=dtype, rng=rng), nn.Sigmoid()
    )


def test_linear_shapes_dtype_and_pytorch_init_bounds():
    layer = nn.Linear(50, 7, rng=np.random.default_rng(1))
    assert layer.weight.shape == (7, 50) and layer.bias.shape == (7,)
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    bound = 1 / np.sqrt(50)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.weight.data).max() > 0.8 * bound
    assert nn.Linear(3, 2, bias=False).bias is None


@pytest.mark.parametrize("scheme", ["xavier", "he"])
def test_xavier_and_he_start_with_zero_bias_and_their_own_spread(scheme):
    layer = nn.Linear(400, 300, dtype=np.float64, rng=np.random.default_rng(0), init_scheme=scheme)
    assert not layer.bias.data.any()
    expected_std = np.sqrt(2 / (400 + 300)) if scheme == "xavier" else np.sqrt(2 / 400)
    assert layer.weight.data.std() == pytest.approx(expected_std, rel=0.03)


def test_state_dict_keys_follow_pytorch_naming_and_load_strictly():
    net = xor_net()
    state = net.state_dict()
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert state["0.weight"].shape == (4, 2)
    other = xor_net(seed=5)
    other.load_state_dict(state)
    for name, value in other.state_dict().items():
        np.testing.assert_array_equal(value, state[name])
    with pytest.raises(KeyError, match="missing"):
        other.load_state_dict({k: v for k, v in state.items() if k != "2.bias"})
    with pytest.raises(KeyError, match="unexpected"):
        other.load_state_dict({**state, "4.weight": np.zeros((1, 1))})
    with pytest.raises(ValueError, match="shape"):
        other.load_state_dict({**state, "0.weight": np.zeros((2, 4))})


def test_load_state_dict_casts_to_the_parameter_dtype():
    net = xor_net(dtype=np.float32)
    net.load_state_dict(xor_net(dtype=np.float64, seed=3).state_dict())
    assert all(p.dtype == np.float32 for p in net.parameters())


def test_parameters_zero_grad_and_train_eval_reach_every_child():
    net = nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5), nn.Linear(3, 1))
    assert net.num_parameters() == 2 * 3 + 3 + 3 + 1
    net(Tensor(np.ones((4, 2), dtype=np.float32))).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.eval()
    assert not net[1].training
    net.train()
    assert net[1].training


def test_dropout_keeps_the_expected_activation_and_is_off_in_eval():
    drop = nn.Dropout(0.25, rng=np.random.default_rng(0))
    x = Tensor(np.ones((200, 500)))
    out = drop(x).data
    assert (out == 0).mean() == pytest.approx(0.25, abs=0.01)
    assert out.mean() == pytest.approx(1.0, abs=0.01)
    drop.eval()
    np.testing.assert_array_equal(drop(x).data, x.data)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("p", [0.1, 1 / 3, 0.5, 0.999])
def test_dropout_scales_what_it_keeps_by_one_over_one_minus_p_in_the_inputs_dtype(p, dtype):
    """Forward and backward multiply by the mask [u ≥ p] / (1 − p) (u uniform from the
    layer's generator), rounded to the input's dtype — to the bit."""
    rng = np.random.default_rng(7)
    x, upstream = rng.standard_normal((2, 32, 16)).astype(dtype)
    mask = ((np.random.default_rng(8).random(x.shape) >= p) / (1.0 - p)).astype(dtype)
    inputs = Tensor(x, requires_grad=True)
    out = nn.Dropout(p, rng=np.random.default_rng(8))(inputs)
    out.backward(upstream)
    assert out.dtype == inputs.grad.dtype == dtype
    np.testing.assert_array_equal(out.data, x * mask)
    np.testing.assert_array_equal(inputs.grad, upstream * mask)


def test_fused_linear_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    layer = nn.Linear(3, 2, dtype=np.float64, rng=rng)
    x = Tensor(rng.normal(size=(5, 3)), requires_grad=True)
    upstream = rng.normal(size=(5, 2))
    layer(x).backward(upstream)
    eps = 1e-6
    for tensor in (x, layer.weight, layer.bias):
        numeric = np.zeros_like(tensor.data)
        for index in np.ndindex(tensor.shape):
            saved = tensor.data[index]
            tensor.data[index] = saved + eps
            plus = (layer(Tensor(x.data)).data * upstream).sum()
            tensor.data[index] = saved - eps
            minus = (layer(Tensor(x.data)).data * upstream).sum()
            tensor.data[index] = saved
            numeric[index] = (plus - minus) / (2 * eps)
        np.testing.assert_allclose(tensor.grad, numeric, rtol=1e-6, atol=1e-8)


def test_binary_cross_entropy_clamps_its_logs_like_pytorch():
    p = Tensor(np.array([0.0, 1.0, 0.5]))
    loss = nn.binary_cross_entropy(p, np.array([1.0, 0.0, 1.0]))
    assert loss.item() == pytest.approx((100 + 100 + np.log(2)) / 3)


def test_cross_entropy_is_stable_for_huge_logits():
    logits = Tensor(np.array([[1000.0, -1000.0, 0.0], [0.0, 0.0, 0.0]]), requires_grad=True)
    loss = nn.cross_entropy(logits, np.array([0, 2]))
    assert loss.item() == pytest.approx(np.log(3) / 2)
    loss.backward()
    assert np.isfinite(logits.grad).all()
    with pytest.raises(TypeError, match="integer"):
        nn.cross_entropy(logits, np.array([0.0, 2.0]))


@pytest.mark.parametrize("activation", scalar.ACTIVATIONS)
def test_scalar_mlp_starts_where_the_tensor_network_starts(activation):
    """Same seed, same weights, same output and gradients, whichever hidden activation."""
    spec = nn.mlp_spec([2, 4, 1], activation, "sigmoid")
    tensor_net = nn.from_spec(spec, np.float64, np.random.default_rng(7))
    scalar_net = scalar.MLP(2, [4, 1], activation, "sigmoid", rng=np.random.default_rng(7))
    assert scalar_net.spec() == spec
    for name, value in tensor_net.state_dict().items():
        np.testing.assert_array_equal(scalar_net.state_dict()[name], value)
    x = [0.3, -1.2]
    scalar_out, tensor_out = scalar_net(x), tensor_net(Tensor([x]))
    assert scalar_out.data == pytest.approx(tensor_out.item(), abs=1e-15)
    scalar_out.backward()
    tensor_out.backward()
    first = scalar_net.layers[0].neurons
    tensor_grad = tensor_net[0].weight.grad  # None behind a step: no gradient reaches the first layer
    tensor_grad = 0.0 if tensor_grad is None else tensor_grad
    np.testing.assert_allclose([[w.grad for w in n.w] for n in first], tensor_grad + np.zeros((4, 2)), rtol=1e-12)


def test_scalar_mlp_returns_a_value_for_one_output_and_a_list_otherwise():
    assert isinstance(scalar.MLP(3, [4, 1])([1, 2, 3]), Value)
    out = scalar.MLP(3, [4, 2])([1, 2, 3])
    assert isinstance(out, list) and len(out) == 2


# --- against PyTorch ------------------------------------------------------------------


@needs_torch
def test_a_saved_state_dict_loads_into_the_equivalent_torch_sequential():
    net = xor_net(dtype=np.float32)
    torch_net = torch.nn.Sequential(
        torch.nn.Linear(2, 4), torch.nn.Sigmoid(), torch.nn.Linear(4, 1), torch.nn.Sigmoid()
    )
    torch_net.load_state_dict({k: torch.from_numpy(v) for k, v in net.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(6, 2)).astype(np.float32)
    np.testing.assert_allclose(torch_net(torch.from_numpy(x)).detach().numpy(), net(Tensor(x)).data, rtol=1e-6)


@needs_torch
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu"])
def test_networks_and_losses_match_torch_forward_and_backward(activation):
    rng = np.random.default_rng(1)
    spec = nn.mlp_spec([5, 8, 3], activation, "identity")
    net = nn.from_spec(spec, np.float64, rng)
    act = {
        "relu": torch.nn.ReLU(),
        "tanh": torch.nn.Tanh(),
        "sigmoid": torch.nn.Sigmoid(),
        "leaky_relu": torch.nn.LeakyReLU(0.01),
    }[activation]
    torch_net = torch.nn.Sequential(torch.nn.Linear(5, 8), act, torch.nn.Linear(8, 3)).double()
    torch_net.load_state_dict({k: torch.from_numpy(v) for k, v in net.state_dict().items()})
    x = rng.normal(size=(7, 5))
    labels = rng.integers(0, 3, size=7)
    targets = rng.normal(size=(7, 3))
    for ours, theirs in [
        (
            lambda out: nn.cross_entropy(out, labels),
            lambda out: torch.nn.functional.cross_entropy(out, torch.from_numpy(labels)),
        ),
        (
            lambda out: nn.mse_loss(out, targets),
            lambda out: torch.nn.functional.mse_loss(out, torch.from_numpy(targets)),
        ),
        (
            lambda out: nn.binary_cross_entropy(out.sigmoid(), (targets > 0) * 1.0),
            lambda out: torch.nn.functional.binary_cross_entropy(out.sigmoid(), torch.from_numpy((targets > 0) * 1.0)),
        ),
    ]:
        net.zero_grad()
        torch_net.zero_grad()
        loss = ours(net(Tensor(x)))
        torch_loss = theirs(torch_net(torch.from_numpy(x)))
        loss.backward()
        torch_loss.backward()
        assert loss.item() == pytest.approx(torch_loss.item(), rel=1e-12)
        for (name, p), tp in zip(net.named_parameters(), torch_net.parameters()):
            np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=1e-10, atol=1e-14, err_msg=name)


OPTIMIZERS = [
    ("sgd", dict(lr=0.1), dict(lr=0.1)),
    (
        "sgd momentum + weight decay",
        dict(lr=0.05, momentum=0.9, weight_decay=0.01),
        dict(lr=0.05, momentum=0.9, weight_decay=0.01),
    ),
    ("adam", dict(lr=0.01), dict(lr=0.01)),
    (
        "adam betas + weight decay",
        dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
        dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
    ),
]


def _trajectory(make_optimizer, params, loss_of, steps=25):
    optimizer = make_optimizer(params)
    for _ in range(steps):
        optimizer.zero_grad()
        loss_of().backward()
        optimizer.step()


@needs_torch
@pytest.mark.parametrize("name,ours,theirs", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
def test_optimizers_follow_torch_optim_trajectories(name, ours, theirs):
    rng = np.random.default_rng(2)
    start_w, x, y = rng.normal(size=(3, 4)), rng.normal(size=(10, 4)), rng.normal(size=(10, 3))
    w = Tensor(start_w.copy(), requires_grad=True)
    torch_w = torch.tensor(start_w.copy(), requires_grad=True)
    kind = optim.Adam if name.startswith("adam") else optim.SGD
    torch_kind = torch.optim.Adam if name.startswith("adam") else torch.optim.SGD
    _trajectory(lambda p: kind(p, **ours), [w], lambda: (((Tensor(x) @ w.T - y) ** 2).mean()).tanh())
    _trajectory(
        lambda p: torch_kind(p, **theirs),
        [torch_w],
        lambda: (((torch.from_numpy(x) @ torch_w.T - torch.from_numpy(y)) ** 2).mean()).tanh(),
    )
    np.testing.assert_allclose(w.data, torch_w.detach().numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name,ours,_", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
def test_optimizers_move_value_parameters_exactly_as_tensor_parameters(name, ours, _):
    kind = optim.Adam if name.startswith("adam") else optim.SGD
    start = [0.5, -1.5, 2.0]
    values = [Value(v) for v in start]
    tensor = Tensor(np.array(start), requires_grad=True)
    _trajectory(lambda p: kind(p, **ours), values, lambda: (values[0] * values[1] + values[2] ** 2).tanh())
    _trajectory(lambda p: kind(p, **ours), [tensor], lambda: (tensor[0] * tensor[1] + tensor[2] ** 2).tanh())
    np.testing.assert_allclose([v.data for v in values], tensor.data, rtol=1e-13)


def test_sgd_is_one_plain_step_by_hand():
    w = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    opt = optim.SGD([w], lr=0.5)
    (w * w).sum().backward()  # gradient 2w
    opt.step()
    np.testing.assert_array_equal(w.data, [0.0, 0.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sgd_in_blocks_is_the_one_step_update_to_the_bit(dtype):
    # bigger than one block, a size that leaves a short last block, and a transposed
    # (not C-contiguous) parameter that takes the whole-array path
    rng = np.random.default_rng(3)
    shape = (optim.SGD.block // 100 + 7, 250)
    for data in (rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape).astype(dtype).T):
        w = Tensor(data.copy(), requires_grad=True)
        grad = rng.standard_normal(w.shape).astype(dtype)
        expected = data - dtype(0.03) * grad
        w.grad = grad.copy()
        optim.SGD([w], lr=0.03).step()
        np.testing.assert_array_equal(w.data, expected)
        np.testing.assert_array_equal(w.grad, grad)  # the gradient is read, never changed


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_one_row_weight_gradient_is_the_matrix_product_to_the_bit(dtype):
    rng = np.random.default_rng(4)
    layer = nn.Linear(300, 200, dtype=dtype, rng=rng)
    x = Tensor(rng.standard_normal((1, 300)).astype(dtype))
    upstream = rng.standard_normal((1, 200)).astype(dtype)
    layer(x).backward(upstream)
    assert layer.weight.grad.dtype == dtype and layer.weight.grad.flags.c_contiguous
    np.testing.assert_array_equal(layer.weight.grad, upstream.T @ x.data)


def test_float32_parameters_stay_float32_under_every_optimizer():
    for make in (
        lambda p: optim.SGD(p, 0.1, momentum=0.9, weight_decay=0.1),
        lambda p: optim.Adam(p, 0.1, weight_decay=0.1),
    ):
        w = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
        opt = make([w])
        for _ in range(3):
            opt.zero_grad()
            (w * w).sum().backward()
            opt.step()
        assert w.dtype == np.float32


@pytest.mark.parametrize("name", sorted(nn.layers.ACTIVATIONS))
def test_each_activation_computes_the_same_numbers_in_each_form(name):
    """An activation's forward pass, its NumPy form and its form over single Values agree,
    and its hand-derived slope is the one each engine's backward pass finds (float64; the
    two engines and NumPy may round tanh and exp differently in the last digit), at the
    kink z = 0 too."""
    layer = nn.layers.activation_of({"type": name})
    z = np.array([-2.5, -0.3, 0.0, 0.4, 3.0])
    x = Tensor(z.copy(), requires_grad=True)
    a = layer(x)
    assert np.allclose(layer.on_array(z), a.data, rtol=1e-14, atol=0)
    values = [Value(v) for v in z]
    outputs = layer.on_values(values)
    assert np.allclose([v.data for v in outputs], a.data, rtol=1e-14, atol=0)
    if name == "softmax":  # not elementwise: no slope of its own
        return
    if a.requires_grad:
        a.sum().backward()
    engine_slope = x.grad if x.grad is not None else np.zeros_like(z)  # a step passes no gradient back
    assert np.allclose(layer.derivative(z, a.data), engine_slope, rtol=1e-14, atol=0)
    for v in outputs:
        v.backward()
    assert np.allclose([v.grad for v in values], engine_slope, rtol=1e-14, atol=0)
