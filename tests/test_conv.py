"""Conv2d, MaxPool2d, Flatten and Unflatten: forward and backward equal PyTorch's in float64,
finite differences agree, and a CNN's state dict loads into torch.nn.Sequential unchanged."""

import numpy as np
import pytest
from conftest import NEEDS_TORCH, imported_on_first_use

from nncli import nn
from nncli.autograd import Tensor
from nncli.autograd.gradcheck import run_suite
from nncli.nn.conv import conv2d, max_pool2d, output_size
from nncli.nn.gradchecks import layer_cases

torch = imported_on_first_use("torch")
pytestmark = NEEDS_TORCH

CONV_SHAPES = [  # (N, C, H, W, out channels, kernel, stride, padding)
    (2, 1, 8, 8, 8, 3, 1, 1),
    (2, 3, 7, 9, 4, 3, 1, 0),
    (3, 3, 7, 9, 5, 3, 2, 1),
    (1, 2, 5, 5, 2, 5, 1, 0),
    (2, 4, 9, 6, 3, 2, 2, 0),
    (2, 2, 6, 5, 16, 1, 1, 1),
]


def test_layer_ops_pass_gradcheck():
    failed = [f"{name}\n{report}" for name, report in run_suite(layer_cases()) if not report.passed]
    assert not failed, "\n".join(failed)


@pytest.mark.parametrize("n, c, h, w, out, kernel, stride, padding", CONV_SHAPES)
def test_conv2d_forward_and_backward_match_torch(n, c, h, w, out, kernel, stride, padding):
    rng = np.random.default_rng(n * 100 + c * 10 + kernel)
    x, weight, bias = rng.normal(size=(n, c, h, w)), rng.normal(size=(out, c, kernel, kernel)), rng.normal(size=out)
    ours = [Tensor(a, requires_grad=True) for a in (x, weight, bias)]
    result = conv2d(*ours, stride=stride, padding=padding)
    upstream = rng.normal(size=result.shape)
    result.backward(upstream)
    theirs = [torch.from_numpy(a).requires_grad_() for a in (x, weight, bias)]
    expected = torch.nn.functional.conv2d(*theirs, stride=stride, padding=padding)
    expected.backward(torch.from_numpy(upstream))
    assert result.shape == tuple(expected.shape) == (n, out, output_size(h, kernel, stride, padding), result.shape[3])
    np.testing.assert_allclose(result.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    for mine, torchs in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, torchs.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kernel, stride", [(2, 2), (3, 2), (3, 1), (2, 1), (3, 3)])
def test_max_pool2d_matches_torch_even_on_ties(kernel, stride):
    rng = np.random.default_rng(kernel * 10 + stride)
    x = np.maximum(rng.normal(size=(2, 3, 7, 9)), 0)  # after a ReLU: whole windows of tied zeros
    x[0, 0, :2, :2] = 1.5  # a window of four equal maxima
    ours = Tensor(x, requires_grad=True)
    result = max_pool2d(ours, kernel, stride)
    upstream = rng.normal(size=result.shape)
    result.backward(upstream)
    theirs = torch.from_numpy(x).requires_grad_()
    expected = torch.nn.functional.max_pool2d(theirs, kernel, stride)
    expected.backward(torch.from_numpy(upstream))
    np.testing.assert_array_equal(result.data, expected.detach().numpy())
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12, atol=1e-15)


def small_cnn(seed=0, dtype=np.float64):
    spec = [
        {"type": "unflatten", "in": 81, "shape": [1, 9, 9]},
        {"type": "conv2d", "in": 1, "out": 4, "kernel": 3, "stride": 1, "padding": 1, "bias": True},
        {"type": "relu"},
        {"type": "maxpool2d", "kernel": 2, "stride": 2},
        {"type": "conv2d", "in": 4, "out": 6, "kernel": 3, "stride": 2, "padding": 0, "bias": False},
        {"type": "tanh"},
        {"type": "flatten"},
        {"type": "linear", "in": 6, "out": 3, "bias": True},
    ]
    return nn.from_spec(spec, dtype, np.random.default_rng(seed))


def torch_cnn():
    return torch.nn.Sequential(
        torch.nn.Unflatten(1, (1, 9, 9)),
        torch.nn.Conv2d(1, 4, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(4, 6, 3, stride=2, bias=False),
        torch.nn.Tanh(),
        torch.nn.Flatten(),
        torch.nn.Linear(6, 3),
    ).double()


def test_a_cnn_state_dict_loads_into_torch_sequential_and_trains_the_same():
    ours, theirs = small_cnn(), torch_cnn()
    state = ours.state_dict()
    assert {k: v.shape for k, v in state.items()} == {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})  # strict
    rng = np.random.default_rng(1)
    X, y = rng.random((5, 81)), np.array([0, 2, 1, 1, 0])
    loss = nn.cross_entropy(ours(Tensor(X)), y)
    loss.backward()
    expected = torch.nn.functional.cross_entropy(theirs(torch.from_numpy(X)), torch.from_numpy(y))
    expected.backward()
    assert loss.item() == pytest.approx(expected.item(), rel=1e-12)
    for (name, param), (torch_name, torch_param) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == torch_name
        np.testing.assert_allclose(param.grad, torch_param.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_conv2d_starts_as_torch_does():
    """Kaiming-uniform with a = √5: weight and bias uniform within ±1/√(in·k·k)."""
    layer = nn.Conv2d(8, 16, 3, rng=np.random.default_rng(0))
    bound = 1 / np.sqrt(8 * 9)
    assert layer.weight.shape == (16, 8, 3, 3) and layer.weight.dtype == np.float32
    for values in (layer.weight.data, layer.bias.data):
        assert np.abs(values).max() <= bound and np.abs(values).max() > 0.9 * bound
    torch_layer = torch.nn.Conv2d(8, 16, 3)
    assert np.abs(torch_layer.weight.detach().numpy()).max() <= bound


def test_layers_describe_themselves_and_rebuild_from_their_spec():
    model = small_cnn()
    rebuilt = nn.from_spec(model.spec(), np.float64)
    assert rebuilt.spec() == model.spec()
    assert repr(rebuilt[1]) == "Conv2d(1, 4, kernel_size=3, stride=1, padding=1, bias=True)"
    assert nn.parameter_count(model.spec()) == model.num_parameters() == 4 * 9 + 4 + 6 * 4 * 9 + 6 * 3 + 3


def test_wrong_input_shapes_are_refused_in_words():
    with pytest.raises(ValueError, match="takes images shaped"):
        nn.Conv2d(3, 4, 3)(Tensor(np.zeros((2, 1, 8, 8))))
    with pytest.raises(ValueError, match="max-pool window"):
        nn.MaxPool2d(17)
    with pytest.raises(ValueError, match="square kernel"):
        nn.Conv2d(1, 4, (3, 5))
