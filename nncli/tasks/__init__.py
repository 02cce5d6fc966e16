"""One module per task: its data, default model, loss and metrics; the catalog
(nncli.tasks.catalog) says which tasks there are and what their commands take.

Tasks are imported on first use, so that importing this package (for the catalog) stays
free of NumPy.
"""

import importlib

from nncli.tasks.catalog import TASKS


def get_task(name):
    """The Task object called `name` (KeyError if there is none)."""
    module_name, class_name = TASKS[name].task.split(":")
    task = getattr(importlib.import_module(module_name), class_name)()
    task.name = name  # a task's name is declared once: in its catalog entry
    return task
