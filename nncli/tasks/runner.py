"""Train a task end to end (data → network → loop → model file), and load one back.

The command line calls these; they emit events and return results, and never print.
"""

import time
from dataclasses import dataclass

import numpy as np

from nncli import __version__, store
from nncli.config import RunConfig
from nncli.errors import ModelFileError, NncliError
from nncli.network import build_network
from nncli.tasks import get_task
from nncli.train import TrainConfig, TrainResult, fit, start_event

HISTORY_POINTS = 200  # the loss history kept in a model file, evenly thinned
MAX_PARAMETERS = 50_000_000  # refuse before allocating: 200 MB of float32 weights


@dataclass
class Outcome:
    network: object
    dataset: object
    result: TrainResult
    summary: dict


def parameter_count(spec):
    return sum(e["out"] * e["in"] + (e["out"] if e.get("bias", True) else 0) for e in spec if e["type"] == "linear")


def train_task(task, config, save_path, emit, watch=None):
    """Train `task` with `config` (a RunConfig); save the model at
    `save_path` unless it is None. Emits start, epoch and summary events.

    `watch(network, dataset)`, if given, is called once both are built and returns the
    control object the training loop consults after every epoch (see `train.fit`): the
    live panel's pacing, keys and frames."""
    dataset = task.load_data(config)
    spec = task.layer_spec(config, dataset)
    if parameter_count(spec) > MAX_PARAMETERS:
        raise NncliError(
            f"that network would have {parameter_count(spec):,} parameters, more than the "
            f"{MAX_PARAMETERS:,} nncli allows: choose smaller --hidden sizes"
        )
    if save_path is not None:
        store.check_writable(save_path)
    network = build_network(spec, task.loss, config.engine, config.dtype, config.seed, config.init)
    loop = TrainConfig(
        epochs=config.epochs,
        lr=config.lr,
        batch_size=config.train_batch_size(len(dataset.X_train)),
        optimizer=config.optimizer,
        weight_decay=config.weight_decay,
        seed=config.seed,
        log_every=config.train_log_every(),
        patience=config.patience,
    )
    emit(start_event(task.name, config.to_dict(), network))
    started = time.perf_counter()
    result = fit(
        network,
        dataset.X_train,
        dataset.y_train,
        loop,
        emit,
        metrics=lambda net: task.epoch_metrics(net, dataset),
        validation=dataset.validation,
        control=None if watch is None else watch(network, dataset),
    )
    final = final_metrics(task, network, dataset)
    model_path = None
    if save_path is not None and all(np.isfinite(p).all() for p in network.state_dict().values()):
        model_path = save_network(task, network, config, dataset, save_path, final, result)
    summary = {
        "event": "summary",
        "task": task.name,
        "epochs": result.epochs_run,
        **final,
        "model": model_path,
        "elapsed_s": round(time.perf_counter() - started, 4),
    }
    if result.interrupted:
        summary["interrupted"] = True
    if result.stopped_by_user:
        summary["stopped_by_user"] = True
    if result.stopped_early:
        summary["stopped_early"] = True
        summary["best_epoch"] = result.best_epoch
    emit(summary)
    return Outcome(network, dataset, result, summary)


def save_network(task, network, config, dataset, save_path, metrics, result):
    """Save `network` with the metadata every model carries (and any the task adds through
    an `extra_meta(config, dataset)` method); returns the path written, as a string."""
    meta = {
        "task": task.name,
        "layers": network.spec(),
        "dtype": str(network.dtype),
        "seed": config.seed,
        "config": config.to_dict(),
        "input_scaling": dataset.input_scaling,
        "metrics": metrics,
        "history": {name: _thin(values) for name, values in result.history.items()},
        "data": dataset.source,
        "epochs_run": result.epochs_run,
    }
    meta.update(task.extra_meta(config, dataset))
    state = {k: v.astype(network.dtype) for k, v in network.state_dict().items()}
    return str(store.save_model(save_path, state, meta))


def final_metrics(task, network, dataset):
    """The finished model's training loss, held-out loss and task metrics."""
    metrics = {"loss": network.evaluate_loss(dataset.X_train, dataset.y_train)}
    if dataset.X_test is not dataset.X_train:
        metrics["test_loss"] = network.evaluate_loss(dataset.X_test, dataset.y_test)
    metrics.update(task.metrics(network, dataset.X_test, dataset.y_test))
    metrics.update(task.summary(network, dataset))
    return metrics


def load_trained(model):
    """(task, network, meta, path) for a MODEL argument: a path, a stored name, or None
    for the most recent model. Its training settings are checked here: `meta["config"]`
    is then a plain dict that RunConfig.from_dict accepts (see `run_config`)."""
    path = store.resolve_model(model)
    state, meta = store.load_model(path)
    try:
        task = get_task(meta["task"])
    except KeyError:
        raise ModelFileError(
            f"{path}: a model for task {meta['task']!r}, which nncli {__version__} does not know"
        ) from None
    _check_task_meta(path, meta)
    network = build_network(meta["layers"], task.loss, "tensor", meta["dtype"])
    network.load_state_dict(state)
    return task, network, meta, path


def run_config(meta):
    """The RunConfig a loaded model was trained with."""
    return RunConfig.from_dict(meta["config"])


def _check_task_meta(path, meta):
    """Refuse metadata a task would trip over: store.load_model checks the format and the
    weights; this checks the numbers a task reads back — the input scaling, and every
    training setting (RunConfig.from_dict: types, ranges, and sizes, so that a shared file
    cannot make `evaluate` allocate 1 TB)."""

    def bad(reason):
        return ModelFileError(f"{path}: bad model metadata: {reason}")

    scaling = meta["input_scaling"]
    for key, values in (scaling or {}).items():
        values = values if isinstance(values, list) else [values]
        if not values or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v) for v in values
        ):
            raise bad(f"input_scaling {key!r} must hold finite numbers")
        if key.endswith("_std") and any(v == 0 for v in values):
            raise bad(f"input_scaling {key!r} must not be zero")
    try:
        return RunConfig.from_dict(meta["config"])
    except ValueError as error:
        raise bad(str(error)) from None


def _thin(values, points=HISTORY_POINTS):
    """At most `points` values, evenly spaced, always keeping the first and the last."""
    if len(values) <= points:
        return list(values)
    keep = np.linspace(0, len(values) - 1, points).round().astype(int)
    return [values[i] for i in keep]


def rebuild_data(task, config, model_path="the model"):
    """The dataset a model was trained on, rebuilt from its configuration."""
    try:
        return task.load_data(config)
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(
            f"{model_path}: its training settings cannot rebuild the task's data ({error!r})"
        ) from None


def evaluate_model(task, network, meta, data_path=None, model_path="the model"):
    """(metrics, source, examples) of a trained model on its task's held-out data, or on a
    CSV file of inputs followed by targets."""
    if data_path is not None:
        X, y = task.labelled_file(data_path, meta)
        source = str(data_path)
    else:
        dataset = rebuild_data(task, run_config(meta), model_path)
        X, y, source = dataset.X_test, dataset.y_test, f"held-out data of {dataset.source}"
    metrics = {"loss": network.evaluate_loss(X, y), **task.metrics(network, X, y), **task.report(network, X, y)}
    return metrics, source, len(X)
