"""Reports as tables: any task's metrics, and a network's answers to the inputs it was given."""

from dataclasses import dataclass

from nncli.views import Numbers


@dataclass
class Metrics(Numbers):
    title: str | None
    values: dict


@dataclass
class Answers(Numbers):
    rows: list  # [{"input", "output"[, "prediction"]}]


def summary(network, dataset, config, history):
    """A finished run's summary, as a table (for tasks with no picture of their own)."""
    return Metrics("what the network learned", {k: v for k, v in history.metrics.items() if k != "event"})


def metrics(report):
    return Metrics(None, report)


def answers(rows):
    return Answers(rows)
