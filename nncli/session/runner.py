"""Train a task end to end (data → network → loop → model file), and load one back.

The command line calls these; they emit events and return results, and never print.
"""

import os
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from nncli import __version__, store
from nncli.command import command_line
from nncli.config import RunConfig
from nncli.errors import DataError, DataNotKept, ModelFileError, NncliError, OptionError
from nncli.nn import layer_types, parameter_count
from nncli.nn.network import LOSSES, build_network
from nncli.store import snapshots
from nncli.tasks import get_task
from nncli.tasks.base import preprocessing
from nncli.train import TrainConfig, TrainResult, fit, health, start_event

HISTORY_POINTS = 200  # the loss history kept in a model file, evenly thinned
LAYER_STATS_POINTS = 50  # the layer_stats events kept in a model file, evenly thinned
MAX_PARAMETERS = 50_000_000  # refuse before allocating: 200 MB of float32 weights
MAX_SCALAR_PARAMETERS = 20_000  # one Python object per number and per step: beyond this, hours


@dataclass
class Outcome:
    network: object
    dataset: object
    result: TrainResult
    summary: dict


def prepare(task, config):
    """(dataset, network): the task's data and its network with its starting weights, as
    `config` asks — what training (and the learning-rate finder) start from."""
    dataset = task.load_data(config)
    spec = task.layer_spec(config, dataset)
    check_affordable(spec, config, dataset)
    batch_size = config.train_batch_size(len(dataset.X_train))
    if "batchnorm" in layer_types(spec) and (batch_size == 1 or len(dataset.X_train) % batch_size == 1):
        where = "every batch" if batch_size == 1 else "the last batch of each epoch"
        raise NncliError(
            f"with --batchnorm, {where} would hold 1 of the {len(dataset.X_train):,} training examples, "
            "and batch norm cannot normalise one example: choose another --batch-size"
        )
    loss = task.loss_for(config, dataset)
    if config.engine == "scalar" and loss == "cross_entropy":
        raise OptionError(
            f"the scalar engine trains MSE and BCE networks, and this one learns by {loss}: use --engine tensor"
        )
    return dataset, build_network(spec, loss, config.engine, config.dtype, config.seed, config.init)


def train_task(task, config, save_path, emit, force=False, latest=True, watch=None):
    """Train `task` with `config` (a RunConfig); save the model at `save_path` unless it is
    None — or unless the run learned nothing and a better model is there already, which
    only `force` replaces (as the store's most recent model unless `latest` is
    False). Emits start, epoch, layer_stats and summary events; the summary
    says if the run failed and, if the layer statistics show why, the verdict.

    `watch(network, dataset)`, if given, is called once both are built and returns the
    control object the training loop consults after every epoch (see `train.fit`): the
    live panel's pacing, keys and frames."""
    dataset, network = prepare(task, config)
    if save_path is not None:  # after the data loaded (bad data creates no store), before training
        store.check_writable(save_path)
    loop = TrainConfig(
        epochs=config.epochs,
        lr=config.lr,
        batch_size=config.train_batch_size(len(dataset.X_train)),
        optimizer=config.optimizer,
        weight_decay=config.weight_decay,
        seed=config.seed,
        log_every=config.train_log_every(),
        patience=config.patience,
        snapshot_epochs=frozenset(snapshots.planned_epochs(config.epochs, snapshots.how_many(weight_bytes(network)))),
        layer_stats=True,
    )
    emit(start_event(task.name, config.to_dict(), network))
    started = time.perf_counter()
    start_loss = network.evaluate_loss(dataset.X_train, dataset.y_train)
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
    if network.engine == "scalar":
        # The finished weights, measured and drawn by the tensor engine: the same float64
        # numbers, without one Python object per multiplication over a picture's grid.
        scalar = network
        network = build_network(scalar.spec(), scalar.loss_name, "tensor", "float64")
        network.load_state_dict(scalar.state_dict())
    final = final_metrics(task, network, dataset)
    chance = health.chance_accuracy(dataset.y_test) if task.classifier else None
    failure = health.failure(start_loss, final, chance)
    learned_well = failure is None and final["loss"] < 0.5 * start_loss
    verdict = health.verdict(result.layer_stats, config.lr, learned_well)
    model_path, kept = None, None
    if save_path is not None and all(np.isfinite(p).all() for p in network.state_dict().values()):
        # A run that learned nothing never replaces a better model without --force.
        kept = health.better_model_at(save_path, final, task.name) if failure and not force else None
        if kept is None:
            model_path = save_network(task, network, config, dataset, save_path, final, result, latest)
    summary = {
        "event": "summary",
        "task": task.name,
        "epochs": result.epochs_run,
        **final,
        "start_loss": start_loss,
        "model": model_path,
        "elapsed_s": round(time.perf_counter() - started, 4),
    }
    if failure:
        summary["failure"] = failure
    if verdict:
        summary["verdict"] = verdict
    if kept:
        summary["not_saved"] = {"path": str(save_path), "reason": kept}
    summary.update(saved_aside(save_path, model_path))
    if result.interrupted:
        summary["interrupted"] = True
    if result.stopped_by_user:
        summary["stopped_by_user"] = True
    if result.stopped_early:
        summary["stopped_early"] = True
        summary["best_epoch"] = result.best_epoch
    emit(summary)
    return Outcome(network, dataset, result, summary)


def check_affordable(spec, config, dataset):
    """Refuse, before any weight is allocated, a run that would exhaust memory or time, or
    save a model that would not load (the store's own rules: memory budget, finite scaling)."""
    count = parameter_count(spec)
    smaller = "fewer --conv channels or smaller --hidden sizes" if config.conv else "smaller --hidden sizes"
    if count > MAX_PARAMETERS:
        raise OptionError(
            f"that network would have {count:,} parameters, more than the {MAX_PARAMETERS:,} nncli allows: "
            f"choose {smaller}"
        )
    if config.engine == "scalar" and count > MAX_SCALAR_PARAMETERS:
        raise OptionError(
            f"that network has {count:,} parameters; the scalar engine handles at most {MAX_SCALAR_PARAMETERS:,} "
            "(one Python object per number): use --engine tensor"
        )
    try:
        store.check_memory(spec, store.working_rows({"config": config.to_dict()}))
    except ValueError as error:
        raise OptionError(f"{error}: choose {smaller} or fewer examples") from None
    try:
        store.check_scaling(dataset.input_scaling, spec)
    except ValueError as error:
        raise DataError(f"cannot learn from {dataset.source}: {error}") from None


def saved_aside(save_path, model_path):
    """{"saved_aside": the path asked for} when the model went to a sibling file because
    that one could not be replaced (in use: see store.write_atomically); else {}."""
    if model_path is None or Path(model_path) == Path(os.path.realpath(store.user_path(save_path))):
        return {}
    return {"saved_aside": str(save_path)}


def save_network(task, network, config, dataset, save_path, metrics, result, latest=True, command=None):
    """Save `network` with the metadata every model carries (and any the task adds through
    an `extra_meta(config, dataset)` method); returns the path written, as a string.
    `latest=False` leaves the store's most recent model as it was; `command` is what made
    it, where that was not `nncli train` with the config's settings."""
    meta = {
        "task": task.name,
        "layers": network.spec(),
        "dtype": str(network.dtype),
        "seed": config.seed,
        # A file nncli read is never named as a path to open: the model keeps its rows (`kept`).
        "config": {key: value for key, value in config.to_dict().items() if key != "data"},
        "command": command or command_line(task.name, shown_settings(config)),
        "input_scaling": dataset.input_scaling,
        "metrics": metrics,
        "history": {name: _thin(values) for name, values in result.history.items()},
        "layer_stats": [
            {"epoch": e["epoch"], "layers": e["layers"]} for e in _thin(result.layer_stats, LAYER_STATS_POINTS)
        ],
        "data": dataset.source,
        "epochs_run": result.epochs_run,
        "loss": network.loss_name,
        "kept": sorted(dataset.kept or {}),  # the "__" arrays the file keeps beside its weights
    }
    meta.update(task.extra_meta(config, dataset))

    def as_saved(state):  # every array in the model's dtype, batch norm's count of batches too
        return {k: v.astype(network.dtype) for k, v in state.items()}

    state = as_saved(network.state_dict())
    final_epoch = result.best_epoch if result.stopped_early and result.best_epoch else result.epochs_run
    taken = [(epoch, as_saved(frame)) for epoch, frame in result.snapshots]
    frames = snapshots.kept(taken, final_epoch, state) if result.snapshots else None
    return str(store.save_model(save_path, state, meta, frames, dataset.kept, latest=latest))


def shown_settings(config):
    """The run's settings for the recorded command, a data file by its name alone."""
    settings = config.to_dict()
    if settings.get("data"):
        settings["data"] = Path(settings["data"]).name
    return settings


def weight_bytes(network):
    return sum(v.nbytes for v in network.state_dict().values())


def final_metrics(task, network, dataset):
    """The finished model's training loss, held-out loss and task metrics (one forward
    pass over each part of the data, however many figures are read off it)."""
    with network.remembering_outputs():
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
    _check_task_meta(path, meta, task.loss)
    task.restore(meta)
    network = build_network(meta["layers"], meta.get("loss", task.loss), "tensor", meta["dtype"])
    network.load_state_dict(state)
    return task, network, meta, path


def run_config(meta):
    """The RunConfig a loaded model was trained with."""
    return RunConfig.from_dict(meta["config"])


def _check_task_meta(path, meta, task_loss):
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
    if meta.get("loss", task_loss) not in LOSSES:
        raise bad(f"'loss' must be one of {', '.join(LOSSES)}")
    try:
        config = RunConfig.from_dict(meta["config"])
        preprocessing(meta)
    except ValueError as error:
        raise bad(str(error)) from None
    return config


def trained_on_a_file(model_path, data_option, reason="it was trained on a file, which nncli does not reopen"):
    """The refusal for a model of data read from a file that its model file does not keep,
    with advice that names --data only to a command that has it (`data_option`)."""
    advice = (
        "give --data FILE (the model's data, or new data)"
        if data_option
        else "train it again: a model trained now keeps the data it learned from"
    )
    return ModelFileError(f"{model_path}: {reason};\n{advice}")


def _thin(values, points=HISTORY_POINTS):
    """At most `points` values, evenly spaced, always keeping the first and the last."""
    if len(values) <= points:
        return list(values)
    keep = np.linspace(0, len(values) - 1, points).round().astype(int)
    return [values[i] for i in keep]


PATH_SETTINGS = ("data", "data_dir")  # what a run read from disk: never reopened on a model file's word


def rebuild_data(task, config, model_path="the model", data_option=False):
    """The dataset a model was trained on: from the arrays its file keeps, if its task keeps
    them (data read from a file), else rebuilt from its configuration alone.

    A model file never names a file nncli opens — a shared one could name /dev/zero, a
    FIFO or a private file — so a model trained on a file that does not keep its data is
    refused here (`data_option`: the command takes --data FILE instead, as evaluate does),
    and MNIST is read from the model store's own folder.
    """
    try:
        stored = task.stored_data(model_path)
    except DataNotKept as error:
        raise trained_on_a_file(model_path, data_option, str(error)) from None
    if stored is not None:
        return stored
    if config.data:
        raise trained_on_a_file(model_path, data_option)
    try:
        return task.load_data(replace(config, data=None, data_dir=None))
    except DataError:
        if not config.data_dir:
            raise
        raise ModelFileError(
            f"{model_path}: it was trained on files in a folder, which nncli does not reopen from a model file;\n"
            f"it reads them from the model store: copy them into {store.model_home() / task.name}, "
            f"or fetch them with `nncli train {task.name} --download`"
        ) from None
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(
            f"{model_path}: its training settings cannot rebuild the task's data ({error!r})"
        ) from None


def evaluate_model(task, network, meta, data_path=None, model_path="the model", drop_missing=False):
    """(metrics, source, examples) of a trained model on its task's held-out data, or on a
    CSV file of raw inputs followed by targets (`drop_missing`: leaving out rows with a
    missing value)."""
    if data_path is not None:
        X, y = task.labelled_file(data_path, meta, drop_missing)
        source = str(data_path)
    else:
        dataset = rebuild_data(task, run_config(meta), model_path, data_option=True)
        X, y = dataset.X_test, dataset.y_test
        source = dataset.held_out or f"the held-out part of {dataset.source}"
    metrics = {"loss": network.evaluate_loss(X, y), **task.metrics(network, X, y), **task.report(network, X, y)}
    return metrics, source, len(X)
