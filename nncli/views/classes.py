"""The class map of a 2-D classifier with K classes: over the input plane, which class the
network predicts and how sure it is, with the training and held-out points on top.

The plane is in the points' own coordinates; each grid point goes through the task's own
encoding (features, scaling) before the network sees it, exactly as a point to predict
would.
"""

from dataclasses import dataclass

import numpy as np

from nncli.views import Numbers
from nncli.views.plane import marked_points, plane_data, plane_grid

PIXELS = 32  # grid points across the plane


@dataclass
class ClassMap(Numbers):
    """`predicted[i][j]` is the class the network picks at (x₁, x₂) = (x[j], y[i]) — y
    runs from the top row down, like a picture — and `confidence[i][j]` the probability it
    gives that class (1/K is a pure guess, 1 certainty). `points` are the data as
    [x₁, x₂, class, held_out] (held_out 1 for a point the network never learned from)."""

    x: list
    y: list
    predicted: list
    confidence: list
    classes: int
    points: list


def class_map(network, dataset, config, history, size=None, frame=None):
    """The classes over the plane on a `size` × `size` grid (default PIXELS), framing the
    points or those of `frame` (see plane.boundary)."""
    P_train, y_train, P_test, y_test, encode = plane_data(dataset)
    xs, ys, grid = plane_grid(P_train, P_test, size or PIXELS, frame)
    outputs = network.predict(encode(grid))
    if outputs.shape[1] == 1:  # one sigmoid output: the probability of class 1
        probabilities = np.column_stack([1.0 - outputs[:, 0], outputs[:, 0]])
    else:
        shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
        probabilities = shifted / shifted.sum(axis=1, keepdims=True)
    shape = (len(ys), len(xs))
    return ClassMap(
        xs.tolist(),
        ys.tolist(),
        probabilities.argmax(axis=1).reshape(shape).tolist(),
        probabilities.max(axis=1).reshape(shape).tolist(),
        probabilities.shape[1],
        marked_points(P_train, y_train, P_test, y_test),
    )


@dataclass
class ClassAnswers(Numbers):
    """A classifier's answers: per row its input, the predicted class (a number, or a name),
    how sure it is, and the probability of class 1 (two classes) or of each class."""

    rows: list


def answers(rows):
    return ClassAnswers(rows)
