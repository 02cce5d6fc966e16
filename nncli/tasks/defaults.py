"""The settings each task starts from, chosen so that the bare command succeeds and shows
something worth seeing. Plain data, free of NumPy, so `nncli train --help` can show them
without importing the engine."""

XOR = {
    "epochs": 2000,
    "lr": 3.0,
    "batch_size": 4,
    "hidden": (4,),
    "activation": "sigmoid",
    "optimizer": "sgd",
}

LINREG = {
    "epochs": 300,
    "lr": 0.1,
    "batch_size": None,  # None: the whole data set in every step (full-batch descent)
    "hidden": (),
    "activation": "identity",
    "optimizer": "sgd",
    "points": 100,
    "slope": 2.0,
    "intercept": 1.0,
    "noise": 0.1,
}

APPROX = {
    "epochs": 4000,
    "lr": 0.01,
    "batch_size": None,
    "hidden": (32,),
    "activation": "tanh",  # with --method train; building by hand starts from steps
    "construct_activation": "step",
    "optimizer": "adam",
    "samples": 256,
    # name → (formula, default domain); any other formula comes with --expr (domain -2, 2)
    "targets": {
        "sin": ("sin(x)", ("-pi", "pi")),
        "cos": ("cos(x)", ("-pi", "pi")),
        "abs": ("abs(x)", ("-1", "1")),
        "square": ("x**2", ("-1", "1")),
        "cube": ("x**3", ("-1", "1")),
        "step": ("step(x)", ("-1", "1")),
        "sawtooth": ("x - floor(x)", ("0", "3")),
        "gaussian": ("exp(-x**2)", ("-3", "3")),
        "bump": ("exp(-x**2)", ("-3", "3")),
        "relu": ("relu(x)", ("-1", "1")),
    },
}

DIGITS = {
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

MNIST = {**DIGITS, "epochs": 20, "batch_size": 64, "patience": 3}

# The 2-D point sets: a small tanh network, Adam, mini-batches. Each reaches at least 95 %
# held-out accuracy at its default noise (README: the figures over seeds 0–4).
POINTS = {
    "epochs": 200,
    "lr": 0.03,
    "batch_size": 32,
    "hidden": (8,),
    "activation": "tanh",
    "optimizer": "adam",
    "test_fraction": 0.3,
    "features": "x1,x2",
}
CIRCLE = {**POINTS, "points": 400, "noise": 0.3}
GAUSS = {**POINTS, "points": 300, "noise": 1.0}
MOONS = {**POINTS, "points": 200, "noise": 0.1}
SPIRAL = {
    **POINTS,
    "epochs": 300,
    "lr": 0.01,
    "hidden": (32, 32),
    "activation": "relu",
    "points": 300,
    "noise": 0.1,
    "classes": 3,
}
MAX_CLASSES = 10  # spiral arms
# `nncli play xor`: the truth table's corners as clouds of points, four tanh neurons.
XOR_PLAY = {**POINTS, "hidden": (4,), "points": 200, "noise": 0.15}
PLAYGROUND = {"circle": CIRCLE, "gauss": GAUSS, "spiral": SPIRAL, "moons": MOONS, "xor": XOR_PLAY}  # what play takes

CSV = {
    "epochs": 100,
    "lr": 0.003,
    "batch_size": 32,
    "hidden": (16,),
    "activation": "relu",
    "optimizer": "adam",
    "test_fraction": 0.3,
}
