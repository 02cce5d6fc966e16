"""Spiral: K arms winding out from the centre, one class each — two arms are TensorFlow
Playground's hardest set, three the classic of Stanford's CS231n notes.

Points of one class lie on both sides of every other arm, so the boundary must wind with
them: a network needs enough hidden neurons to draw the curls. K classes get K outputs and
the softmax; with no hidden layer (`--hidden 0`, softmax regression) the plane is cut
into K wedges by straight lines, and most of every arm is lost.
"""

from nncli.data import points
from nncli.tasks.points import PointsTask


class SpiralTask(PointsTask):
    loss = "cross_entropy"
    views = {
        "boundary": "classes.class_map",
        "neurons": "plane.neurons",
        "hidden": "hidden.space",
        "loss": "loss.history",
        "health": "health.layers",
    }
    result = ("classes.class_map", "tables.summary")

    def classes(self, config):
        return config.classes

    def generate(self, config):
        return points.spiral(config.points, config.noise, config.seed, config.classes)
