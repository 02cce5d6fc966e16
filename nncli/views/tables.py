"""Reports as tables: any task's metrics, a network's answers to the inputs it was given,
a model's layers, and the engine's gradient checks."""

from dataclasses import dataclass

from nncli.layer_types import REGISTRY as LAYER_TYPES
from nncli.nn.layers import output_shapes, parameter_count
from nncli.views import Numbers


@dataclass
class Metrics(Numbers):
    title: str | None
    values: dict


@dataclass
class Answers(Numbers):
    rows: list  # [{"input", "output"[, "prediction"]}]


@dataclass
class ModelSummary(Numbers):
    title: str
    rows: list  # per layer: {"key" (its state-dict prefix), "layer", "shape" (without the batch), "parameters"}
    total: int


@dataclass
class GradCheck(Numbers):
    rows: list  # per case: {"case", "engine", "max_abs_error", "max_rel_error", "passed"}


def summary(network, dataset, config, history):
    """A finished run's summary, as a table (for tasks with no picture of their own)."""
    return Metrics("what the network learned", {k: v for k, v in history.metrics.items() if k != "event"})


def metrics(report):
    return Metrics(None, report)


def answers(rows):
    return Answers(rows)


def model_summary(title, layers):
    """The ModelSummary of a network of `layers` (its spec)."""
    rows = []
    for index, (layer, shape) in enumerate(zip(layers, output_shapes(layers))):
        name = LAYER_TYPES[layer["type"]].title_of(layer)
        shape = list(shape) if isinstance(shape, tuple) else [shape]
        rows.append({"key": str(index), "layer": name, "shape": shape, "parameters": parameter_count([layer])})
    return ModelSummary(title, rows, sum(row["parameters"] for row in rows))
