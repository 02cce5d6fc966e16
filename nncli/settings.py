"""Every setting of a run, declared once: its name, kind, range, default and help.

Three things are derived from this table, so they cannot disagree:

- the command line's options (`nncli.cli.task_commands.setting_param`), with their checks;
- the checks of a run configuration (`nncli.config.RunConfig.from_dict`), which a model
  file's settings pass through too;
- the command that makes a model again (`nncli.command.command_line`).

Which tasks take which setting is the task catalog's to say (`nncli.tasks.catalog`); a
task may narrow a setting (a range, a help text) there. The layer types are
`nncli.layer_types`' records, the activations `nncli.activations`'.

Plain Python, free of NumPy and click, so the command line's `--help` stays instant.
"""

from dataclasses import dataclass, replace

from nncli.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS

# --- the limits the settings share -------------------------------------------------------

MAX_COUNT = 1_000_000_000  # epochs, batch sizes, patience, log intervals
MAX_SIZE = 10_000_000  # points, samples, images: a shared file must not make `evaluate` allocate 1 TB
MAX_LAYER = 1_000_000  # neurons in one layer
MAX_LAYERS = 64  # hidden layers
MAX_CHANNELS = 4_096  # of one convolution
MAX_CONV_LAYERS = 8  # each halves the image: 8 take 256 pixels across down to 1
MAX_SHIFT = 20  # --shift: an 8×8 digit on a canvas of at most 28×28, MNIST's size
MAX_CLASSES = 10  # spiral arms
MAX_SEED = 2**32 - 1  # NumPy's legacy seeds, and what a person types
MAX_TEXT = 4_096  # characters in a formula, a path, or any string a model file keeps (a column name)

OPTIMIZERS = ("sgd", "momentum", "adam")
INITS = ("pytorch", "xavier", "he", "normal", "small")
ENGINES = ("tensor", "scalar")
DTYPES = ("float32", "float64")
METHODS = ("train", "construct")
KINDS = ("classify", "regress")


@dataclass(frozen=True)
class Setting:
    """One setting: what a run's config holds under `name`, and how its option reads it.

    `kind` says what it holds: "int" and "number" (within low..high; `low_open` and
    `high_open` exclude the bound), "choice" (one of `choices`), "flag", "text", "file"
    and "folder" (paths), "sizes" (hidden layer sizes), "channels" (convolutions),
    "features" (a 2-D task's inputs) and "interval" (two numbers lo < hi). `optional`:
    None is a value too, meaning "not given" (the task or its data decide).
    """

    name: str
    kind: str
    help: str
    default: object = None
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple = ()
    offered: tuple = ()  # the choices the option offers, where a stored config may hold more
    command_low: float | None = None  # the option's low bound, where a stored config may go lower
    optional: bool = False
    required: bool = False  # the command cannot run without it (train csv's --data)
    flag: str = ""  # the option's flag, if not --name with dashes
    metavar: str = ""  # how --help names its value, if not by its kind
    shown_default: str = ""  # how --help shows the default, where the value alone would mislead
    repeated: bool = True  # False: the reproduce command leaves it out (--download: the files are there now)
    training_only: bool = False  # means nothing when a network is built without training

    @property
    def option(self):
        """The command-line flag: --batch-size for batch_size."""
        return self.flag or "--" + self.name.replace("_", "-")

    def narrowed(self, **changes):
        """This setting as one task takes it: another range, help or default."""
        return replace(self, **changes)


def _table(*settings):
    return {setting.name: setting for setting in settings}


SETTINGS = _table(
    # every training run
    # A model file may hold 0 epochs (the Playground saves one before its first step); a
    # command asks for at least one.
    Setting(
        "epochs", "int", "Passes over the training data.", 1, low=0, command_low=1, high=MAX_COUNT, training_only=True
    ),
    Setting(
        "lr", "number", "Learning rate: the size of each gradient step.", 0.1, low=0, low_open=True, training_only=True
    ),
    Setting(
        "batch_size",
        "int",
        "Examples per gradient step.",
        None,
        low=1,
        high=MAX_COUNT,
        optional=True,
        shown_default="all",
        training_only=True,
    ),
    Setting("hidden", "sizes", "Hidden layer sizes: 16, 128,64, 32x10 (ten of 32), 64,32x4,16; 0 for none.", ()),
    Setting(
        "activation", "choice", "Hidden layers' activation.", "sigmoid", choices=ACTIVATIONS, offered=HIDDEN_ACTIVATIONS
    ),
    Setting(
        "batchnorm", "flag", "Batch-normalise each hidden layer, between its linear part and its activation.", False
    ),
    Setting(
        "residual",
        "flag",
        "Add x + layer(x) skips around each hidden layer after the first that keeps its width.",
        False,
    ),
    Setting(
        "optimizer", "choice", "sgd, sgd with momentum 0.9, or adam.", "sgd", choices=OPTIMIZERS, training_only=True
    ),
    Setting("weight_decay", "number", "L2 penalty pulling weights towards zero.", 0.0, low=0, training_only=True),
    Setting(
        "init",
        "choice",
        "How the weights start (normal: N(0, 1), small: N(0, 0.01²) — to see bad starts fail).",
        "pytorch",
        choices=INITS,
        training_only=True,
    ),
    Setting(
        "seed",
        "int",
        f"Seed for data, initial weights and batches (0 to {MAX_SEED:,}).",
        0,
        low=0,
        high=MAX_SEED,
    ),
    Setting(
        "engine",
        "choice",
        "NumPy tensors, or one Value per number (slow, transparent).",
        "tensor",
        choices=ENGINES,
        training_only=True,
    ),
    Setting(
        "dtype",
        "choice",
        "Precision of weights and arithmetic: float32 is faster, float64 exact for checks.",
        "float32",
        choices=DTYPES,
    ),
    Setting(
        "log_every",
        "int",
        "Report every N epochs  [default: about 100 reports].",
        None,
        low=1,
        high=MAX_COUNT,
        optional=True,
        training_only=True,
    ),
    # images
    Setting(
        "conv",
        "channels",
        "Convolutions first: 3×3 kernels, this many per layer (8,16), each followed by the activation "
        "and a 2×2 max-pool, then the --hidden layers (--batchnorm and --dropout act on those)  [default: none].",
        (),
    ),
    Setting(
        "dropout",
        "number",
        "While training, zero each hidden neuron's output with this probability.",
        0.0,
        low=0,
        high=1,
        high_open=True,
    ),
    Setting(
        "patience",
        "int",
        "Stop after this many epochs without a better validation loss, keeping the best weights (0: never stop early).",
        0,
        low=0,
        high=MAX_COUNT,
    ),
    Setting(
        "shift",
        "int",
        f"Place each digit at a random offset on an (8+N)×(8+N) canvas, for learning and testing alike "
        f"(0 to {MAX_SHIFT}): where a fully connected net must learn every place apart, a --conv net need not.",
        0,
        low=0,
        high=MAX_SHIFT,
    ),
    Setting(
        "data_dir",
        "folder",
        "The folder holding the four MNIST IDX files, gzip'd or not  "
        "[default: the model store's, once --download has filled it].",
        None,
        optional=True,
    ),
    Setting(
        "download",
        "flag",
        "Fetch the four files (about 11 MB) into the model store (or --data-dir), checking their SHA-256 sums.",
        False,
        repeated=False,
    ),
    # the data a task generates or reads
    Setting(
        "data",
        "file",
        "The CSV file to learn from: a header row naming the columns, then one row per example (- for stdin).",
        None,
        optional=True,
    ),
    Setting(
        "points",
        "int",
        "How many points to generate, shared evenly between the classes.",
        None,
        low=2,
        high=MAX_SIZE,
        optional=True,
    ),
    Setting("slope", "number", "m of the generated line.", None, optional=True),
    Setting("intercept", "number", "c of the generated line.", None, optional=True),
    Setting("noise", "number", "Standard deviation of the noise.", None, low=0, optional=True),
    Setting(
        "classes",
        "int",
        f"Spiral arms, one class each (2 to {MAX_CLASSES}; 2 is the Playground's spiral).",
        None,
        low=2,
        high=MAX_CLASSES,
        optional=True,
    ),
    Setting(
        "features",
        "features",
        "Inputs computed from each point (x1, x2), any of x1,x2,x1^2,x2^2,x1*x2,sin(x1),sin(x2); "
        "quote them in a shell: 'x1,x2,sin(x1)'.",
        None,
        optional=True,
    ),
    Setting(
        "test_fraction",
        "number",
        "The share held out from training (the same share of every class), to measure the model on.",
        None,
        low=0,
        high=1,
        low_open=True,
        high_open=True,
        optional=True,
    ),
    Setting(
        "limit",
        "int",
        "Learn from only N of the training examples, chosen by --seed  [default: all of them].",
        None,
        low=1,
        high=MAX_SIZE,
        optional=True,
    ),
    Setting("target", "text", "The column to predict  [required].", None, optional=True),
    Setting(
        "inputs",
        "text",
        "The columns to predict it from, comma-separated  [default: every other column].",
        None,
        optional=True,
    ),
    Setting(
        "kind",
        "choice",
        "Classify or regress  [default: classify text labels and a few distinct whole numbers].",
        None,
        choices=KINDS,
        optional=True,
    ),
    Setting(
        "drop_missing",
        "flag",
        "Leave out rows with a missing value (empty, NA, NaN, null) instead of refusing the file.",
        False,
    ),
    # function approximation
    Setting(
        "formula",
        "text",
        'Any formula in x instead, e.g. "x**3 - x" or "exp(-x**2)*sin(5*x)".',
        None,
        optional=True,
        flag="--expr",
        metavar="FORMULA",
    ),
    Setting(
        "domain",
        "interval",
        "The interval to approximate on, e.g. -3,3 or -pi,pi  [default: per function; -2,2 for --expr].",
        None,
        optional=True,
    ),
    Setting(
        "method",
        "choice",
        "Fit by gradient descent, or set the weights by hand.",
        "train",
        choices=METHODS,
    ),
    Setting("samples", "int", "Points of the target to learn from.", None, low=2, high=MAX_SIZE, optional=True),
)

# The settings every training task takes, and those of a network with hidden layers.
TRAINING = ("epochs", "lr", "batch_size", "optimizer", "weight_decay", "init", "seed", "engine", "dtype", "log_every")
NETWORK = ("hidden", "activation", "batchnorm", "residual")
