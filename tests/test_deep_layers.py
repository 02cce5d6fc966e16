"""BatchNorm1d and Residual: against PyTorch in float64, finite differences, model files."""

import numpy as np
import pytest
from conftest import NEEDS_TORCH, imported_on_first_use

from nncli import nn, optim, store
from nncli.autograd import Tensor
from nncli.autograd.gradcheck import gradcheck
from nncli.errors import ModelFileError
from nncli.nn.layers import batch_norm

torch = imported_on_first_use("torch")
pytestmark = NEEDS_TORCH


def batch(rows=6, features=4, seed=0, shift=3.0, scale=2.0):
    """A batch far from mean 0 and std 1, so normalising it matters."""
    return np.random.default_rng(seed).normal(shift, scale, size=(rows, features))


def twin_batchnorm(features=4, seed=1):
    """An nncli BatchNorm1d and a torch one with the same (non-trivial) weight and bias."""
    rng = np.random.default_rng(seed)
    ours = nn.BatchNorm1d(features, dtype=np.float64)
    ours.weight.data[...] = rng.normal(1.0, 0.5, features)
    ours.bias.data[...] = rng.normal(0.0, 0.5, features)
    theirs = torch.nn.BatchNorm1d(features).double()
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    return ours, theirs


def test_batchnorm_state_dict_has_torchs_keys_shapes_and_dtypes():
    ours = nn.BatchNorm1d(5)
    theirs = torch.nn.BatchNorm1d(5).state_dict()
    state = ours.state_dict()
    assert list(state) == list(theirs)
    for key, value in theirs.items():
        assert state[key].shape == tuple(value.shape)
    assert state["num_batches_tracked"].dtype == np.int64 and state["running_var"].dtype == np.float32
    assert [name for name, _ in ours.named_parameters()] == ["weight", "bias"]  # buffers are not trained
    assert ours.num_parameters() == 10


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_forward_and_backward_match_torch(training):
    ours, theirs = twin_batchnorm()
    x = batch()
    if not training:  # give the running statistics something to say first
        for seed in range(3):
            ours(Tensor(batch(seed=seed + 10)))
            theirs(torch.from_numpy(batch(seed=seed + 10)))
        ours.eval(), theirs.eval()
    upstream = np.random.default_rng(2).normal(size=x.shape)
    xt = Tensor(x, requires_grad=True)
    out = ours(xt)
    out.backward(upstream)
    x_torch = torch.from_numpy(x).requires_grad_()
    out_torch = theirs(x_torch)
    out_torch.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(out.data, out_torch.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(xt.grad, x_torch.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.bias.grad, theirs.bias.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_batchnorm_running_statistics_follow_torch_over_several_steps():
    ours, theirs = twin_batchnorm(features=3)
    for step in range(7):
        x = batch(rows=5 + step, features=3, seed=step, shift=step - 3.0)
        ours(Tensor(x))
        theirs(torch.from_numpy(x))
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key], value.numpy(), rtol=1e-12, err_msg=key)
    assert int(ours.num_batches_tracked) == 7
    ours.eval()  # evaluation uses them and changes nothing
    before = ours.state_dict()
    ours(Tensor(batch(features=3)))
    assert all((before[k] == v).all() for k, v in ours.state_dict().items())


def test_batchnorm_in_training_refuses_a_batch_of_one_as_torch_does():
    with pytest.raises(ValueError, match="at least 2 examples"):
        nn.BatchNorm1d(3)(Tensor(np.ones((1, 3), dtype=np.float32)))
    with pytest.raises(ValueError):
        torch.nn.BatchNorm1d(3)(torch.ones(1, 3))
    assert nn.BatchNorm1d(3).eval()(Tensor(np.ones((1, 3), dtype=np.float32))).shape == (1, 3)


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_gradients_match_finite_differences(training):
    running = (np.array([0.5, -1.0, 2.0]), np.array([1.5, 0.2, 4.0]))

    def fn(x, weight, bias):
        return batch_norm(x, weight, bias, 1e-5, None if training else running)[0]

    rng = np.random.default_rng(3)
    report = gradcheck(fn, [batch(rows=5, features=3), rng.normal(size=3), rng.normal(size=3)])
    assert report.passed, str(report)


def residual_pair(seed=0):
    class TorchResidual(torch.nn.Module):  # defined here: PyTorch is imported on first use
        """The torch class the layer-spec convention names: x + module(x)."""

        def __init__(self, module):
            super().__init__()
            self.module = module

        def forward(self, x):
            return x + self.module(x)

    rng = np.random.default_rng(seed)
    spec = nn.mlp_spec([3, 5, 5, 5, 2], "tanh", batchnorm=True, residual=True)
    ours = nn.from_spec(spec, np.float64, rng)
    theirs = torch.nn.Sequential(
        torch.nn.Linear(3, 5, bias=False),
        torch.nn.BatchNorm1d(5),
        torch.nn.Tanh(),
        *[
            TorchResidual(
                torch.nn.Sequential(torch.nn.Linear(5, 5, bias=False), torch.nn.BatchNorm1d(5), torch.nn.Tanh())
            )
            for _ in range(2)
        ],
        torch.nn.Linear(5, 2),
    ).double()
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    return spec, ours, theirs


def test_mlp_spec_puts_batchnorm_before_the_activation_and_skips_around_equal_widths():
    spec = nn.mlp_spec([3, 5, 5, 4, 2], "relu", batchnorm=True, residual=True)
    assert [e["type"] for e in spec] == [
        "linear",
        "batchnorm",
        "relu",
        "residual",
        "linear",
        "batchnorm",
        "relu",
        "linear",
    ]
    assert [e["type"] for e in spec[3]["layers"]] == ["linear", "batchnorm", "relu"]
    assert nn.mlp_spec([3, 5, 5, 2], "relu") == nn.mlp_spec([3, 5, 5, 2], "relu", batchnorm=False, residual=False)
    assert nn.parameter_count(spec) == sum(p.data.size for p in nn.from_spec(spec).parameters())


def test_a_residual_network_matches_torch_forward_and_backward():
    spec, ours, theirs = residual_pair()
    assert nn.from_spec(spec).spec() == spec
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = batch(rows=7, features=3)
    y = np.random.default_rng(4).integers(0, 2, size=7)
    loss = nn.cross_entropy(ours(Tensor(x)), y)
    loss.backward()
    loss_torch = torch.nn.functional.cross_entropy(theirs(torch.from_numpy(x)), torch.from_numpy(y))
    loss_torch.backward()
    assert loss.item() == pytest.approx(loss_torch.item(), rel=1e-12)
    grads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, grads[name].grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)


def test_a_residual_block_passes_the_gradient_straight_through():
    # With a module whose output ignores x, the skip path alone carries the gradient: 1.
    block = nn.Residual(nn.Sequential(nn.Linear(3, 3, dtype=np.float64)))
    block.module[0].weight.data[...] = 0
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    block(x).sum().backward()
    np.testing.assert_array_equal(x.grad, np.ones((2, 3)))


@pytest.mark.parametrize("name", ["momentum", "adam"])
def test_an_optimizer_trajectory_through_a_batchnorm_network_matches_torch_over_20_steps(name):
    spec, ours, theirs = residual_pair(seed=5)
    if name == "momentum":
        opt = optim.SGD(ours.parameters(), 0.1, momentum=0.9, weight_decay=1e-3)
        opt_torch = torch.optim.SGD(theirs.parameters(), 0.1, momentum=0.9, weight_decay=1e-3)
    else:
        opt = optim.Adam(ours.parameters(), 0.01)
        opt_torch = torch.optim.Adam(theirs.parameters(), 0.01)
    data = np.random.default_rng(6)
    for _ in range(20):
        x, y = data.normal(size=(8, 3)), data.integers(0, 2, size=8)
        opt.zero_grad()
        nn.cross_entropy(ours(Tensor(x)), y).backward()
        opt.step()
        opt_torch.zero_grad()
        torch.nn.functional.cross_entropy(theirs(torch.from_numpy(x)), torch.from_numpy(y)).backward()
        opt_torch.step()
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key], value.numpy(), rtol=1e-9, atol=1e-12, err_msg=key)
    ours.eval(), theirs.eval()
    x = data.normal(size=(4, 3))
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-9)


def save_residual_model(path, spec, net):
    meta = {"task": "digits", "layers": spec, "dtype": "float64"}  # float64 throughout, the counter too
    return store.save_model(path, {k: v.astype(np.float64) for k, v in net.state_dict().items()}, meta)


def test_a_saved_model_file_loads_into_the_equivalent_torch_module(tmp_path):
    spec, ours, theirs = residual_pair(seed=7)
    for seed in range(3):  # running statistics worth saving
        ours(Tensor(batch(rows=6, features=3, seed=seed)))
    path = save_residual_model(tmp_path / "deep.npz", spec, ours)
    # The README's recipe: every entry not starting with "__" is the torch state dict.
    arrays = np.load(path)
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in arrays.items() if not k.startswith("__")})
    assert int(theirs[3].module[1].num_batches_tracked) == 3
    ours.eval(), theirs.eval()
    x = batch(rows=4, features=3, seed=9)
    np.testing.assert_allclose(theirs(torch.from_numpy(x)).detach().numpy(), ours(Tensor(x)).data, rtol=1e-12)
    state, meta = store.load_model(path)
    assert meta["layers"] == spec and state.keys() == ours.state_dict().keys()


@pytest.mark.parametrize(
    ("bad", "match"),
    [(-0.5, "negative variance"), (np.nan, "NaN or infinite"), (np.inf, "NaN or infinite")],
)
def test_a_model_file_whose_running_variance_is_negative_or_not_finite_is_refused(tmp_path, bad, match):
    spec, ours, _ = residual_pair()
    path = save_residual_model(tmp_path / "deep.npz", spec, ours)
    with np.load(path) as npz:
        arrays = dict(npz.items())
    arrays["3.module.1.running_var"] = np.array([1.0, bad, 1.0, 1.0, 1.0])
    np.savez(path, **arrays)
    with pytest.raises(ModelFileError, match=match):
        store.load_model(path)


@pytest.mark.parametrize(
    ("layers", "match"),
    [
        (
            [
                {"type": "linear", "in": 3, "out": 4, "bias": True},
                {"type": "batchnorm", "features": 5, "eps": 1e-5, "momentum": 0.1},
            ],
            "layer 1 .batchnorm. normalises 5 features, but the layer before it gives 4",
        ),
        (
            [
                {"type": "linear", "in": 3, "out": 4, "bias": True},
                {"type": "batchnorm", "features": 4, "eps": 0, "momentum": 0.1},
            ],
            "'eps' must be a number greater than 0",
        ),
        (
            [
                {"type": "linear", "in": 3, "out": 4, "bias": True},
                {"type": "residual", "layers": [{"type": "linear", "in": 4, "out": 2, "bias": True}]},
            ],
            "layer 1 .residual. turns 4 features into 2",
        ),
        (
            [
                {"type": "linear", "in": 3, "out": 4, "bias": True},
                {"type": "residual", "layers": [{"type": "linear", "in": 5, "out": 5, "bias": True}]},
            ],
            "layer 1.0 .linear. takes 5 inputs",
        ),
        ([{"type": "linear", "in": 3, "out": 3, "bias": True}, {"type": "residual", "layers": []}], "non-empty list"),
    ],
)
def test_check_layers_says_what_is_wrong_with_a_batchnorm_or_residual_entry(layers, match):
    with pytest.raises(ValueError, match=match):
        store.check_layers(layers)


def test_check_layers_refuses_residual_blocks_nested_without_end():
    layers = [{"type": "linear", "in": 2, "out": 2, "bias": True}]
    for _ in range(store.MAX_NESTING + 1):
        layers = [{"type": "residual", "layers": layers}]
    with pytest.raises(ValueError, match="nested more than"):
        store.check_layers([{"type": "linear", "in": 2, "out": 2, "bias": True}, *layers])


@pytest.mark.parametrize("scheme", ["normal", "small"])
def test_normal_and_small_initialisations_have_their_spread(scheme):
    layer = nn.Linear(400, 300, dtype=np.float64, rng=np.random.default_rng(0), init_scheme=scheme)
    assert not layer.bias.data.any()
    assert layer.weight.data.std() == pytest.approx(1.0 if scheme == "normal" else 0.01, rel=0.02)
