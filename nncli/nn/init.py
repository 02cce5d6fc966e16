"""Weight initialisation: where a network starts decides whether it can learn at all.

Every scheme draws from a NumPy Generator in float64, so the same seed gives the same
starting weights to the Tensor engine (in any dtype) and to the scalar engine.

- "pytorch": PyTorch's default for nn.Linear — weight and bias uniform in ±1/sqrt(fan_in).
- "xavier":  Glorot uniform, ±sqrt(6/(fan_in+fan_out)), zero bias; keeps the variance of
             activations steady through tanh/sigmoid layers.
- "he":      He (Kaiming) normal, std sqrt(2/fan_in), zero bias; made for ReLU layers,
             which zero half their inputs and so need twice the variance.
- "normal":  weights N(0, 1), zero bias: far too large for any layer wider than a few
             inputs — sigmoid and tanh units saturate at once. Here to be seen failing.
- "small":   weights N(0, 0.01²), zero bias: far too small — every layer shrinks the signal,
             and the gradient with it. Also here to be seen failing.
"""

import numpy as np

SCHEMES = ("pytorch", "xavier", "he", "normal", "small")


def linear_weights(rng, fan_in, fan_out, scheme="pytorch"):
    """Return (weight shaped (fan_out, fan_in), bias shaped (fan_out,)) as float64 arrays."""
    return _draw(rng, scheme, (fan_out, fan_in), fan_in, fan_out)


def conv_weights(rng, in_channels, out_channels, kernel, scheme="pytorch"):
    """Return (weight shaped (out, in, kernel, kernel), bias shaped (out,)) as float64
    arrays. One output sees in·kernel² inputs (its fan-in) and one input reaches
    out·kernel² outputs (its fan-out), as PyTorch counts them for nn.Conv2d — whose
    default, Kaiming-uniform with a = √5, is the same ±1/sqrt(fan_in) as nn.Linear's."""
    area = kernel * kernel
    return _draw(rng, scheme, (out_channels, in_channels, kernel, kernel), in_channels * area, out_channels * area)


def _draw(rng, scheme, shape, fan_in, fan_out):
    out = shape[0]
    if scheme == "pytorch":
        bound = 1.0 / np.sqrt(fan_in)
        weight = rng.uniform(-bound, bound, size=shape)
        bias = rng.uniform(-bound, bound, size=out)
    elif scheme == "xavier":
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        weight = rng.uniform(-bound, bound, size=shape)
        bias = np.zeros(out)
    elif scheme == "he":
        weight = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)
        bias = np.zeros(out)
    elif scheme in ("normal", "small"):
        weight = rng.normal(0.0, 1.0 if scheme == "normal" else 0.01, size=shape)
        bias = np.zeros(out)
    else:
        raise ValueError(f"unknown initialisation {scheme!r}; choose one of {', '.join(SCHEMES)}")
    return weight, bias
