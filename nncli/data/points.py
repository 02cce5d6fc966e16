"""The classic 2-D teaching sets: TensorFlow Playground's circle, gauss and spiral,
scikit-learn's two moons (the data of micrograd's demo), and XOR's four corners as clouds.

Each returns X, an (n, 2) float64 array of points (x₁, x₂), and y, an (n,) int64 array of
class labels 0 … K−1, with the n points shared as evenly as possible between the K
classes. Everything random is drawn from one generator seeded by `seed`, so the same
arguments give the same points on every machine. `noise` is the standard deviation of the
Gaussian jitter added to each coordinate (for gauss, the spread of each cluster).

Circle, gauss and spiral live in the Playground's square, coordinates about −6 … 6, where
sin(x₁) goes through nearly two periods; the moons keep scikit-learn's coordinates
(x₁ from −1 to 2, x₂ from −0.5 to 1), and XOR the truth table's (0 and 1).
"""

import numpy as np

from nncli.data import stratified_split
from nncli.settings import MAX_CLASSES

CIRCLE_RADIUS = 5.0  # the outer ring's edge; the inner disc is class 1
INNER_EDGE, OUTER_EDGE = 0.5, 0.7  # of the radius: the disc ends, the ring begins
GAUSS_CENTRE = 2.0  # class 1 around (2, 2), class 0 around (−2, −2)
SPIRAL_RADIUS = 5.0
SPIRAL_TURNS = 0.75  # how far round each arm winds from the centre to its end


def class_sizes(n, classes):
    """n points shared between `classes` as evenly as possible, the first classes one larger."""
    if n < classes:
        raise ValueError(f"{n} points cannot hold {classes} classes")
    return [n // classes + (1 if k < n % classes else 0) for k in range(classes)]


def _labels(sizes):
    return np.repeat(np.arange(len(sizes)), sizes).astype(np.int64)


def _jitter(rng, X, noise):
    return X + noise * rng.standard_normal(X.shape) if noise > 0 else X


def circle(n=300, noise=0.3, seed=0):
    """A disc (class 1) inside a ring (class 0): radii drawn uniformly, in 0 … 2.5 for the
    disc and 3.5 … 5 for the ring, at uniformly random angles — Playground's circle."""
    rng = np.random.default_rng(seed)
    outer, inner = class_sizes(n, 2)
    radius = np.concatenate(
        [
            rng.uniform(OUTER_EDGE * CIRCLE_RADIUS, CIRCLE_RADIUS, outer),
            rng.uniform(0.0, INNER_EDGE * CIRCLE_RADIUS, inner),
        ]
    )
    angle = rng.uniform(0.0, 2 * np.pi, n)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    return _jitter(rng, X, noise), _labels([outer, inner])


def gauss(n=300, noise=1.0, seed=0):
    """Two round Gaussian clusters of spread `noise`: class 0 around (−2, −2), class 1
    around (2, 2) — Playground's gauss."""
    rng = np.random.default_rng(seed)
    sizes = class_sizes(n, 2)
    centres = np.repeat(np.array([[-GAUSS_CENTRE, -GAUSS_CENTRE], [GAUSS_CENTRE, GAUSS_CENTRE]]), sizes, axis=0)
    return _jitter(rng, centres, noise), _labels(sizes)


def spiral(n=300, noise=0.2, seed=0, classes=3):
    """`classes` arms winding out from the centre, arm k turned by k/classes of a circle
    from the first: two arms are Playground's spiral, three CS231n's.

    Along each arm the points are evenly spaced from the centre to radius 5, winding
    SPIRAL_TURNS of a turn on the way.
    """
    if not 2 <= classes <= MAX_CLASSES:
        raise ValueError(f"a spiral has 2 to {MAX_CLASSES} arms, not {classes}")
    rng = np.random.default_rng(seed)
    sizes = class_sizes(n, classes)
    arms = []
    for k, size in enumerate(sizes):
        along = np.linspace(0.0, 1.0, size + 1)[1:]  # leave out the centre, shared by every arm
        angle = 2 * np.pi * (SPIRAL_TURNS * along + k / classes)
        arms.append(SPIRAL_RADIUS * along[:, None] * np.column_stack([np.cos(angle), np.sin(angle)]))
    return _jitter(rng, np.concatenate(arms), noise), _labels(sizes)


def moons(n=200, noise=0.1, seed=0):
    """Two interleaving half circles — scikit-learn's make_moons geometry: class 0 the upper
    half of the unit circle, class 1 the lower half shifted to (1, 0.5), the points evenly
    spaced along each."""
    rng = np.random.default_rng(seed)
    upper = n // 2  # as scikit-learn shares them: an odd point goes to the lower moon
    lower = n - upper
    a, b = np.linspace(0.0, np.pi, upper), np.linspace(0.0, np.pi, lower)
    X = np.concatenate(
        [
            np.column_stack([np.cos(a), np.sin(a)]),
            np.column_stack([1.0 - np.cos(b), 0.5 - np.sin(b)]),
        ]
    )
    return _jitter(rng, X, noise), _labels([upper, lower])


def xor(n=200, noise=0.15, seed=0):
    """The XOR truth table as clouds of points: each point one of the four corners (0, 0),
    (0, 1), (1, 0), (1, 1), as evenly shared as `n` allows, jittered by `noise`; its class
    x₁ XOR x₂ of its corner. With no noise, the points are the truth table's rows."""
    rng = np.random.default_rng(seed)
    sizes = class_sizes(n, 4)
    corners = np.repeat(np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]]), sizes, axis=0)
    labels = np.repeat([0, 0, 1, 1], sizes).astype(np.int64)  # the first two corners are class 0
    return _jitter(rng, corners, noise), labels


SETS = {"circle": circle, "gauss": gauss, "spiral": spiral, "moons": moons, "xor": xor}


def split(y, test_fraction=0.3, seed=0):
    """Seeded (train_idx, test_idx), holding out `test_fraction` of every class."""
    return stratified_split(y, test_fraction, seed)
