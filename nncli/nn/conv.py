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
from nncli.layer_types import MAX_POOL, output_size
from nncli.nn import init
from nncli.nn.module import Module


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

    Forward, im2col: the patches are copied once into a matrix `columns` (C·kh·kw, N·Ho·Wo)
    — one column per output position of every example, its C·kh·kw pixels in the same
    order as a kernel's weights — so that with the kernels as rows, K (O, C·kh·kw),

        out = K · columns + b        one matrix product for the whole batch.

    Its rows are the output channels, its columns the examples' positions: the numbers
    are laid out channel by channel (C, N, H, W), and the result is a transposed view of
    them shaped (N, O, Ho, Wo) — NumPy follows the strides, so nothing is copied back,
    and the next layer's patches are read straight from this layout.

    Backward, with upstream gradient G as (O, N·Ho·Wo):
        d weight  = G · columnsᵀ       (each weight met every patch: one product)
        d bias    = the sum of G's rows
        d columns = Kᵀ · G, and col2im adds each column back onto the pixels of its patch.
    """
    xp = _pad(x.data, padding)
    n, c = xp.shape[:2]
    o, _, kh, kw = weight.shape
    patches = _patches(xp, kh, kw, stride)  # (N, C, Ho, Wo, kh, kw), a view
    ho, wo = patches.shape[2:4]
    # the one copy: (C, kh, kw, N, Ho, Wo), so that each position's patch is one column
    columns = np.ascontiguousarray(patches.transpose(1, 4, 5, 0, 2, 3)).reshape(c * kh * kw, n * ho * wo)
    kernels = weight.data.reshape(o, c * kh * kw)
    out = kernels @ columns
    if bias is not None:
        out += bias.data[:, None]

    def backward(g):
        g = g.transpose(1, 0, 2, 3).reshape(o, n * ho * wo)  # a view when g has out's layout
        if weight.requires_grad:
            weight._accumulate((g @ columns.T).reshape(weight.shape), fresh=True)
        if bias is not None and bias.requires_grad:
            bias._accumulate(g.sum(axis=1), fresh=True)
        if x.requires_grad:
            d_columns = (kernels.T @ g).reshape(c, kh, kw, n, ho, wo)
            x._accumulate(_col2im(d_columns, xp.shape, stride, padding), fresh=True)

    parents = (x, weight) if bias is None else (x, weight, bias)
    return Tensor._from_op(out.reshape(o, n, ho, wo).transpose(1, 0, 2, 3), parents, backward)


def _col2im(d_columns, padded_shape, stride, padding):
    """Add every patch's gradient (C, kh, kw, N, Ho, Wo) back onto the pixels of the padded
    image (N, C, H, W) it was cut from, and drop the padding. Kernel offset (p, q) of the
    patch at (i, j) is pixel (i·s + p, j·s + q): one strided slice per offset takes every
    position at once. The sums are made channel by channel (C, N, H, W), the layout of
    the columns, and handed back as a transposed view."""
    c, kh, kw, n, ho, wo = d_columns.shape
    dx = np.zeros((c, n, *padded_shape[2:]), dtype=d_columns.dtype)
    for p in range(kh):
        for q in range(kw):
            dx[:, :, p : p + stride * ho : stride, q : q + stride * wo : stride] += d_columns[:, p, q]
    if padding:
        dx = dx[:, :, padding:-padding, padding:-padding]
    return dx.transpose(1, 0, 2, 3)


def max_pool2d(x, kernel, stride):
    """The largest value of each kernel × kernel window of x (N, C, H, W), windows `stride`
    apart, as one graph node.

    The windows are not copied: for each offset (p, q) inside a window, one strided view
    holds that pixel of every window, and a running maximum goes through the k² views,
    remembering which offset won. A later offset wins only if strictly larger, so ties go
    to the first pixel in reading order (after a ReLU many windows are all zeros), as in
    PyTorch. Backward: each window's gradient goes to its winner and nowhere else.
    """
    n, c, h, w = x.shape
    ho, wo = output_size(h, kernel, stride), output_size(w, kernel, stride)
    offsets = [(p, q) for p in range(kernel) for q in range(kernel)]

    def at(array, p, q):  # offset (p, q) of every window: a view of `array`
        return array[:, :, p : p + stride * ho : stride, q : q + stride * wo : stride]

    out = at(x.data, 0, 0).copy(order="K")  # "K": in x's own layout, the fastest to walk
    winner = np.zeros(out.shape, dtype=np.uint8) if x.requires_grad else None  # which offset won: k² ≤ 256
    for index, (p, q) in enumerate(offsets[1:], start=1):
        pixel = at(x.data, p, q)
        if winner is not None:
            np.copyto(winner, index, where=pixel > out)
        np.maximum(out, pixel, out=out)

    def backward(g):
        dx = np.zeros_like(x.data)  # in x's own layout: the convolution before reads it without a copy
        for index, (p, q) in enumerate(offsets):
            if stride >= kernel:  # windows apart: a pixel is in one window at most
                np.multiply(g, winner == index, out=at(dx, p, q))
            else:  # overlapping windows: a pixel may win several
                at(dx, p, q)[...] += g * (winner == index)
        x._accumulate(dx, fresh=True)

    return Tensor._from_op(out, (x,), backward)


class Conv2d(Module):
    """`out_channels` kernels of kernel_size × kernel_size over `in_channels` channels,
    slid `stride` pixels at a time over the image padded with `padding` zeros all round.

    weight (out, in, k, k) and bias (out,) start as PyTorch's do (Kaiming-uniform with
    a = √5: uniform in ±1/√(in·k·k), the inputs one output sees)."""

    name = "conv2d"

    @classmethod
    def build(cls, entry, dtype, rng, init_scheme):
        kernel, stride, padding = entry["kernel"], entry["stride"], entry["padding"]
        return cls(entry["in"], entry["out"], kernel, stride, padding, entry.get("bias", True), dtype, rng, init_scheme)

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
        lowest = {"kernel_size": (kernel_size, 1), "stride": (stride, 1), "padding": (padding, 0)}
        for name, (value, low) in lowest.items():
            if not (isinstance(value, (int, np.integer)) and value >= low):
                raise ValueError(f"Conv2d takes a square kernel: {name} must be a whole number ≥ {low}, not {value!r}")
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
            "type": self.name,
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

    name = "maxpool2d"

    @classmethod
    def build(cls, entry, dtype, rng, init_scheme):
        return cls(entry["kernel"], entry["stride"])

    def __init__(self, kernel_size, stride=None):
        if not 1 <= kernel_size <= MAX_POOL:
            raise ValueError(f"a max-pool window is 1 to {MAX_POOL} pixels wide, not {kernel_size}")
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride

    def forward(self, x):
        if x.ndim != 4:
            raise ValueError(f"{self!r} takes images shaped (N, C, H, W), not {x.shape}")
        return max_pool2d(x, self.kernel_size, self.stride)

    def spec(self):
        return {"type": self.name, "kernel": self.kernel_size, "stride": self.stride}

    def __repr__(self):
        return f"MaxPool2d(kernel_size={self.kernel_size}, stride={self.stride})"


class Flatten(Module):
    """Each example's channels × rows × columns as one row of numbers, for dense layers."""

    name = "flatten"

    @classmethod
    def build(cls, entry, dtype, rng, init_scheme):
        return cls()

    def forward(self, x):
        return x.reshape(x.shape[0], -1)

    def spec(self):
        return {"type": self.name}

    def __repr__(self):
        return "Flatten()"


class Unflatten(Module):
    """Each row of numbers as an image (channels, height, width): PyTorch's
    nn.Unflatten(1, shape). The first layer of a convolutional network, so that its
    inputs are flat rows like every other network's."""

    name = "unflatten"

    @classmethod
    def build(cls, entry, dtype, rng, init_scheme):
        return cls(entry["shape"])

    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape)

    def spec(self):
        return {"type": self.name, "in": int(np.prod(self.shape)), "shape": list(self.shape)}

    def __repr__(self):
        return f"Unflatten(dim=1, unflattened_size={self.shape})"
