"""The packages, found rather than listed, so a new subpackage cannot be left out of the
wheel. Everything else is in pyproject.toml. nncli.datasets is the top-level datasets/
folder (beside its provenance), installed inside the package: discovery, which looks
only under nncli/, cannot see it, so it is added by name."""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["nncli", "nncli.*"]), "nncli.datasets"])
