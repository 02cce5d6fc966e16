"""Input features like TensorFlow Playground's: what a 2-D task feeds its network, computed
from each point (x₁, x₂).

The lesson they carry: a single neuron draws one straight line through its inputs, so
a problem that is hard on x₁, x₂ can be easy on other features — a circle is one line
through x₁², x₂². A model file stores the names it was trained on, and everything that
runs it (evaluate, predict, visualize) computes them from raw points the same way.
"""

import numpy as np

from nncli.feature_names import ALIASES, DEFAULT, NAMES, check_features, parse_features  # noqa: F401

# name → how it is computed from a point's columns (0 is x1, 1 is x2), in NAMES' order (the
# one they are fed to the network): ("column", i), ("product", i, j) or ("sin", i). The
# exporters write these same recipes out as code, graph nodes and formulas.
FEATURES = {
    "x1": ("column", 0),
    "x2": ("column", 1),
    "x1^2": ("product", 0, 0),
    "x2^2": ("product", 1, 1),
    "x1*x2": ("product", 0, 1),
    "sin(x1)": ("sin", 0),
    "sin(x2)": ("sin", 1),
}


def expand(X, names):
    """The features `names` of the points X (n, 2), as an (n, len(names)) float64 array."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"features are computed from points (x1, x2), not from an array shaped {X.shape}")
    return np.column_stack([_feature(FEATURES[name], X) for name in names])


def _feature(recipe, X):
    operation, *columns = recipe
    if operation == "column":
        return X[:, columns[0]]
    if operation == "product":
        return X[:, columns[0]] * X[:, columns[1]]
    return np.sin(X[:, columns[0]])
