"""Gauss: two round clouds of points, one per class — TensorFlow Playground's easiest set.

A straight line separates them, so a single neuron is enough (`--hidden 0`: logistic
regression); more noise (`--noise`) makes the clouds overlap, and then no network can be
right about every point — the held-out accuracy shows how well it can do.
"""

from nncli.data import points
from nncli.tasks.points import PointsTask


class GaussTask(PointsTask):
    make = staticmethod(points.gauss)
