"""Convolution for images: Conv2d, MaxPool2d, Flatten and Unflatten, as in PyTorch.

Images travel as NCHW arrays: N examples, C channels, H rows, W columns. A model's input
rows stay flat (64 pixels for an 8×8 digit), as for every other network; its first layer,
Unflatten, gives them their image shape, and Flatten makes rows again for the dense layers.

A convolution slides a small kernel over the image and, at every position, takes the
weighted sum of the patch under it plus a bias — the same weights everywhere. That sum
over every position, kernel and channel is done here as one matrix product ("im2col"):

    1. every kh × kw patch of every input channel becomes one column of numbers;
    2. the kernels, one row each, multiply those columns: one output number per row and column.

The backward pass runs the same product the other way, and "col2im" adds each patch's
gradient back onto the pixels it came from (patches overlap, so a pixel gets several).
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from nncli.autograd import Tensor
from nncli.nn import init
from nncli.nn.module import Module


def output_size(size, kernel, stride=1, padding=0):
    """Positions a window of `kernel` takes along `size` (+ padding both sides), as PyTorch
    counts them: a window that would stick out past the edge is not taken."""
    return (size + 2 * padding - kernel) // stride + 1


def _patches(x, kh, kw, stride):
    """A read-only view (N, C, Ho, Wo, kh, kw) of every kh × kw patch of x (N, C, H, W), one
    per output position: patch [n, c, i, j] is x[n, c, i·s : i·s + kh, j·s : j·s + kw]. No
    numbers are copied — the view steps through x's own memory."""
    return sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]


def _pad(x, padding):
    if padding == 0:
        return x
    n, c, h, w = x.shape
    padded = np.zeros((n, c, h + 2 * padding, w + 2 * padding), dtype=x.dtype)
    padded[:, :, padding:-padding, padding:-padding] = x
    return padded


def conv2d(x, weight, bias=None, stride=1, padding=0):
    """The 2-D convolution (PyTorch's, a cross-correlation) of x (N, C, H, W) with weight
    (O, C, kh, kw) and bias (O,), as one graph node. Returns (N, O, Ho, Wo).

    Forward, im2col: the patches of each example are copied once into a matrix `columns`
    (N, C·kh·kw, Ho·Wo) — one column per output position, its C·kh·kw pixels in the same
    order as one kernel's weights — and out[n] = W · columns[n] + b, with W the kernels
    as rows (O, C·kh·kw). The product's rows are already the output channels and its
    columns the positions in row order, so the result is NCHW with no further copy.

    Backward, with upstream gradient G (N, O, Ho·Wo):
        d weight = Σ_n G[n] · columns[n]ᵀ    (each weight meets every patch it touched)
        d bias   = Σ_n, positions G
        d columns[n] = Wᵀ · G[n], and col2im adds each column back onto its patch's pixels.
    """
    xp = _pad(x.data, padding)
    n, c, _, _ = xp.shape
    o, _, kh, kw = weight.shape
    patches = _patches(xp, kh, kw, stride)  # (N, C, Ho, Wo, kh, kw), a view
    ho, wo = patches.shape[2:4]
    # the copy: (N, C, kh, kw, Ho, Wo), so that each position's patch is one column
    columns = np.ascontiguousarray(patches.transpose(0, 1, 4, 5, 2, 3)).reshape(n, c * kh * kw, ho * wo)
    kernels = weight.data.reshape(o, c * kh * kw)
    out = np.matmul(kernels, columns)
    if bias is not None:
        out += bias.data[:, None]

    def backward(g):
        g = g.reshape(n, o, ho * wo)
        if weight.requires_grad:  # Σ_n G[n] columns[n]ᵀ, one product over the batch and positions
            gw = np.tensordot(g, columns, axes=([0, 2], [0, 2]))
            weight._accumulate(gw.reshape(weight.shape), fresh=True)
        if bias is not None and bias.requires_grad:
            bias._accumulate(g.sum(axis=(0, 2)), fresh=True)
        if x.requires_grad:
            d_columns = np.matmul(kernels.T, g).reshape(n, c, kh, kw, ho, wo)
            x._accumulate(_col2im(d_columns, xp.shape, stride, padding), fresh=True)

    parents = (x, weight) if bias is None else (x, weight, bias)
    return Tensor._from_op(out.reshape(n, o, ho, wo), parents, backward)


def _col2im(d_columns, padded_shape, stride, padding):
    """Add every patch's gradient (N, C, kh, kw, Ho, Wo) back onto the pixels of the padded
    image it was cut from, then drop the padding. Kernel offset (p, q) of the patch at
    (i, j) is pixel (i·s + p, j·s + q): one strided slice per offset takes all positions."""
    n, c, kh, kw, ho, wo = d_columns.shape
    dx = np.zeros(padded_shape, dtype=d_columns.dtype)
    for p in range(kh):
        for q in range(kw):
            dx[:, :, p : p + stride * ho : stride, q : q + stride * wo : stride] += d_columns[:, :, p, q]
    if padding:
        dx = dx[:, :, padding:-padding, padding:-padding]
    return dx


def max_pool2d(x, kernel, stride):
    """The largest value of each kernel × kernel window of x (N, C, H, W), windows `stride`
    apart, as one graph node.

    Backward: each window's gradient goes to the pixel that won it — the first one, in
    reading order, if several tie (after a ReLU many windows are all zeros), as PyTorch does.
    """
    n, c, h, w = x.shape
    windows = _patches(x.data, kernel, kernel, stride)
    ho, wo = windows.shape[2:4]
    flat = windows.reshape(n, c, ho, wo, kernel * kernel)  # a copy, one row per window
    winner = flat.argmax(axis=-1)
    out = np.take_along_axis(flat, winner[..., None], axis=-1)[..., 0]

    def backward(g):
        # the winner's place in the image: row i·s + p, column j·s + q
        rows = np.arange(ho)[:, None] * stride + winner // kernel
        cols = np.arange(wo)[None, :] * stride + winner % kernel
        pixel = (np.arange(n * c).reshape(n, c, 1, 1) * h + rows) * w + cols
        dx = np.zeros(n * c * h * w, dtype=x.dtype)
        if stride >= kernel:  # windows do not overlap: each pixel wins at most once
            dx[pixel.ravel()] = g.ravel()
        else:
            np.add.at(dx, pixel.ravel(), g.ravel())
        x._accumulate(dx.reshape(x.shape), fresh=True)

    return Tensor._from_op(out, (x,), backward)


class Conv2d(Module):
    """`out_channels` kernels of kernel_size × kernel_size over `in_channels` channels,
    slid `stride` pixels at a time over the image padded with `padding` zeros all round.

    weight (out, in, k, k) and bias (out,) start as PyTorch's do (Kaiming-uniform with
    a = √5: uniform in ±1/√(in·k·k), the inputs one output sees)."""

    def __init__(
        self,
        in_channels,
        out_channels,
        kernel_size,
        stride=1,
        padding=0,
        bias=True,
        dtype=np.float32,
        rng=None,
        init_scheme="pytorch",
    ):
        rng = rng if rng is not None else np.random.default_rng()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        weight, bias_values = init.conv_weights(rng, in_channels, out_channels, kernel_size, init_scheme)
        self.weight = Tensor(weight.astype(dtype), requires_grad=True)
        self.bias = Tensor(bias_values.astype(dtype), requires_grad=True) if bias else None

    def forward(self, x):
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"{self!r} takes images shaped (N, {self.in_channels}, H, W), not {x.shape}")
        return conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def spec(self):
        return {
            "type": "conv2d",
            "in": self.in_channels,
            "out": self.out_channels,
            "kernel": self.kernel_size,
            "stride": self.stride,
            "padding": self.padding,
            "bias": self.bias is not None,
        }

    def __repr__(self):
        return (
            f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}, bias={self.bias is not None})"
        )


class MaxPool2d(Module):
    """The largest value of each kernel_size × kernel_size window; windows `stride` apart
    (by default kernel_size: side by side, not overlapping)."""

    def __init__(self, kernel_size, stride=None):
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride

    def forward(self, x):
        if x.ndim != 4:
            raise ValueError(f"{self!r} takes images shaped (N, C, H, W), not {x.shape}")
        return max_pool2d(x, self.kernel_size, self.stride)

    def spec(self):
        return {"type": "maxpool2d", "kernel": self.kernel_size, "stride": self.stride}

    def __repr__(self):
        return f"MaxPool2d(kernel_size={self.kernel_size}, stride={self.stride})"


class Flatten(Module):
    """Each example's channels × rows × columns as one row of numbers, for dense layers."""

    def forward(self, x):
        return x.reshape(x.shape[0], -1)

    def spec(self):
        return {"type": "flatten"}

    def __repr__(self):
        return "Flatten()"


class Unflatten(Module):
    """Each row of numbers as an image (channels, height, width): PyTorch's
    nn.Unflatten(1, shape). The first layer of a convolutional network, so that its
    inputs are flat rows like every other network's."""

    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape)

    def spec(self):
        return {"type": "unflatten", "in": int(np.prod(self.shape)), "shape": list(self.shape)}

    def __repr__(self):
        return f"Unflatten(dim=1, unflattened_size={self.shape})"
