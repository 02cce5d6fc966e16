"""The optimisers update small parameters together, over one flat array: the numbers must be
those of updating each parameter on its own, to the bit, whatever happens to the
parameters in between (a restored state, a replaced array, a parameter the loss missed)."""

import numpy as np
import pytest

from nncli import nn, optim
from nncli.autograd import Tensor

OPTIMIZERS = {
    "sgd": lambda p: optim.SGD(p, 0.1),
    "momentum + weight decay": lambda p: optim.SGD(p, 0.05, momentum=0.9, weight_decay=0.01),
    "adam": lambda p: optim.Adam(p, 0.01),
    "adam + weight decay": lambda p: optim.Adam(p, 0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
}


def _network(dtype, seed=0):
    rng = np.random.default_rng(seed)
    return nn.Sequential(nn.Linear(5, 8, dtype=dtype, rng=rng), nn.Tanh(), nn.Linear(8, 3, dtype=dtype, rng=rng))


def _twins(make, dtype):
    """Two equal networks: one with one optimiser over all its parameters (packed), one
    with an optimiser per parameter (each updated on its own)."""
    packed, alone = _network(dtype), _network(dtype)
    return packed, make(packed.parameters()), alone, [make([p]) for p in alone.parameters()]


def _step(network, optimizers, x, y, skip=None):
    """One step on the squared error; `skip` (a parameter index) loses its gradient."""
    for optimizer in optimizers:
        optimizer.zero_grad()
    ((network(Tensor(x)) - Tensor(y)) ** 2).mean().backward()
    if skip is not None:
        network.parameters()[skip].grad = None
    for optimizer in optimizers:
        optimizer.step()


def _assert_same_bits(a, b):
    for p, q in zip(a.parameters(), b.parameters()):
        assert p.dtype == q.dtype
        np.testing.assert_array_equal(p.data, q.data, strict=True)


def _data(dtype, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((16, 5)).astype(dtype), rng.standard_normal((16, 3)).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_the_packed_update_is_the_per_parameter_update_to_the_bit(name, dtype):
    packed, optimizer, alone, optimizers = _twins(OPTIMIZERS[name], dtype)
    assert len(optimizer.packs) == 1  # all four parameters in one array
    x, y = _data(dtype)
    for _ in range(6):
        _step(packed, [optimizer], x, y)
        _step(alone, optimizers, x, y)
    _assert_same_bits(packed, alone)
    assert not np.array_equal(packed.parameters()[0].data, _network(dtype).parameters()[0].data)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_restored_and_replaced_parameters_are_still_updated(name):
    """A state loaded in place (early stopping's best weights, a snapshot), and a parameter
    whose `.data` is a new array, are updated as if each parameter had its own optimiser."""
    packed, optimizer, alone, optimizers = _twins(OPTIMIZERS[name], np.float32)
    x, y = _data(np.float32)
    saved = packed.state_dict()
    for network, optimizers_of in ((packed, [optimizer]), (alone, optimizers)):
        for _ in range(3):
            _step(network, optimizers_of, x, y)
        network.load_state_dict(saved)
        _step(network, optimizers_of, x, y)
        weight = network.parameters()[2]
        weight.data = weight.data * np.float32(0.5)  # a new array, no longer a view of the pack
        _step(network, optimizers_of, x, y)
        _step(network, optimizers_of, x, y)
    _assert_same_bits(packed, alone)
    assert np.array_equal(packed.parameters()[2].data, alone.parameters()[2].data)
    assert packed.parameters()[2].data.base is optimizer.packs[0].data  # back in the pack


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_a_parameter_the_loss_missed_is_left_alone_and_the_others_keep_their_step_counts(name):
    packed, optimizer, alone, optimizers = _twins(OPTIMIZERS[name], np.float64)
    x, y = _data(np.float64)
    for skip in (None, 1, None, 3, None, None):
        _step(packed, [optimizer], x, y, skip)
        _step(alone, optimizers, x, y, skip)
        _assert_same_bits(packed, alone)


def test_a_big_parameter_keeps_its_own_array():
    big = Tensor(np.zeros((optim.PACKED, 1)), requires_grad=True)
    small = [Tensor(np.zeros(3), requires_grad=True), Tensor(np.zeros(3, np.float32), requires_grad=True)]
    arrays = [p.data for p in (big, *small)]
    optimizer = optim.SGD([big, *small], 0.1)
    assert big.data is arrays[0]  # never copied into a pack
    assert [len(pack.params) for pack in optimizer.packs] == [1, 1, 1]  # and one pack per dtype


def test_a_parameter_that_changed_shape_is_an_error():
    w = Tensor(np.zeros(3), requires_grad=True)
    optimizer = optim.SGD([w, Tensor(np.zeros(2), requires_grad=True)], 0.1)
    w.data = np.zeros(4)
    with pytest.raises(ValueError, match="changed"):
        optimizer.step()
