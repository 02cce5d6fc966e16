"""The tasks nncli knows, one entry each: what `nncli train TASK` (and so `nncli compare
TASK` and `nncli lr-find TASK`) is made of.

An entry names the task's module, says what it is (title, help), which settings its
command takes (nncli.settings) and where each starts, so that the bare command succeeds
and shows something worth seeing. Adding a task is its module plus its entry here.

Plain data, free of NumPy: the command line builds a task's command from its entry
without importing the task, which is imported only when it runs (`nncli.tasks.get_task`).
"""

from dataclasses import dataclass, field

from nncli.settings import HIDDEN_ACTIVATIONS, NETWORK, TRAINING


@dataclass(frozen=True)
class Entry:
    name: str
    task: str  # "module:Class" of the Task
    title: str  # what the live panel says is being learned
    help: str  # the help of `nncli train NAME`
    defaults: dict  # where its settings start; one it takes no option for is fixed (linreg's network)
    settings: tuple  # the settings its command takes, in the order --help lists them
    ends: tuple = (1, 1)  # the network's input and output widths, which size the work for BLAS threads
    narrowed: dict = field(default_factory=dict)  # setting name → how this task narrows it (nncli.settings)
    argument: str = ""  # a setting given as the command's argument rather than as an option
    argument_name: str = ""  # how its help names that argument
    implied_by_argument: tuple = ()  # settings the argument fixes when given: the reproduce command leaves them out
    shows: dict = field(default_factory=dict)  # view name → the help of a flag that adds it to the result
    command: str = ""  # the words that run it, if not "train NAME" (the reproduce command starts with them)

    @property
    def words(self):
        return self.command or f"train {self.name}"


POINTS = ("points", "noise", "test_fraction", "features", "limit")
POINT_SETTINGS = {
    "points": {"low": 4},
    "noise": {"high": 1_000, "help": "Standard deviation of the jitter added to each coordinate."},
    "limit": {"help": "Learn from only N of the training points, chosen by --seed  [default: all of them]."},
}
# The 2-D point sets: a small tanh network, Adam, mini-batches. Each reaches at least 95 %
# held-out accuracy at its default noise (docs/data.md: the figures over seeds 0–4).
POINTS_DEFAULTS = {
    "epochs": 200,
    "lr": 0.03,
    "batch_size": 32,
    "hidden": (8,),
    "activation": "tanh",
    "optimizer": "adam",
    "test_fraction": 0.3,
    "features": "x1,x2",
}
DIGITS_DEFAULTS = {
    "epochs": 100,
    "lr": 0.001,
    "batch_size": 32,
    "hidden": (128, 64),
    "activation": "relu",
    "optimizer": "adam",
    "init": "he",  # He initialisation suits ReLU layers
    "dropout": 0.1,
    "patience": 20,  # epochs without a better validation loss before stopping early
}
DIGIT_SETTINGS = ("limit", "conv", "patience", "dropout")
DIGIT_LIMIT = {"limit": {"help": "Learn from only N of the training images, chosen by --seed  [default: all of them]."}}


def _entries(*entries):
    return {entry.name: entry for entry in entries}


TASKS = _entries(
    Entry(
        "xor",
        "nncli.tasks.xor:XorTask",
        "XOR",
        "Learn XOR: the classic 2-4-1 sigmoid network, trained by gradient descent on MSE.",
        {"epochs": 2000, "lr": 3.0, "batch_size": 4, "hidden": (4,), "activation": "sigmoid", "features": "x1,x2"},
        TRAINING + NETWORK + ("features", "limit"),
        ends=(2, 1),
        narrowed={
            "limit": {
                "help": "Learn from only N of the four rows of the truth table (the held-out data are all four), "
                "chosen by --seed  [default: all of them]."
            }
        },
    ),
    Entry(
        "linreg",
        "nncli.tasks.linreg:LinregTask",
        "y = m·x + c by gradient descent",
        "Learn y = m·x + c from noisy points with one linear neuron, and compare the line it finds with the "
        "exact least-squares line.",
        {
            "epochs": 300,
            "lr": 0.1,
            "batch_size": None,  # None: the whole data set in every step (full-batch descent)
            "hidden": (),
            "activation": "identity",
            "points": 100,
            "slope": 2.0,
            "intercept": 1.0,
            "noise": 0.1,
            "test_fraction": 0.3,
        },
        TRAINING + ("data", "test_fraction", "points", "slope", "intercept", "noise"),
        narrowed={
            "data": {
                "help": "Fit a two-column CSV (x, y) instead, holding out --test-fraction of its points (- for stdin)."
            },
            "points": {"help": "How many noisy points to generate."},
        },
    ),
    Entry(
        "digits",
        "nncli.tasks.digits:DigitsTask",
        "8×8 handwritten digits",
        "Learn the 8×8 handwritten digits shipped with nncli: a 64-128-64-10 ReLU network, trained with Adam on "
        "the cross-entropy on 80 % of the 1,797 digits (a tenth of them set aside to validate each epoch) and "
        "measured on the other 20 %.",
        DIGITS_DEFAULTS,
        TRAINING + NETWORK + DIGIT_SETTINGS + ("shift",),
        ends=(64, 10),
        narrowed=DIGIT_LIMIT,
    ),
    Entry(
        "mnist",
        "nncli.tasks.mnist:MnistTask",
        "MNIST digits",
        "Learn MNIST's 28×28 digits with the classic 784-128-64-10 network (109,386 parameters), measured on "
        "the 10,000 handwritten test images.",
        {**DIGITS_DEFAULTS, "epochs": 20, "batch_size": 64, "patience": 3},
        TRAINING + NETWORK + DIGIT_SETTINGS + ("data_dir", "download"),
        ends=(784, 10),
        narrowed=DIGIT_LIMIT,
    ),
    Entry(
        "approx",
        "nncli.tasks.approx:ApproxTask",
        "a function approximated by a sum of neurons",
        """Approximate a function with one hidden layer of neurons, and watch the sum of their
    curves trace it.

    \b
    FUNC: sin (the default), cos, abs, square, cube, step, sawtooth, gaussian (or bump),
    relu. Or any formula in x with --expr: numbers, x, pi, e, + - * / **, brackets,
    and the functions sin cos tan exp log sqrt abs tanh sinh cosh asin acos
    atan log2 log10 sign floor ceil relu sigmoid step min max.

    \b
    Examples:
      nncli approx sin                        train 32 tanh neurons on sin(x)
      nncli approx --expr "x**3 - x"          any formula
      nncli approx sin --method construct --activation step --hidden 50 --neurons
                                              build it by hand from 50 steps
    """,
        {
            "epochs": 4000,
            "lr": 0.01,
            "hidden": (32,),
            "activation": None,  # tanh to train, step to build by hand: the task decides
            "optimizer": "adam",
            "samples": 256,
        },
        ("target", "formula", "domain", "method", "hidden", "activation", "samples") + TRAINING,
        narrowed={
            "target": {"help": "The function to approximate."},
            "hidden": {"help": "Hidden layer sizes: 32 (one layer of 32 neurons) or 32,32."},
            "activation": {
                "offered": HIDDEN_ACTIVATIONS + ("step",),  # a network of steps is built by hand
                "help": "The hidden neurons' activation  [default: tanh to train, step to construct].",
            },
            "samples": {"high": 1_000_000},
        },
        argument="target",
        argument_name="FUNC",
        implied_by_argument=("formula",),
        shows={"neurons": "Also show every neuron's curve, the sum built neuron by neuron, and a table of w, b, v."},
        command="approx",
    ),
    Entry(
        "circle",
        "nncli.tasks.circle:CircleTask",
        "circle: a disc inside a ring",
        "Tell a disc from the ring around it (TensorFlow Playground's circle): no straight line can, a few "
        "hidden neurons or the features x1^2,x2^2 can.",
        {**POINTS_DEFAULTS, "points": 400, "noise": 0.3},
        TRAINING + NETWORK + POINTS,
        ends=(2, 1),
        narrowed=POINT_SETTINGS,
    ),
    Entry(
        "gauss",
        "nncli.tasks.gauss:GaussTask",
        "gauss: two clouds of points",
        "Tell two Gaussian clouds of points apart (TensorFlow Playground's gauss): one straight line does.",
        {**POINTS_DEFAULTS, "points": 300, "noise": 1.0},
        TRAINING + NETWORK + POINTS,
        ends=(2, 1),
        narrowed={
            **POINT_SETTINGS,
            "noise": {**POINT_SETTINGS["noise"], "help": "The spread (standard deviation) of each of the two clouds."},
        },
    ),
    Entry(
        "spiral",
        "nncli.tasks.spiral:SpiralTask",
        "spiral arms, one class each",
        "Tell spiral arms apart, one class each (CS231n's three; softmax and cross-entropy).",
        {
            **POINTS_DEFAULTS,
            "epochs": 300,
            "lr": 0.01,
            "hidden": (32, 32),
            "activation": "relu",
            "points": 300,
            "noise": 0.1,
            "classes": 3,
        },
        TRAINING + NETWORK + POINTS + ("classes",),
        ends=(2, 10),
        narrowed=POINT_SETTINGS,
    ),
    Entry(
        "moons",
        "nncli.tasks.moons:MoonsTask",
        "two moons",
        "Tell two interleaving half moons apart (scikit-learn's make_moons, micrograd's demo).",
        {**POINTS_DEFAULTS, "points": 200, "noise": 0.1},
        TRAINING + NETWORK + POINTS,
        ends=(2, 1),
        narrowed=POINT_SETTINGS,
    ),
    Entry(
        "csv",
        "nncli.tasks.table:CsvTask",
        "your own data",
        "Learn to predict one column of your own CSV table (--target) from the others: a classifier for class "
        "labels, a regression for numbers.",
        {
            "epochs": 100,
            "lr": 0.003,
            "batch_size": 32,
            "hidden": (16,),
            "activation": "relu",
            "optimizer": "adam",
            "test_fraction": 0.3,
        },
        TRAINING + NETWORK + ("data", "target", "inputs", "kind", "drop_missing", "test_fraction", "limit"),
        narrowed={
            "data": {"required": True},
            "limit": {"help": "Learn from only N of the training rows, chosen by --seed  [default: all of them]."},
        },
    ),
)

# The sets `nncli play` takes, and where each starts when its settings differ from its bare
# command's: xor is played on its truth table's corners as clouds of points, by four tanh neurons.
PLAYGROUND = {
    "circle": None,
    "gauss": None,
    "spiral": None,
    "moons": None,
    "xor": {**POINTS_DEFAULTS, "hidden": (4,), "points": 200, "noise": 0.15},
}


def defaults(name):
    """Where task `name`'s settings start: the settings of its bare command."""
    return dict(TASKS[name].defaults)


def playground_defaults(name):
    """Where `nncli play NAME` starts."""
    return dict(PLAYGROUND[name] or TASKS[name].defaults)
