"""Export a trained model to where people go next: a PyTorch script, an ONNX graph, or
JSON for reading and porting the numbers.

Each format is one module with a `render(model, ...)` that turns an `Exported` — the layer
spec, the state dict and the metadata, including the model's preprocessing (the features
computed from raw inputs, the input scaling, the output unscaling) and what the outputs
mean — into the file's contents. Every format takes raw inputs, as `nncli predict` does.
`export_model` does the rest the same way for all three: it checks that the file can be
written before any work, loads and validates the model, and writes atomically (a temporary
file renamed into place), so an export never leaves a half-written file nor replaces one
without --force.
"""

import math
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nncli import DISTRIBUTION, text
from nncli.errors import ModelFileError, NncliError, OptionError
from nncli.layer_types import REGISTRY as LAYER_TYPES
from nncli.nn.layers import spec_widths
from nncli.settings import OPTIMIZERS
from nncli.tasks.base import preprocessing

FORMATS = ("pytorch", "onnx", "json")
SUFFIXES = {".py": "pytorch", ".onnx": "onnx", ".json": "json"}

# What a network's outputs mean, which decides how a prediction is read off them:
OUTPUT_KINDS = {
    "binary": "one score per row; the prediction is 1 where it is above 0.5",
    "classes": "one score (logit) per class; softmax gives the probabilities, the largest is the prediction",
    "value": "numbers in the targets' own units",
}
ONNX_MISSING = f'exporting to ONNX needs the onnx package: pip install "{DISTRIBUTION}[onnx]"'


@dataclass
class Exported:
    """Everything an exporter needs, whichever format it writes."""

    layers: list  # the layer spec, as in meta["layers"]
    state: dict  # state-dict key → ndarray
    meta: dict  # the model file's validated metadata
    output: str  # one of OUTPUT_KINDS
    loss: str  # "mse", "bce" or "cross_entropy": what training minimised

    @property
    def preprocessing(self):
        """How raw inputs reach the network and its outputs come back (tasks.base.Preprocessing)."""
        return preprocessing(self.meta)

    @property
    def scaling(self):
        """The input scaling (x_mean, x_std; y_mean, y_std for targets), or {} for none."""
        return self.preprocessing.scaling

    @property
    def features(self):
        """The recipes (see nncli.data.features) of the features computed from each raw point
        (x1, x2), by name in the order the network takes them; {} for a model fed raw inputs."""
        from nncli.data.features import FEATURES

        return {name: FEATURES[name] for name in self.preprocessing.features}

    @property
    def training(self):
        """How the network was trained (see `training_settings`)."""
        return training_settings(self.meta)

    @property
    def inputs(self):
        """Raw numbers per input row."""
        return self.preprocessing.width

    @property
    def network_inputs(self):
        return spec_widths(self.layers)[0]

    @property
    def outputs(self):
        return spec_widths(self.layers)[1]


def training_settings(meta):
    """The settings an export writes into code and text — optimizer, lr, batch_size,
    weight_decay, epochs, and whether the weights were built by hand — each checked, since
    a model file is untrusted: ValueError says which one is bad."""
    config = meta["config"]
    settings = {
        "optimizer": config.get("optimizer", "sgd"),
        "lr": config.get("lr", 0.01),
        "batch_size": config.get("batch_size"),
        "weight_decay": config.get("weight_decay", 0.0),
        "epochs": meta.get("epochs_run", config.get("epochs", 0)),
        "constructed": config.get("method") == "construct",
    }
    if settings["optimizer"] not in OPTIMIZERS:
        raise ValueError(f"config 'optimizer' must be one of {', '.join(OPTIMIZERS)}")
    for name, low in (("lr", 0.0), ("weight_decay", None)):
        value = settings[name]
        if not _is_number(value) or value < 0 or (low is not None and value <= low):
            raise ValueError(f"config {name!r} must be a finite number {'above' if low is not None else 'from'} 0")
    for name, optional in (("batch_size", True), ("epochs", False)):
        value = settings[name]
        if not (value is None and optional) and not (_is_int(value) and value >= (1 if optional else 0)):
            raise ValueError(f"{name!r} must be a whole number")
    return settings


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def inert(text):
    """Text from a model file (or a file name) made safe inside a generated docstring or
    comment: printable characters only, since a newline could end a comment, and every
    backslash and double quote escaped, so none can end the string."""
    text = "".join(character if character.isprintable() else "?" for character in str(text))
    return text.replace("\\", "\\\\").replace('"', '\\"')


def output_kind(task):
    if task.loss == "cross_entropy":
        return "classes"
    return "binary" if task.classifier else "value"


def notes(layers, where=""):
    """What a user should know about how some layers were exported."""
    said = []
    for index, entry in enumerate(layers):
        if entry["type"] == "step":
            said.append(
                f"layer {where}{index} (step) is exported as a Heaviside step, 1 where x > 0 else 0: "
                "it has no gradient, so training in PyTorch will not change the layers before it"
            )
        elif LAYER_TYPES[entry["type"]].block:
            said += notes(entry["layers"], f"{where}{index}.module.")
    return said


# --- writing files -----------------------------------------------------------------------


def check_destination(path, force=False):
    """The absolute path to write, or NncliError if it cannot be written: called before
    any work, so nothing is computed only to fail at the end."""
    path = Path(path).expanduser().absolute()
    if path.is_dir():
        raise NncliError(f"cannot write {path}: it is a folder")
    if path.exists() or path.is_symlink():
        if not path.is_file():
            raise NncliError(f"cannot write {path}: it exists and is not a regular file")
        if not force:
            raise NncliError(f"{path} already exists: use --force to replace it")
    folder = path.parent
    if not folder.is_dir():
        raise NncliError(f"cannot write {path}: its folder does not exist")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise NncliError(f"cannot write {path}: its folder is not writable ({exc.strerror or exc})") from None
    return path


def write_file(path, contents):
    """Write `contents` (bytes) to `path` atomically."""
    from nncli.store import write_atomically

    write_atomically(path, lambda f: f.write(contents), "write the export")


# --- the whole export --------------------------------------------------------------------


def export_model(model, fmt, file, embed=False, force=False):
    """Export MODEL (a path, a stored name, or None for the latest) as `fmt` into `file`.

    For "pytorch" without `embed`, the script reads its weights from the model file: the
    one it names if that lies beside it, else a copy written beside it as FILE.npz.
    Returns what was written: {"format", "file", "weights", "notes"}. FILE "-" writes
    nothing: the result's "contents" (bytes) are for stdout, a script's weights embedded.
    """
    from nncli import store

    to_stdout = str(file) == "-"
    if to_stdout and fmt == "pytorch" and not embed:
        raise OptionError("a PyTorch script on stdout has nowhere beside it for its weights: add --embed")
    bare = Path(file).name == str(file)  # no folder given: it would land where MODEL names are looked up
    if bare and not to_stdout and store.stored_model(str(file)) is not None:
        from nncli.text import inert as shown

        raise NncliError(
            f"{shown(file)} is a stored model's name: a file {shown(file)} here would be read in its place "
            f"wherever MODEL is asked for\nto export that model: nncli export {shown(file)} FILE; "
            f"to write the file anyway: ./{shown(file)}"
        )
    file = Path("-") if to_stdout else check_destination(file, force)
    if fmt == "onnx":
        _require_onnx()
    model_path = store.resolve_model(model).absolute()
    if file.exists() and file.samefile(model_path):  # --force would replace the model with its own export
        raise NncliError(f"{text.inert(file)} is the model being exported: give another FILE to write")
    weights = None
    if fmt == "pytorch" and not embed:
        weights = model_path if model_path.parent == file.parent else file.with_suffix(".npz")
        if weights != model_path:
            check_destination(weights, force)

    from nncli.session.runner import load_trained

    task, network, meta, _ = load_trained(model_path)
    try:
        training_settings(meta)
    except ValueError as error:
        raise ModelFileError(f"{model_path}: bad model metadata: {error}") from None
    exported = Exported(meta["layers"], network.state_dict(), meta, output_kind(task), task.loss)
    if fmt == "pytorch":
        from nncli.export import pytorch

        name = model_path.stem if to_stdout else file.stem
        contents = pytorch.render(exported, weights.name if weights else None, name).encode("utf-8")
    elif fmt == "onnx":
        from nncli.export import onnx

        contents = onnx.render(exported)
    else:
        from nncli.export import json

        contents = json.render(exported).encode("utf-8")
    done = {
        "format": fmt,
        "file": str(file),
        "weights": str(weights) if weights else None,
        "model": str(model_path),
        "notes": notes(exported.layers),
    }
    if to_stdout:
        return {**done, "contents": contents}
    if weights is not None and weights != model_path:
        write_file(weights, model_path.read_bytes())
    write_file(file, contents)
    return done


def _require_onnx():
    try:
        import onnx  # noqa: F401
    except ImportError:
        raise NncliError(ONNX_MISSING) from None


def literal(value, dtype):
    """A number as short text that reads back as exactly the same `dtype` value: float32
    numbers keep only the digits float32 needs ("0.1", not "0.10000000149011612")."""
    value = float(value)
    if dtype == "float32":
        import numpy as np

        short = str(np.float32(value))
        if float(np.float32(float(short))) == value:
            return short
    return repr(value)
