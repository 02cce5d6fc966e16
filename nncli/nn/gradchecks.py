"""Finite-difference cases for the layers' own fused ops (conv2d, max_pool2d, linear), which
live above the engine: `nncli gradcheck` runs them after the engine's standard cases."""

import numpy as np

from nncli.autograd.gradcheck import GradcheckCase
from nncli.nn.conv import conv2d, max_pool2d
from nncli.nn.layers import linear


def layer_cases(seed=0):
    rng = np.random.default_rng(seed)

    def normal(*shape):
        return rng.standard_normal(shape)

    def distinct(*shape):
        """Values at least 0.05 apart, so that no max-pool window has a near-tie (a kink)."""
        return rng.permutation(np.arange(np.prod(shape)) * 0.05).reshape(shape)

    def case(name, fn, *inputs):
        return GradcheckCase(name, "tensor", fn, list(inputs))

    return [
        case("linear(x, w, b)", linear, normal(4, 3), normal(5, 3), normal(5)),
        case("conv2d 3×3 (2,3,7,6)", conv2d, normal(2, 3, 7, 6), normal(4, 3, 3, 3), normal(4)),
        case(
            "conv2d 3×3 stride 2 padding 1",
            lambda x, w, b: conv2d(x, w, b, stride=2, padding=1),
            normal(2, 2, 7, 5),
            normal(3, 2, 3, 3),
            normal(3),
        ),
        case("conv2d 2×2 no bias", lambda x, w: conv2d(x, w, padding=1), normal(1, 2, 4, 5), normal(3, 2, 2, 2)),
        case("max_pool2d 2×2", lambda x: max_pool2d(x, 2, 2), distinct(2, 3, 6, 7)),
        case("max_pool2d 3×3 stride 1 (overlapping)", lambda x: max_pool2d(x, 3, 1), distinct(2, 2, 5, 6)),
    ]
