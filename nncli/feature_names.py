"""The names of the Playground's input features, and reading them from the command line.

NumPy-free (unlike `nncli.data.features`, which computes them), because `--features` is
parsed before a training command has chosen its BLAS threads, which must happen before
NumPy loads.
"""

NAMES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")  # in the order the network sees them
DEFAULT = ("x1", "x2")

# Other spellings people type for the same features.
ALIASES = {"x1**2": "x1^2", "x2**2": "x2^2", "x1²": "x1^2", "x2²": "x2^2", "x2*x1": "x1*x2"}


def parse_features(text):
    """The feature names in a comma-separated list ("x1,x2,x1^2"), in NAMES' order.

    Spaces and case don't matter. ValueError, listing the valid names, for an unknown
    name, a name given twice or an empty list.
    """
    names = []
    for part in str(text).split(","):
        name = "".join(part.split()).lower()
        name = ALIASES.get(name, name)
        if not name:
            continue
        if name not in NAMES:
            raise ValueError(f"unknown feature {part.strip()!r}; choose from {', '.join(NAMES)}")
        if name in names:
            raise ValueError(f"feature {name!r} is listed twice")
        names.append(name)
    if not names:
        raise ValueError(f"no features given; choose from {', '.join(NAMES)}")
    return tuple(sorted(names, key=NAMES.index))


def check_features(names):
    """The names, if every one is a known feature, listed once, in NAMES' order;
    ValueError otherwise (a model file's list is checked with this before use)."""
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise ValueError("the features must be a list of names")
    parsed = parse_features(",".join(names))
    if list(parsed) != list(names):
        raise ValueError(f"the features {list(names)} are not listed once each, in the order {', '.join(NAMES)}")
    return parsed
