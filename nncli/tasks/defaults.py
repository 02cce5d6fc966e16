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
