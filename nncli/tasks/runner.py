"""Train a task end to end (data → network → loop → model file), and load one back.

The command line calls these; they emit events and return results, and never print.
"""

import time
from dataclasses import dataclass

import numpy as np

from nncli import __version__, store
from nncli.errors import DataError, ModelFileError, OptionError
from nncli.network import build_network
from nncli.tasks import get_task
from nncli.train import TrainConfig, TrainResult, fit, start_event

HISTORY_POINTS = 200  # the loss history kept in a model file, evenly thinned
MAX_PARAMETERS = 50_000_000  # refuse before allocating: 200 MB of float32 weights
MAX_SCALAR_PARAMETERS = 20_000  # one Python object per number and per step: beyond this, hours


@dataclass
class Outcome:
    network: object
    dataset: object
    result: TrainResult
    summary: dict


def parameter_count(spec):
    return sum(e["out"] * e["in"] + (e["out"] if e.get("bias", True) else 0) for e in spec if e["type"] == "linear")


def train_task(task, options, save_path, emit):
    """Train `task` with `options` (a dict of the command's settings); save the model at
    `save_path` unless it is None. Emits start, epoch and summary events."""
    dataset = task.load_data(options)
    spec = task.layer_spec(options, dataset)
    check_affordable(spec, options, dataset)
    if save_path is not None:
        store.check_writable(save_path)
    network = build_network(spec, task.loss, options["engine"], options["dtype"], options["seed"], options["init"])
    config = TrainConfig(
        epochs=options["epochs"],
        lr=options["lr"],
        batch_size=options["batch_size"] or len(dataset.X_train),
        optimizer=options["optimizer"],
        weight_decay=options.get("weight_decay", 0.0),
        seed=options["seed"],
        log_every=options["log_every"] or max(1, options["epochs"] // 100),
        patience=options.get("patience", 0),
    )
    emit(start_event(task.name, _plain_options(options), network))
    started = time.perf_counter()
    result = fit(
        network,
        dataset.X_train,
        dataset.y_train,
        config,
        emit,
        metrics=lambda net: task.epoch_metrics(net, dataset),
        validation=dataset.validation,
    )
    final = final_metrics(task, network, dataset)
    model_path = None
    if save_path is not None and all(np.isfinite(p).all() for p in network.state_dict().values()):
        model_path = save_network(task, network, options, dataset, save_path, final, result)
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
    if result.stopped_early:
        summary["stopped_early"] = True
        summary["best_epoch"] = result.best_epoch
    emit(summary)
    return Outcome(network, dataset, result, summary)


def check_affordable(spec, options, dataset):
    """Refuse, before any weight is allocated, a run that would exhaust memory or time, or
    save a model that would not load (the store's own rules: memory budget, finite scaling)."""
    count = parameter_count(spec)
    if count > MAX_PARAMETERS:
        raise OptionError(
            f"that network would have {count:,} parameters, more than the {MAX_PARAMETERS:,} nncli allows: "
            "choose smaller --hidden sizes"
        )
    if options.get("engine") == "scalar" and count > MAX_SCALAR_PARAMETERS:
        raise OptionError(
            f"that network has {count:,} parameters; the scalar engine handles at most {MAX_SCALAR_PARAMETERS:,} "
            "(one Python object per number): use --engine tensor"
        )
    try:
        store.check_memory(spec, store.working_rows({"config": options}))
    except ValueError as error:
        raise OptionError(f"{error}: choose smaller --hidden sizes or fewer examples") from None
    try:
        store.check_scaling(dataset.input_scaling, spec)
    except ValueError as error:
        raise DataError(f"cannot learn from {dataset.source}: {error}") from None


def save_network(task, network, options, dataset, save_path, metrics, result):
    """Save `network` with the metadata every model carries (and any the task adds through
    an `extra_meta(options, dataset)` method); returns the path written, as a string."""
    meta = {
        "task": task.name,
        "layers": network.spec(),
        "dtype": str(network.dtype),
        "seed": options["seed"],
        "config": _plain_options(options),
        "input_scaling": dataset.input_scaling,
        "metrics": metrics,
        "history": {name: _thin(values) for name, values in result.history.items()},
        "data": dataset.source,
        "epochs_run": result.epochs_run,
    }
    meta.update(task.extra_meta(options, dataset))
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
    for the most recent model."""
    path = store.resolve_model(model)
    state, meta = store.load_model(path)
    try:
        task = get_task(meta["task"])
    except KeyError:
        raise ModelFileError(
            f"{path}: a model for task {meta['task']!r}, which nncli {__version__} does not know"
        ) from None
    network = build_network(meta["layers"], task.loss, "tensor", meta["dtype"])
    network.load_state_dict(state)
    return task, network, meta, path


def _plain_options(options):
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in options.items()}


def _thin(values, points=HISTORY_POINTS):
    """At most `points` values, evenly spaced, always keeping the first and the last."""
    if len(values) <= points:
        return list(values)
    keep = np.linspace(0, len(values) - 1, points).round().astype(int)
    return [values[i] for i in keep]


PATH_SETTINGS = ("data", "data_dir")  # what a run read from disk: never reopened on a model file's word


def rebuild_data(task, meta, model_path="the model"):
    """The task's data as the model's run made them, from its settings alone.

    A model file never names a file nncli opens — a shared one could name /dev/zero, a
    FIFO or a private file — so a model trained on a file is refused here (evaluate it
    with --data FILE), and MNIST is read from the model store's own folder.
    """
    config = meta["config"]
    if config.get("data"):
        raise ModelFileError(
            f"{model_path}: it was trained on a file, which nncli does not reopen from a model file;\n"
            "give --data FILE (the model's data, or new data)"
        )
    settings = {key: value for key, value in config.items() if key not in PATH_SETTINGS}
    try:
        return task.load_data({**settings, "seed": meta["seed"]})
    except DataError:
        if not config.get("data_dir"):
            raise
        raise ModelFileError(
            f"{model_path}: it was trained on files in a folder, which nncli does not reopen from a model file;\n"
            f"it reads them from the model store: copy them into {store.model_home() / task.name}, or use --download"
        ) from None
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
        dataset = rebuild_data(task, meta, model_path)
        X, y, source = dataset.X_test, dataset.y_test, f"held-out data of {dataset.source}"
    metrics = {"loss": network.evaluate_loss(X, y), **task.metrics(network, X, y), **task.report(network, X, y)}
    return metrics, source, len(X)
