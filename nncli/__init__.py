"""nncli: see how neural networks learn, on a handwritten autograd engine.

Importing the package is cheap on purpose: `nncli --help` must start instantly, so
NumPy and Rich are imported only by the modules that need them.
"""

__version__ = "0.1.0"
# Its name on the package index, for every install hint: "nncli" there is an unrelated
# notes client. The command and the import name are nncli.
DISTRIBUTION = "nncli-learn"
