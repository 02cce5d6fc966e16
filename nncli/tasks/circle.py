"""Circle: a disc of one class inside a ring of the other — TensorFlow Playground's first
data set.

No straight line separates them, so one neuron on x₁, x₂ cannot; a few hidden neurons
can, each drawing a line, their sum bending round the disc. Or change the inputs: on
x₁² and x₂² the disc is everything below one straight line (x₁² + x₂² < r²), and a single
neuron solves it — `nncli train circle --hidden 0 --features x1^2,x2^2`.
"""

from nncli.data import points
from nncli.tasks.points import PointsTask


class CircleTask(PointsTask):
    make = staticmethod(points.circle)
