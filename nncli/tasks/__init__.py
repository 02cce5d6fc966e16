"""One module per task: its data, default model, loss and metrics.

Tasks are imported on first use, so that importing this package (for the defaults in
`nncli.tasks.defaults`) stays free of NumPy.
"""

import importlib

TASK_CLASSES = {
    "xor": "nncli.tasks.xor:XorTask",
    "linreg": "nncli.tasks.linreg:LinregTask",
    "digits": "nncli.tasks.digits:DigitsTask",
    "mnist": "nncli.tasks.mnist:MnistTask",
    "approx": "nncli.tasks.approx:ApproxTask",
    "circle": "nncli.tasks.circle:CircleTask",
    "gauss": "nncli.tasks.gauss:GaussTask",
    "spiral": "nncli.tasks.spiral:SpiralTask",
    "moons": "nncli.tasks.moons:MoonsTask",
    "csv": "nncli.tasks.table:CsvTask",
}


def get_task(name):
    """The Task object called `name` (KeyError if there is none)."""
    module_name, class_name = TASK_CLASSES[name].split(":")
    return getattr(importlib.import_module(module_name), class_name)()
