"""Loss functions, all averaged over the batch as in PyTorch.

`cross_entropy` and `binary_cross_entropy` are single fused graph nodes with hand-derived
gradients: fewer nodes make a faster step, and the fused forms stay finite where the
composed ones would take log(0).
"""

import numpy as np

from nncli.autograd import Tensor


def _as_tensor(x, dtype):
    return x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=dtype))


def mse_loss(prediction, target):
    """Mean squared error: the average of (prediction − target)² over every element.

    One graph node (instead of a subtraction, a product and a mean). With upstream
    gradient g, d/dprediction = 2·(prediction − target)·g/n and d/dtarget is its negative.
    """
    target = _as_tensor(target, prediction.dtype)
    diff = prediction.data - target.data  # broadcasts as the composed form would
    count = diff.size

    def backward(g):
        scale = (g / count) * 2  # the composed form's rounding, bit for bit
        if prediction.requires_grad:
            prediction._accumulate(diff * scale)
        if target.requires_grad:
            target._accumulate(diff * -scale)

    return Tensor._from_op((diff * diff).sum() / count, (prediction, target), backward)


def cross_entropy(logits, class_indices):
    """Mean of −log softmax(logits)[true class] over the rows of `logits` (N, C).

    `class_indices` is an integer array of N labels. Gradient with respect to the logits:
    (softmax(logits) − one_hot(labels)) / N.
    """
    labels = np.asarray(class_indices)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"cross_entropy needs integer class indices, not {labels.dtype}")
    z = logits.data
    rows = np.arange(len(z))
    shifted = z - z.max(axis=1, keepdims=True)  # the softmax is unchanged, exp can't overflow
    log_sum = np.log(np.exp(shifted).sum(axis=1))
    n = len(z)
    loss = (log_sum - shifted[rows, labels]).sum() / n

    def backward(g):
        grad = np.exp(shifted - log_sum[:, None])  # the softmax
        grad[rows, labels] -= 1.0
        grad *= g / n
        logits._accumulate(grad, fresh=True)

    return Tensor._from_op(np.asarray(loss, dtype=z.dtype), (logits,), backward)


def binary_cross_entropy(probabilities, targets):
    """Mean of −[t·log p + (1 − t)·log(1 − p)], with each log clamped at −100 as PyTorch
    does, so a confident wrong answer costs a lot but never infinity."""
    p = probabilities.data
    t = np.asarray(targets.data if isinstance(targets, Tensor) else targets, dtype=p.dtype)
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), -100.0)
        log_not_p = np.maximum(np.log1p(-p), -100.0)
    loss = -(t * log_p + (1 - t) * log_not_p).mean()

    def backward(g):
        # d/dp = (p − t) / (p (1 − p)); PyTorch bounds the denominator below by 1e-12.
        grad = (p - t) / np.maximum(p * (1 - p), 1e-12)
        probabilities._accumulate(grad * (g / p.size))

    return Tensor._from_op(np.asarray(loss, dtype=p.dtype), (probabilities,), backward)
