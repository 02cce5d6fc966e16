"""The typed run configuration: what a command asked for, validated once.

The command line builds one RunConfig from its parsed options; the tasks, the runner and
the training loop read its attributes; a model file stores it as a plain dict
(`meta["config"]`) and `RunConfig.from_dict` rebuilds it, checking every field's type and
range, because a model file is data from anywhere. Its fields are the settings table's
(nncli.settings), with the table's defaults, and their checks are derived from it.

It is one flat dataclass rather than a base plus one class per task: the fields are the
command-line flags, most tasks share most of them, and a task-specific one (points,
formula, dropout, …) is simply None or its neutral value where it does not apply — so a
model file's config reads like the command that made it, and old files (which stored the
click options as they were) load unchanged.

Free of NumPy, so the command line can import it without slowing `--help`.
"""

import math
from dataclasses import asdict, dataclass, field, fields

from nncli.settings import MAX_CHANNELS, MAX_CONV_LAYERS, MAX_LAYER, MAX_LAYERS, MAX_TEXT, SETTINGS


@dataclass(frozen=True)
class RunConfig:
    # every training run
    epochs: int = 1
    lr: float = 0.1
    batch_size: int | None = None  # None: the whole data set in every step
    optimizer: str = "sgd"
    weight_decay: float = 0.0
    init: str = "pytorch"
    seed: int = 0
    engine: str = "tensor"
    dtype: str = "float32"
    log_every: int | None = None  # None: about 100 reports
    hidden: tuple = ()
    activation: str = "sigmoid"
    batchnorm: bool = False  # batch norm between each hidden linear layer and its activation
    residual: bool = False  # skip connections around hidden layers that keep their width
    conv: tuple = ()  # image tasks: channels of each 3×3 convolution (each then activated and max-pooled)
    # linreg
    data: str | None = None  # a CSV of (x, y) instead of generated points
    points: int | None = None
    slope: float | None = None
    intercept: float | None = None
    noise: float | None = None
    # digits and mnist
    dropout: float = 0.0
    patience: int = 0  # epochs without a better validation loss before stopping; 0: never
    data_dir: str | None = None
    download: bool = False
    limit: int | None = None
    shift: int = 0  # digits: each digit at a random offset on an (8 + shift)² canvas
    # approx
    target: str | None = None  # a registered function's name, None for a formula
    formula: str | None = None
    domain: tuple | None = None  # (lo, hi)
    method: str = "train"
    samples: int | None = None
    # the 2-D point sets and csv
    classes: int | None = None  # spiral arms
    features: str | None = None  # the input features of a 2-D task, canonical: "x1,x2,x1^2"
    test_fraction: float | None = None  # the share held out, of every class
    inputs: str | None = None  # csv: the input columns as given (None: every other column)
    kind: str | None = None  # csv: "classify" or "regress" (None: guessed from the target)
    drop_missing: bool = False
    # the names of the settings a command gave (the rest are defaults): what to_dict keeps
    given: tuple = field(default=(), compare=False, repr=False)

    @classmethod
    def from_dict(cls, values):
        """The RunConfig of a dict (a command's options or a model file's config), every
        field checked. Raises ValueError with a one-line reason."""
        if not isinstance(values, dict):
            raise ValueError("config must be an object")
        known = {f.name for f in fields(cls)} - {"given"}
        unknown = sorted(str(k) for k in values if k not in known)
        if unknown:
            raise ValueError(f"config has unknown setting(s) {', '.join(map(repr, unknown[:3]))}")
        checked = {}
        for name, value in values.items():
            checked[name] = CHECKS[name](name, value)
        config = cls(**checked, given=tuple(checked))
        if config.domain is not None and not (
            config.domain[0] < config.domain[1] and math.isfinite(config.domain[1] - config.domain[0])
        ):
            raise ValueError("config 'domain' must be (lo, hi) with lo < hi, a finite width apart")
        return config

    def to_dict(self):
        """The plain dict a model file stores (and the start event shows): the settings the
        command was given (its own options), so that it reads like the command itself."""
        values = asdict(self)
        names = self.given or [f.name for f in fields(self) if f.name != "given"]
        return {k: (list(values[k]) if isinstance(values[k], tuple) else values[k]) for k in names}

    def train_batch_size(self, examples):
        return self.batch_size or examples

    def train_log_every(self):
        return self.log_every or max(1, self.epochs // 100)


# --- the checks, one per kind of setting (nncli.settings) ---------------------------------


def _integer(low, high, optional=False):
    def check(name, value):
        if value is None and optional:
            return None
        if not (isinstance(value, int) and not isinstance(value, bool) and low <= value <= high):
            raise ValueError(f"config {name!r} must be a whole number from {low:,} to {high:,}")
        return value

    return check


def _number(low=None, high=None, optional=False, above=False, below=False):
    def check(name, value):
        if value is None and optional:
            return None
        if not (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)):
            raise ValueError(f"config {name!r} must be a finite number")
        too_low = low is not None and (value <= low if above else value < low)
        too_high = high is not None and (value >= high if below else value > high)
        if too_low or too_high:
            raise ValueError(f"config {name!r} is out of range ({value!r})")
        return float(value)

    return check


def _choice(options, optional=False):
    def check(name, value):
        if value is None and optional:
            return None
        if value not in options:
            raise ValueError(f"config {name!r} must be one of {', '.join(options)}")
        return value

    return check


def _text(name, value):
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT or "\0" in value:
        raise ValueError(f"config {name!r} must be a short text")
    return value


def _flag(name, value):
    if not isinstance(value, bool):
        raise ValueError(f"config {name!r} must be true or false")
    return value


def _sizes(name, value):
    if not isinstance(value, (list, tuple)) or len(value) > MAX_LAYERS:
        raise ValueError(f"config {name!r} must be a list of at most {MAX_LAYERS} layer sizes")
    return tuple(_integer(1, MAX_LAYER)(name, size) for size in value)


def _channels(name, value):
    if not isinstance(value, (list, tuple)) or len(value) > MAX_CONV_LAYERS:
        raise ValueError(f"config {name!r} must be a list of at most {MAX_CONV_LAYERS} channel counts")
    return tuple(_integer(1, MAX_CHANNELS)(name, count) for count in value)


def _features(name, value):
    """A list of the Playground's input features, as the command line stores it."""
    if value is None:
        return None
    value = _text(name, value)
    from nncli.feature_names import check_features

    try:
        return ",".join(check_features(value.split(",")))
    except ValueError as error:
        raise ValueError(f"config {name!r}: {error}") from None


def _interval(name, value):
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ValueError(f"config {name!r} must be two numbers (lo, hi)")
    return tuple(_number()(name, bound) for bound in value)


def check_of(setting):
    """The function that checks a config's value of `setting` (name, value → value)."""
    if setting.kind == "int":
        return _integer(setting.low, setting.high, setting.optional)
    if setting.kind == "number":
        return _number(setting.low, setting.high, setting.optional, setting.low_open, setting.high_open)
    if setting.kind == "choice":
        return _choice(setting.choices, setting.optional)
    kinds = {"flag": _flag, "text": _text, "file": _text, "folder": _text, "sizes": _sizes}
    kinds |= {"channels": _channels, "features": _features, "interval": _interval}
    return kinds[setting.kind]


CHECKS = {name: check_of(setting) for name, setting in SETTINGS.items()}
