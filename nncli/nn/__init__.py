"""Neural-network building blocks on the Tensor engine, named as in PyTorch.

    from nncli import nn
    model = nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 1), nn.Sigmoid())
    loss = nn.mse_loss(model(x), y)

The scalar engine's own networks live in `nncli.nn.scalar`.
"""

from nncli.nn.conv import Conv2d, Flatten, MaxPool2d, Unflatten
from nncli.nn.layers import (
    BatchNorm1d,
    Dropout,
    Identity,
    LeakyReLU,
    Linear,
    ReLU,
    Residual,
    Sequential,
    Sigmoid,
    Softmax,
    Step,
    Tanh,
    cnn_spec,
    from_spec,
    layer_types,
    mlp_spec,
    output_shapes,
    parameter_count,
    spec_widths,
)
from nncli.nn.losses import binary_cross_entropy, cross_entropy, mse_loss
from nncli.nn.module import Module

__all__ = [
    "Module",
    "Linear",
    "Sequential",
    "ReLU",
    "Tanh",
    "Sigmoid",
    "LeakyReLU",
    "Softmax",
    "Step",
    "Identity",
    "Dropout",
    "BatchNorm1d",
    "Residual",
    "Conv2d",
    "MaxPool2d",
    "Flatten",
    "Unflatten",
    "mse_loss",
    "cross_entropy",
    "binary_cross_entropy",
    "cnn_spec",
    "from_spec",
    "layer_types",
    "mlp_spec",
    "output_shapes",
    "parameter_count",
    "spec_widths",
]
