"""One convolution step of a trained CNN, every number written out (`nncli explain conv`).

The first convolution at one output position o, (i, j):

    forward    z = Σ_p,q patch[p, q] · kernel[p, q] + b,   a = activation(z),
               and the max-pool window that holds (i, j): which of its values wins;
    backward   δ = ∂L/∂z at every position of channel o (L: the cross-entropy on this example),
               ∂L/∂kernel = Σ over positions of δ · the patch there,   ∂L/∂b = Σ δ,
               ∂L/∂x at a pixel = Σ over kernel offsets of kernel[p, q] · δ at the position
               that put that offset on the pixel — the kernel flipped and slid over δ —
               summed over the output channels.

Each number is computed here by those formulas, in float64, from the patches themselves —
and checked against the autograd engine's own forward and backward pass through the whole
network before it is returned (a mismatch is an error, never a printed number).
"""

from dataclasses import dataclass

import numpy as np

from nncli import nn
from nncli.autograd import Tensor
from nncli.errors import NncliError
from nncli.nn.layers import ACTIVATIONS
from nncli.views import Numbers

TOP_TERMS = 4  # terms of the kernel's gradient written out: the positions with the largest |δ|
TOLERANCE = 1e-9  # float64 sums in another order: far below the digits shown


@dataclass
class ConvStep(Numbers):
    label: int
    prediction: int
    loss: float
    image: list  # the input image as the network sees it (scaled pixels)
    layer: str  # the convolution's state-dict key
    channel: int
    position: list  # [i, j] in the convolution's output
    kernel_size: int
    padding: int
    stride: int
    patch: list  # k × k pixels under the kernel (zeros where it overhangs the padding)
    kernel: list  # k × k weights
    products: list  # patch · kernel, elementwise
    bias: float
    z: float
    activation: str
    a: float
    pool: dict | None  # {"origin": [r, c], "values": k × k, "winner": [r, c]} in the activation map
    delta: list  # ∂L/∂z over the channel's whole output map
    top_terms: list  # [{"position", "delta", "patch"}], the largest |δ| first
    kernel_grad: list  # k × k
    bias_grad: float
    input_grad: list  # ∂L/∂x over the image, all output channels summed
    pixel: list  # [r, c]: the patch's centre, whose gradient is written out
    pixel_terms: list  # [{"offset": [p, q], "weight", "delta", "position"}] of this channel
    pixel_grad_channel: float  # their sum
    pixel_grad: float  # ∂L/∂x there, every channel's part summed


def explain_conv(spec, state, x, label, channel=None):
    """The ConvStep of the first convolution of the network (`spec`, `state`) on one input
    row `x` (scaled as in training) whose class is `label`. `channel`: which output
    channel to follow (default: the one with the strongest activation)."""
    first = next((i for i, entry in enumerate(spec) if entry["type"] == "conv2d"), None)
    if spec[0]["type"] != "unflatten" or first is None:
        raise NncliError("explain conv explains a convolutional network: train one with --conv 8,16")
    conv = spec[first]
    if conv["in"] != 1:
        raise NncliError("explain conv writes out a first convolution over one channel; this one takes several")
    k, pad, stride = conv["kernel"], conv["padding"], conv["stride"]
    model = nn.from_spec(spec, np.float64)
    model.load_state_dict(state)
    model.eval()

    # the engine's pass: up to the convolution, then from its output z (a leaf, so that its
    # gradient δ is kept), with the input a leaf too (for ∂L/∂x)
    image = Tensor(np.asarray(x, dtype=np.float64)[None, :], requires_grad=True)
    h = image
    for layer in model.layers[:first]:
        h = layer(h)
    conv_layer = model.layers[first]
    z_engine = conv_layer(h)
    z_leaf = Tensor(z_engine.data, requires_grad=True)
    out = z_leaf
    after = []
    for layer in model.layers[first + 1 :]:
        out = layer(out)
        after.append(out.data)
    loss = nn.cross_entropy(out, np.array([label]))
    loss.backward()
    delta_all = z_leaf.grad[0]  # (channels, Ho, Wo)
    z_engine.backward(z_leaf.grad)  # on through the convolution: its weights' and the input's gradients

    pixels = h.data[0, 0]
    padded = np.pad(pixels, pad)
    kernels, biases = conv_layer.weight.data[:, 0], conv_layer.bias.data if conv_layer.bias is not None else None
    activation_map = after[0][0] if spec[first + 1]["type"] in ACTIVATIONS else z_engine.data[0]
    if channel is None:
        channel = int(np.argmax(activation_map.reshape(len(kernels), -1).max(axis=1)))
    if not 0 <= channel < len(kernels):
        raise NncliError(f"the first convolution has channels 0 to {len(kernels) - 1}; there is no channel {channel}")
    pool = _pool_entry(spec, first)
    position = _strongest_pooled(activation_map[channel], pool)
    i, j = position

    def patch_at(r, c):
        return padded[r * stride : r * stride + k, c * stride : c * stride + k]

    kernel, bias = kernels[channel], 0.0 if biases is None else float(biases[channel])
    patch = patch_at(i, j)
    products = patch * kernel
    z = float(products.sum()) + bias
    a = float(activation_map[channel, i, j])
    _check("z = Σ patch · kernel + b", z, z_engine.data[0, channel, i, j])

    delta = delta_all[channel]
    positions = [(r, c) for r in range(delta.shape[0]) for c in range(delta.shape[1])]
    kernel_grad = sum(delta[r, c] * patch_at(r, c) for r, c in positions)
    _check("∂L/∂kernel = Σ δ · patch", kernel_grad, conv_layer.weight.grad[channel, 0])
    bias_grad = float(delta.sum())
    if conv_layer.bias is not None:
        _check("∂L/∂b = Σ δ", bias_grad, conv_layer.bias.grad[channel])
    top = sorted(positions, key=lambda rc: -abs(delta[rc]))[:TOP_TERMS]

    input_grad = image.grad[0].reshape(pixels.shape)
    centre = (i * stride + k // 2 - pad, j * stride + k // 2 - pad)  # the patch's middle pixel, inside the image
    pixel = tuple(min(max(v, 0), side - 1) for v, side in zip(centre, pixels.shape))
    terms, totals = [], 0.0
    for o in range(len(kernels)):
        for p in range(k):
            for q in range(k):
                r, c = pixel[0] + pad - p, pixel[1] + pad - q  # the position that put offset (p, q) on the pixel
                inside = 0 <= r // stride < delta.shape[0] and 0 <= c // stride < delta.shape[1]
                if r % stride or c % stride or not inside:
                    continue
                weight, d = float(kernels[o, p, q]), float(delta_all[o, r // stride, c // stride])
                totals += weight * d
                if o == channel:
                    where = [r // stride, c // stride]
                    terms.append({"offset": [p, q], "weight": weight, "delta": d, "position": where})
    _check("∂L/∂x = Σ kernel · δ", totals, input_grad[pixel])
    return ConvStep(
        label=int(label),
        prediction=int(np.argmax(out.data[0])),
        loss=float(loss.item()),
        image=pixels.tolist(),
        layer=str(first),
        channel=channel,
        position=[int(i), int(j)],
        kernel_size=k,
        padding=pad,
        stride=stride,
        patch=patch.tolist(),
        kernel=kernel.tolist(),
        products=products.tolist(),
        bias=bias,
        z=z,
        activation=spec[first + 1]["type"] if spec[first + 1]["type"] in ACTIVATIONS else "identity",
        a=a,
        pool=_pool_choice(activation_map[channel], pool, position),
        delta=delta.tolist(),
        top_terms=[
            {"position": [int(r), int(c)], "delta": float(delta[r, c]), "patch": patch_at(r, c).tolist()}
            for r, c in top
        ],
        kernel_grad=kernel_grad.tolist(),
        bias_grad=bias_grad,
        input_grad=input_grad.tolist(),
        pixel=[int(pixel[0]), int(pixel[1])],
        pixel_terms=terms,
        pixel_grad_channel=float(sum(t["weight"] * t["delta"] for t in terms)),
        pixel_grad=float(input_grad[pixel]),
    )


def _pool_entry(spec, first):
    """The max-pool right after the convolution (and its activation), or None."""
    for entry in spec[first + 1 : first + 3]:
        if entry["type"] == "maxpool2d":
            return entry
    return None


def _strongest_pooled(activations, pool):
    """The position of the largest activation that a pool window covers (any, without a pool)."""
    rows, columns = activations.shape
    if pool is not None:  # windows from the top left; a last row or column no window reaches is left out
        rows = (rows - pool["kernel"]) // pool["stride"] * pool["stride"] + pool["kernel"]
        columns = (columns - pool["kernel"]) // pool["stride"] * pool["stride"] + pool["kernel"]
    covered = activations[:rows, :columns]
    return tuple(int(v) for v in np.unravel_index(np.argmax(covered), covered.shape))


def _pool_choice(activations, pool, position):
    if pool is None:
        return None
    size, stride = pool["kernel"], pool["stride"]
    origin = [position[0] // stride * stride, position[1] // stride * stride]
    window = activations[origin[0] : origin[0] + size, origin[1] : origin[1] + size]
    winner = np.unravel_index(np.argmax(window), window.shape)  # the first of equal values, as the engine
    winner = [origin[0] + int(winner[0]), origin[1] + int(winner[1])]
    return {"origin": origin, "values": window.tolist(), "winner": winner}


def _check(what, mine, engine):
    if not np.allclose(mine, engine, rtol=TOLERANCE, atol=TOLERANCE):
        raise NncliError(f"explain conv: {what} disagrees with the engine's own pass; please report this")
