"""Input features like TensorFlow Playground's: what a 2-D task feeds its network, computed
from each point (x₁, x₂).

The lesson they carry: a single neuron draws one straight line through its inputs, so
a problem that is hard on x₁, x₂ can be easy on other features — a circle is one line
through x₁², x₂². A model file stores the names it was trained on, and everything that
runs it (evaluate, predict, visualize) computes them from raw points the same way.
"""

import numpy as np

# name → the feature of the columns x1, x2; the order is the one they are fed to the network
FEATURES = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}
DEFAULT = ("x1", "x2")

# Other spellings people type for the same features.
ALIASES = {"x1**2": "x1^2", "x2**2": "x2^2", "x1²": "x1^2", "x2²": "x2^2", "x2*x1": "x1*x2"}


def parse_features(text):
    """The feature names in a comma-separated list ("x1,x2,x1^2"), in FEATURES' order.

    Spaces and case don't matter. ValueError, listing the valid names, for an unknown
    name, a name given twice or an empty list.
    """
    names = []
    for part in str(text).split(","):
        name = "".join(part.split()).lower()
        name = ALIASES.get(name, name)
        if not name:
            continue
        if name not in FEATURES:
            raise ValueError(f"unknown feature {part.strip()!r}; choose from {', '.join(FEATURES)}")
        if name in names:
            raise ValueError(f"feature {name!r} is listed twice")
        names.append(name)
    if not names:
        raise ValueError(f"no features given; choose from {', '.join(FEATURES)}")
    return tuple(sorted(names, key=list(FEATURES).index))


def check_features(names):
    """The names, if every one is a known feature, listed once, in FEATURES' order;
    ValueError otherwise (a model file's list is checked with this before use)."""
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise ValueError("the features must be a list of names")
    parsed = parse_features(",".join(names))
    if list(parsed) != list(names):
        raise ValueError(f"the features {list(names)} are not listed once each, in the order {', '.join(FEATURES)}")
    return parsed


def expand(X, names):
    """The features `names` of the points X (n, 2), as an (n, len(names)) float64 array."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"features are computed from points (x1, x2), not from an array shaped {X.shape}")
    x1, x2 = X[:, 0], X[:, 1]
    return np.column_stack([FEATURES[name](x1, x2) for name in names])
