"""Two moons: interleaving half circles — scikit-learn's make_moons, the data of
micrograd's demo.

Each moon reaches into the other's hollow, so the boundary must curve twice. micrograd's
demo trains a 2-16-16-1 ReLU network on 100 of these points (noise 0.1) to 100 % training
accuracy; see docs/data.md for the command that does it here, on the scalar engine too.
"""

from nncli.data import points
from nncli.tasks.points import PointsTask


class MoonsTask(PointsTask):
    make = staticmethod(points.moons)
