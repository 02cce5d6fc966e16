"""Input features like TensorFlow Playground's: what a 2-D task feeds its network, computed
from each point (x₁, x₂).

The lesson they carry: a single neuron draws one straight line through its inputs, so
a problem that is hard on x₁, x₂ can be easy on other features — a circle is one line
through x₁², x₂². A model file stores the names it was trained on, and everything that
runs it (evaluate, predict, visualize) computes them from raw points the same way.
"""

import numpy as np

from nncli.feature_names import ALIASES, DEFAULT, NAMES, check_features, parse_features  # noqa: F401

# name → the feature of the columns x1, x2, in NAMES' order (the one they are fed to the network)
FEATURES = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}


def expand(X, names):
    """The features `names` of the points X (n, 2), as an (n, len(names)) float64 array."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"features are computed from points (x1, x2), not from an array shaped {X.shape}")
    x1, x2 = X[:, 0], X[:, 1]
    return np.column_stack([FEATURES[name](x1, x2) for name in names])
