"""nncli: see how neural networks learn, on a handwritten autograd engine.

Importing the package is cheap on purpose: `nncli --help` must start instantly, so
NumPy and Rich are imported only by the modules that need them.
"""

__version__ = "0.1.0"
