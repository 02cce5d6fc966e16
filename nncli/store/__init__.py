"""Model files: save atomically, load safely, and find them in the model store.

A model is one `.npz` archive: the state-dict arrays under PyTorch-style keys ("0.weight",
"0.bias", "2.weight", ...) plus an entry `__meta__` holding UTF-8 JSON bytes (a uint8
array). The metadata describes the architecture as a list of layer specs mirroring the
nn.Sequential, e.g.

    [{"type": "linear", "in": 2, "out": 4, "bias": true}, {"type": "sigmoid"},
     {"type": "linear", "in": 4, "out": 1, "bias": true}, {"type": "sigmoid"}]

and a linear layer at index i owns "{i}.weight" shaped (out, in) and "{i}.bias" shaped
(out,). Other fields: format, format_version, nncli_version, task, dtype, seed, config,
input_scaling, metrics, history, and any extras a task adds.

Loading treats the file as hostile until proven otherwise: every header is checked (no
pickled objects, no absurd sizes) before a single array is read, and the metadata, keys,
shapes, dtypes and values are validated before anything is returned. A file can carry
numbers, never code.
"""

from __future__ import annotations

import errno
import glob
import itertools
import json
import math
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from nncli import __version__
from nncli.errors import ModelFileError, NncliError, OptionError
from nncli.layer_types import LAYER_TYPES, every_layer, is_int, is_number
from nncli.layer_types import REGISTRY as LAYERS
from nncli.settings import DTYPES, MAX_SEED, MAX_SIZE, MAX_TEXT
from nncli.store import snapshots as snapshot_arrays

FORMAT_NAME = "nncli-model"
FORMAT_VERSION = 1

META_KEY = "__meta__"
EXTRA_PREFIX = "__"  # arrays that are not weights: the metadata, and what a task keeps (see save_model)
MAX_NESTING = 8  # residual blocks inside residual blocks: far more than any network needs

MAX_ELEMENTS = 60_000_000  # per file: above any model nncli trains (50M parameters), far below a zip bomb
MAX_META_BYTES = 16_000_000
MAX_ENTRIES = 10_000
MAX_LAYERS = 1_000
MAX_DEPTH = 12  # nesting of the metadata: nncli writes at most 4 levels
MAX_KEY = 64  # characters in one metadata key
MAX_ITEMS = 100_000  # values in one metadata list (a loss history keeps 200)
MAX_HISTORY_VALUES = 100_000
MAX_INTEGER = 2**63  # no setting is larger; a 400-digit one would overflow a float

# The memory a command may use on a model: its weights (held as float64 at worst, with a
# copy while loading) plus the activations of `rows` examples through every layer at once.
MEMORY_BUDGET = 4 * 1024**3
WORKING_ROWS = 10_000  # rows a command pushes through a network at once: MNIST's test set
SIZE_SETTINGS = ("points", "samples", "limit")  # settings that size the data a command rebuilds

STALE_TEMPORARY_S = 3600  # a temporary file this old is a leftover of a killed writer

LATEST_POINTER = "latest"
LATEST_BYTES = 65_536  # the pointer holds one path


# --- layer specs -------------------------------------------------------------------------


def check_layers(layers: Any) -> None:
    """Raise ValueError saying what is wrong with a layer list, if anything is."""
    if not isinstance(layers, list) or not layers:
        raise ValueError("the layer list is missing or empty")
    if _count_layers(layers) > MAX_LAYERS:
        raise ValueError(f"more layers than nncli builds ({MAX_LAYERS:,})")
    _walk_network(layers)


def _walk_network(layers: list) -> tuple[Any, list[tuple[dict, Any, Any]]]:
    """Check a network's layers: (what its last layer gives, every layer as (entry, what
    it takes, what it gives), those inside blocks included). ValueError if one is wrong."""
    walked: list[tuple[dict, Any, Any]] = []
    gives = _walk(layers, None, "", 0, walked)
    if not any(LAYERS[entry["type"]].dense for entry, _, _ in walked):
        raise ValueError("the layer list has no linear layer")
    return gives, walked


def _walk(layers: list, takes: Any, where: str, depth: int, walked: list) -> Any:
    """Check the layers of a network or of a block, whose input is `takes` (None: not
    known yet, a width for rows, (channels, height, width) for images), each by its type's
    record; return what the last one gives. Each is added to `walked` once checked."""
    for i, entry in enumerate(layers):
        name = f"{where}{i}"
        if not isinstance(entry, dict) or entry.get("type") not in LAYER_TYPES:
            kind = entry.get("type") if isinstance(entry, dict) else entry
            raise ValueError(f"layer {name}: unknown type {_short(kind)}")
        layer = LAYERS[entry["type"]]
        if layer.block and depth >= MAX_NESTING:
            raise ValueError(f"layer {name} ({layer.name}): blocks nested more than {MAX_NESTING} deep")

        def walk_inside(inner: list, width: Any, name: str = name) -> Any:
            return _walk(inner, width, f"{name}.", depth + 1, walked)

        gives = layer.check(entry, takes, f"layer {name} ({layer.name})", walk_inside)
        walked.append((entry, takes, gives))
        takes = gives
    return takes


def state_shapes(layers: list[dict], prefix: str = "") -> dict[str, tuple[int, ...]]:
    """The state-dict keys a (checked) layer list owns, with their shapes, in order."""
    shapes: dict[str, tuple[int, ...]] = {}
    for i, spec in enumerate(layers):
        key = f"{prefix}{i}"
        layer = LAYERS[spec["type"]]
        shapes.update({f"{key}.{name}": shape for name, shape in layer.arrays(spec).items()})
        if layer.block:
            shapes.update(state_shapes(spec["layers"], f"{key}.module."))
    return shapes


def check_state_values(state: dict[str, np.ndarray]) -> None:
    """Raise ValueError for numbers no trained layer could hold: a negative running
    variance, or a count of batches that is not a whole number ≥ 0."""
    for key, array in state.items():
        if key.endswith(".running_var") and (array < 0).any():
            raise ValueError(f"array {key!r} holds a negative variance")
        if key.endswith(".num_batches_tracked") and not (array >= 0 and array == np.floor(array)):
            raise ValueError(f"array {key!r} is not a count of batches")


def _short(x: Any) -> str:
    """A value from a file, for an error message: its repr, cut short."""
    text = repr(x)
    return text if len(text) <= 40 else text[:39] + "…"


NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
SCALING_KEYS = ("x_mean", "x_std", "y_mean", "y_std")


def check_plain(meta: Any) -> None:
    """The shape every metadata value must have, whatever its field: nested at most
    MAX_DEPTH deep, keys and strings of bounded length, lists of bounded size.

    Walks without recursion, so a hostile file nested a million deep is just refused.
    """
    pending = [(meta, 1, None)]  # (value, depth, the key it is under)
    while pending:
        value, depth, key_name = pending.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, dict):
            for key, item in value.items():
                if len(key) > MAX_KEY:
                    raise ValueError(f"a key of {len(key):,} characters (at most {MAX_KEY})")
                pending.append((item, depth + 1, key))
        elif isinstance(value, list):
            if len(value) > MAX_ITEMS:
                raise ValueError(f"a list of {len(value):,} values (at most {MAX_ITEMS:,})")
            pending.extend((item, depth + 1, key_name) for item in value)
        elif isinstance(value, str):
            if len(value) > MAX_TEXT:
                raise ValueError(f"a string of {len(value):,} characters (at most {MAX_TEXT:,})")
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER:
            raise ValueError(
                f"{_short(key_name)} is a whole number too large to be a setting"
                if key_name
                else "a whole number too large to be a setting"
            )
        elif isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{_short(key_name)} must be a finite number" if key_name else "a non-finite number")
        elif value is not None and not isinstance(value, (bool, int, float)):
            raise ValueError(f"a value of type {type(value).__name__}")


def _check_meta(meta: Any) -> dict:
    """Check every field a model carries (after format and version); ValueError if bad.

    Missing optional fields get their defaults, so callers can rely on every key. The
    run's settings ("config") are checked here only for their shape: what each setting
    means is the run configuration's to check.
    """
    check_plain(meta)
    if not isinstance(meta.get("nncli_version"), (str, type(None))) or len(meta.get("nncli_version") or "") > 32:
        raise ValueError("'nncli_version' must be a short string")
    if not isinstance(meta.get("task"), str) or not NAME.fullmatch(meta["task"]):
        raise ValueError(f"'task' must be a task name like xor, not {_short(meta.get('task'))}")
    if meta.get("dtype") not in DTYPES:
        raise ValueError(f"'dtype' must be one of {', '.join(DTYPES)}, not {_short(meta.get('dtype'))}")
    check_layers(meta.get("layers"))
    meta.setdefault("seed", None)
    meta.setdefault("config", {})
    meta.setdefault("input_scaling", None)
    meta.setdefault("metrics", {})
    meta.setdefault("history", {})
    if meta["seed"] is not None and not (is_int(meta["seed"]) and 0 <= meta["seed"] <= MAX_SEED):
        raise ValueError(f"'seed' must be a whole number from 0 to {MAX_SEED:,}, or null")
    if "epochs_run" in meta and not (is_int(meta["epochs_run"]) and meta["epochs_run"] >= 0):
        raise ValueError("'epochs_run' must be a whole number, 0 or more")
    for field in ("config", "metrics", "history"):
        if not isinstance(meta[field], dict):
            raise ValueError(f"{field!r} must be an object")
    for key, value in meta["config"].items():
        if not NAME.fullmatch(key):
            raise ValueError(f"config setting {_short(key)} is not a setting name")
        if isinstance(value, dict) or (isinstance(value, list) and not all(is_number(v) for v in value)):
            raise ValueError(f"config {key!r} must be a number, a string, true/false, null or a list of numbers")
        if key in SIZE_SETTINGS and value is not None and not (is_int(value) and 1 <= value <= MAX_SIZE):
            raise ValueError(f"config {key!r} must be a whole number from 1 to {MAX_SIZE:,}")
    for key, value in meta["metrics"].items():
        if not NAME.fullmatch(key) or not (value is None or is_number(value)):
            raise ValueError(f"metric {_short(key)} must be named like a metric and be a number or null")
    for key, values in meta["history"].items():
        if not NAME.fullmatch(key) or not isinstance(values, list) or len(values) > MAX_HISTORY_VALUES:
            raise ValueError(f"history {_short(key)} must be a list of numbers named like a metric")
        if not all(v is None or is_number(v) for v in values):
            raise ValueError(f"history {key!r} must hold numbers (or null)")
    for field in ("data", "method"):
        if field in meta and not isinstance(meta[field], str):
            raise ValueError(f"{field!r} must be a string")
    if "target" in meta:
        _check_target(meta["target"])
    check_scaling(meta["input_scaling"], meta["layers"])
    return meta


def check_scaling(scaling: Any, layers: list[dict]) -> None:
    """ValueError unless `scaling` is null or maps x_mean/x_std (and y_mean/y_std) to
    finite numbers, one per input (output) or one for all, with no zero std."""
    if scaling is None:
        return
    if not isinstance(scaling, dict) or not set(scaling) <= set(SCALING_KEYS):
        raise ValueError(f"'input_scaling' must be null or an object of {', '.join(SCALING_KEYS)}")
    widths = {"x": layers[0].get("in", 1), "y": _walk_network(layers)[0]}
    for key, values in scaling.items():
        if not isinstance(values, list) or len(values) not in (1, widths[key[0]]):
            raise ValueError(f"input_scaling {key!r} must be a list of 1 or {widths[key[0]]} numbers")
        if not all(is_number(v) for v in values):
            raise ValueError(f"input_scaling {key!r} must hold finite numbers (the data's scale overflowed)")
        if key.endswith("_std") and any(v == 0 for v in values):
            raise ValueError(f"input_scaling {key!r} must not be zero")


def _count_layers(layers: list) -> int:
    """Entries in a layer list, residual blocks' inner layers counted (nesting is bounded
    by the metadata's depth limit, so this recursion is too)."""
    return sum(1 for _ in every_layer(layers))


def _check_target(target: Any) -> None:
    if not (
        isinstance(target, dict)
        and isinstance(target.get("formula"), str)
        and isinstance(target.get("name"), (str, type(None)))
        and isinstance(target.get("domain"), list)
        and len(target["domain"]) == 2
        and all(is_number(v) for v in target["domain"])
        and target["domain"][0] < target["domain"][1]
        and math.isfinite(target["domain"][1] - target["domain"][0])
    ):
        raise ValueError(
            "'target' must hold a formula, a name and a domain [lo, hi] with lo < hi, a finite width apart"
        )
    from nncli.formula import FormulaError, parse

    try:
        parse(target["formula"])
    except FormulaError as error:
        raise ValueError(f"'target' is not a formula nncli reads: {error.reason.split(';')[0]}") from None


def working_rows(meta: dict) -> int:
    """How many examples a command may push through the model at once: the held-out set
    of the largest task, or the data its settings rebuild, whichever is more."""
    sizes = [v for v in (meta.get("config", {}).get(k) for k in SIZE_SETTINGS) if is_int(v)]
    return max([WORKING_ROWS, *sizes])


def memory_needed(layers: list[dict], rows: int) -> int:
    """Bytes to hold a network's weights and push `rows` examples through it (float64
    at worst, a copy of the weights while loading, a layer's input and output at once)."""
    weights = sum(math.prod(shape) for shape in state_shapes(layers).values())
    # what each layer holds per example (its record says), inside blocks as well, and the network's output
    output, walked = _walk_network(layers)
    numbers = output + sum(LAYERS[entry["type"]].holds(entry, takes, gives) for entry, takes, gives in walked)
    return 8 * (2 * weights + 2 * rows * numbers)


def check_memory(layers: list[dict], rows: int) -> None:
    """ValueError if `memory_needed` is beyond MEMORY_BUDGET — checked before anything is
    allocated, whether the network is to be trained, saved or loaded."""
    needed = memory_needed(layers, rows)
    if needed > MEMORY_BUDGET:
        widest = max((spec for spec in every_layer(layers) if LAYERS[spec["type"]].units), key=lambda s: s["out"])
        size = f"{widest['out']:,} {LAYERS[widest['type']].units}"  # neurons, channels
        raise ValueError(
            f"a network with a layer of {size} on {rows:,} examples needs about "
            f"{needed / 1024**3:,.1f} GiB, more than nncli's budget of {MEMORY_BUDGET / 1024**3:g} GiB"
        )


# --- saving ------------------------------------------------------------------------------


def save_model(
    path: str | os.PathLike,
    state: dict[str, np.ndarray],
    meta: dict,
    snapshots: list | None = None,
    extras: dict[str, np.ndarray] | None = None,
    *,
    latest: bool = True,
) -> Path:
    """Write a model file atomically and (unless `latest` is False: `compare --save-dir`)
    record it as the most recent model.

    `snapshots`, if given, is a list of (epoch, state dict) through training (see
    `nncli.store.snapshots`), stored under "__"-prefixed keys. `extras` are arrays of numbers a
    task keeps beside the weights (held-out rows of a file, say), under their own
    "__"-prefixed keys, so that the file's other arrays stay the torch state dict.

    The metadata is checked with the loader's own rules first (a NaN metric is stored as
    null; NumPy scalars and arrays become plain JSON numbers and lists), and `state` must
    match `meta["layers"]` exactly (keys, shapes, the dtype `meta["dtype"]`, finite
    values): anything else is a programming error (ValueError), because whatever is saved
    must load. Returns the absolute path written (see `write_atomically` for how the
    target is treated).
    """
    path = user_path(path)
    stamp = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "nncli_version": __version__}
    meta = _plain({**stamp, **{k: v for k, v in meta.items() if k not in stamp}})
    _check_meta(meta)
    check_memory(meta["layers"], working_rows(meta))
    expected = state_shapes(meta["layers"])
    if set(state) != set(expected):
        raise ValueError(f"state keys {sorted(state)} do not match the layers {sorted(expected)}")
    for key, shape in expected.items():
        array = state[key]
        if not isinstance(array, np.ndarray) or array.shape != shape:
            raise ValueError(f"state[{key!r}] must be an ndarray shaped {shape}")
        if array.dtype != np.dtype(meta["dtype"]):
            raise ValueError(f"state[{key!r}] is {array.dtype}, but meta says {meta['dtype']}")
        if not np.isfinite(array).all():
            raise ValueError(f"state[{key!r}] holds NaN or infinite values")
    check_state_values(state)
    arrays = {key: state[key] for key in expected}
    if snapshots:
        arrays.update(snapshot_arrays.pack(snapshots))
    for key, array in (extras or {}).items():
        if (
            not key.startswith(EXTRA_PREFIX)
            or key == META_KEY
            or _is_snapshot_key(key)
            or array.dtype.kind not in "fiu"
        ):
            raise ValueError(
                f"extra array {key!r} must be numbers under a key of its own starting with {EXTRA_PREFIX!r}"
            )
        if not np.isfinite(array).all():
            raise ValueError(f"extra array {key!r} holds NaN or infinite values")
        arrays[key] = array
    arrays[META_KEY] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)

    _ensure_store_dir(path.parent)
    written = write_atomically(path, lambda f: np.savez(f, **arrays), "save the model", aside=True)
    if latest:
        _record_latest(written)
    return written


def _plain(x: Any) -> Any:
    """`x` as plain JSON values: NumPy to Python, tuples to lists, paths to strings,
    non-finite floats to None."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, np.ndarray)):
        return [_plain(v) for v in x]
    if isinstance(x, os.PathLike):
        return os.fspath(x)
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


# --- writing files -----------------------------------------------------------------------


def user_path(text: str | os.PathLike) -> Path:
    """An absolute path from what a user typed ("~/models/x.npz"); NncliError if "~name"
    names no user."""
    from nncli.text import inert

    try:
        return Path(text).expanduser().absolute()
    except RuntimeError:  # ~nosuchuser
        raise OptionError(f"{inert(text)}: no such user's home folder") from None


def write_target(path: str | os.PathLike, what: str = "write") -> Path:
    """The file a write to `path` replaces, checked: NncliError unless it can be written.

    A symlink is written through — the file it points to is replaced and the link kept —
    so a model kept elsewhere and linked into the store stays where it is; but only a link
    of the user's own to a file of their own: a link someone else put in a shared store
    could otherwise make nncli overwrite any file the user can write. The target must
    be a regular file or not exist yet, in a folder that exists: a device, a FIFO, a socket
    or a folder is never replaced (`--save /dev/null` is refused, not obeyed).
    """
    from nncli.text import inert

    path = user_path(path)
    try:
        target = Path(os.path.realpath(path))
        try:
            info = os.stat(target)  # a name too long for the folder fails here, before any training
        except FileNotFoundError:
            info = None
        if info is not None and not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file (a device, FIFO or socket)"
            raise NncliError(f"cannot {what} to {inert(path)}: it is {kind}; refused")
        if path.is_symlink() and not (_own(os.lstat(path)) and (info is None or _own(info))):
            raise NncliError(
                f"cannot {what} to {inert(path)}: it is a link, and it or the file it points to is "
                "another user's; refused (remove the link, or give another path)"
            )
        if not target.parent.is_dir():
            raise NncliError(f"cannot {what} to {inert(path)}: its folder does not exist")
    except OSError as exc:
        raise NncliError(f"cannot {what} to {inert(path)}: {exc.strerror or exc}") from None
    try:
        with tempfile.TemporaryFile(dir=target.parent):
            pass
    except OSError as exc:
        raise NncliError(
            f"cannot {what} to {inert(path)}: its folder is not writable ({exc.strerror or exc})"
        ) from None
    return target


def _own(info: os.stat_result) -> bool:
    """True if a file (by its stat) belongs to the user running nncli (always, where
    files have no owners)."""
    return not hasattr(os, "getuid") or info.st_uid == os.getuid()


def write_atomically(
    path: str | os.PathLike, write: Callable[[Any], None], what: str = "write", *, aside: bool = False
) -> Path:
    """Write via a temporary file beside the target, fsync, then rename it into place.

    The target is checked by `write_target` (regular files only; symlinks written through)
    and a replaced file keeps its permission bits. On any failure or interruption the
    temporary file is removed and the old file is untouched; temporary files that a killed
    writer left behind (older than STALE_TEMPORARY_S) are removed on the way. Their names
    start with a dot and end in .tmp, so a leftover is never mistaken for a model. Returns
    the path written (the link's target, for a symlink); NncliError if it cannot be.

    With `aside`, a target that cannot be replaced because it is in use (Windows refuses
    to replace a file another program holds open) is left as it is, and what was written
    is kept beside it under the first free name "NAME-2.npz", "NAME-3.npz", … instead.
    """
    target = write_target(path, what)
    _remove_stale_temporaries(target)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()  # mkstemp makes the file private; a new model is not
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=_temporary_prefix(target), suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp_name, mode)
        try:
            os.replace(tmp_name, target)
        except PermissionError:
            if not aside:
                raise
            target = _free_sibling(target)
            os.replace(tmp_name, target)
    except BaseException as exc:
        if tmp_name is not None:
            Path(tmp_name).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            from nncli.text import inert

            raise NncliError(f"cannot {what} to {inert(path)}: {exc.strerror or exc}") from None
        raise
    return target


def _free_sibling(target: Path) -> Path:
    """The first of NAME-2.ext, NAME-3.ext, … beside `target` that does not exist yet."""
    siblings = (target.with_name(f"{target.stem}-{number}{target.suffix}") for number in itertools.count(2))
    return next(sibling for sibling in siblings if not os.path.lexists(sibling))


def _remove_stale_temporaries(target: Path) -> None:
    cutoff = time.time() - STALE_TEMPORARY_S
    for leftover in target.parent.glob(glob.escape(_temporary_prefix(target)) + "????????.tmp"):
        try:
            if leftover.is_file() and not leftover.is_symlink() and leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except OSError:
            pass  # someone else's, or already gone


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def _temporary_prefix(target: Path) -> str:
    return f".{target.name[:200]}."  # room for mkstemp's 8 letters within a name's 255


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- loading -----------------------------------------------------------------------------


def _is_snapshot_key(key: str) -> bool:
    return key.startswith(snapshot_arrays.PREFIX) or key == snapshot_arrays.EPOCHS_KEY


def load_snapshots(path: str | os.PathLike) -> tuple[list[int], list[dict[str, np.ndarray]]]:
    """(epochs, state dicts) of the snapshots a model file keeps, validated like its
    weights; ([], []) for a file written before snapshots existed."""
    path = Path(path)
    with _open_npz(path) as npz:
        headers = _read_headers(path, npz)
        meta = _read_meta(path, npz, headers)
        expected = state_shapes(meta["layers"])
        _check_headers(path, headers, expected, meta["dtype"])
        snapshot_headers = {key: value for key, value in headers.items() if _is_snapshot_key(key)}
        if not snapshot_headers:
            return [], []
        epochs_run = meta.get("epochs_run")
        epochs_run = epochs_run if is_int(epochs_run) else 0
        try:
            with _damage_reported(path):
                epochs = npz[snapshot_arrays.EPOCHS_KEY]
                stacks = {key: npz[snapshot_arrays.PREFIX + key] for key in expected}
            snapshot_arrays.check_values(epochs, stacks, epochs_run)
            states = [
                {key: np.asarray(stack[i], dtype=meta["dtype"], order="C") for key, stack in stacks.items()}
                for i in range(len(epochs))
            ]
            for state in states:
                check_state_values(state)
        except ValueError as exc:
            raise ModelFileError(f"{path}: bad snapshots: {exc}") from None
    return epochs.tolist(), states


def load_model(path: str | os.PathLike, rows: int | None = None) -> tuple[dict[str, np.ndarray], dict]:
    """Read and validate a model file: (state dict, metadata). ModelFileError if unusable.

    `rows` is how many examples the caller will push through the network at once (by
    default `working_rows(meta)`): a network too big to run on them within MEMORY_BUDGET
    is refused before its weights are read.
    """
    path = Path(path)
    with _open_npz(path) as npz:
        headers = _read_headers(path, npz)
        meta = _read_meta(path, npz, headers)
        expected = state_shapes(meta["layers"])
        _check_headers(path, headers, expected, meta["dtype"])
        try:
            check_memory(meta["layers"], rows or working_rows(meta))
        except ValueError as exc:
            raise ModelFileError(f"{path}: refused: {exc}") from None
        with _damage_reported(path):
            state = {key: npz[key] for key in expected}
    for key, array in state.items():
        if not np.isfinite(array).all():
            raise ModelFileError(f"{path}: array {key!r} contains NaN or infinite values")
        state[key] = np.asarray(array, dtype=meta["dtype"], order="C")  # keeps 0-d arrays 0-d
    try:
        check_state_values(state)
    except ValueError as exc:
        raise ModelFileError(f"{path}: bad model file: {exc}") from None
    return state, meta


def load_extras(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The "__" arrays a model file keeps beside its weights (see save_model), checked to be
    finite numbers. ModelFileError if unusable."""
    path = Path(path)
    with _open_npz(path) as npz:
        headers = _read_headers(path, npz)
        keys = [
            key for key in headers if key.startswith(EXTRA_PREFIX) and key != META_KEY and not _is_snapshot_key(key)
        ]
        with _damage_reported(path):
            extras = {key: npz[key] for key in keys}
    for key, array in extras.items():
        if array.dtype.kind not in "fiu" or not np.isfinite(array).all():
            raise ModelFileError(f"{path}: array {key!r} must hold finite numbers")
    return extras


def read_meta(path: str | os.PathLike) -> dict:
    """The validated metadata of a model file, without reading its weights."""
    path = Path(path)
    with _open_npz(path) as npz:
        headers = _read_headers(path, npz)
        meta = _read_meta(path, npz, headers)
        _check_headers(path, headers, state_shapes(meta["layers"]), meta["dtype"])
    return meta


@contextmanager
def _damage_reported(path: Path) -> Iterator[None]:
    """Turn whatever a corrupt archive makes zipfile or NumPy raise into a ModelFileError.

    A damaged or hostile file can provoke almost any exception from the parsers (bad CRC,
    struct errors, unsupported compression, encrypted entries, ...); all mean the same.
    """
    try:
        yield
    except ModelFileError:
        raise
    except Exception as exc:
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise ModelFileError(f"{path}: the model file is damaged ({reason})") from exc


@contextmanager
def _open_npz(path: Path) -> Iterator[Any]:
    """Open `path` with np.load(allow_pickle=False), having first checked it is a zip."""
    try:
        with open(path, "rb") as f:
            start = f.read(4)
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ModelFileError(f"{path}: is a folder, not a model file") from None
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if not start:
        raise ModelFileError(f"{path}: the file is empty, not a model")
    if start != b"PK\x03\x04":  # np.load would try to unpickle anything else
        raise ModelFileError(f"{path}: not a model file (not an .npz archive)")
    with _damage_reported(path):
        npz = np.load(path, allow_pickle=False)
    try:
        yield npz
    finally:
        npz.close()


def _read_headers(path: Path, npz: Any) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """Shape and dtype of every entry, read from the .npy headers alone.

    This is where pickled objects and oversized arrays are refused, before any data is read.
    """
    headers = {}
    total = 0
    with _damage_reported(path):
        infos = npz.zip.infolist()
        if len(infos) > MAX_ENTRIES:
            raise ModelFileError(f"{path}: {len(infos)} entries is too many for a model; refused")
        for info in infos:
            if not info.filename.endswith(".npy"):
                raise ModelFileError(f"{path}: unexpected entry {info.filename!r} (not an array)")
            key = info.filename[: -len(".npy")]
            with npz.zip.open(info) as member:
                version = np.lib.format.read_magic(member)
                if version == (1, 0):
                    shape, _, dtype = np.lib.format.read_array_header_1_0(member)
                elif version == (2, 0):
                    shape, _, dtype = np.lib.format.read_array_header_2_0(member)
                else:
                    raise ValueError(f"unsupported .npy format version {version}")
            if dtype.hasobject:
                raise ModelFileError(
                    f"{path}: entry {key!r} holds a pickled Python object; refused\n"
                    "(model files carry numbers, never code)"
                )
            total += math.prod(shape)
            if total > MAX_ELEMENTS:
                raise ModelFileError(
                    f"{path}: entry {key!r} makes the arrays larger than {MAX_ELEMENTS:,} numbers; refused"
                )
            headers[key] = (shape, dtype)
    return headers


def _read_meta(path: Path, npz: Any, headers: dict) -> dict:
    if META_KEY not in headers:
        raise ModelFileError(f"{path} was not written by nncli (it has no {META_KEY} entry)")
    shape, dtype = headers[META_KEY]
    if dtype != np.uint8 or len(shape) != 1 or shape[0] > MAX_META_BYTES:
        raise ModelFileError(f"{path}: the {META_KEY} entry is not a block of UTF-8 bytes")
    with _damage_reported(path):
        raw = npz[META_KEY].tobytes()
    try:
        meta = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except RepeatedKeyError as exc:
        raise ModelFileError(f"{path}: bad model metadata: {exc}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise ModelFileError(f"{path}: the model metadata is not valid JSON ({_short(str(exc))})") from None
    except RecursionError:
        raise ModelFileError(f"{path}: bad model metadata: nested more than {MAX_DEPTH} levels deep") from None
    if not isinstance(meta, dict):
        raise ModelFileError(f"{path}: the model metadata is not a JSON object")
    if meta.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{path} was not written by nncli (format {_short(meta.get('format'))})")
    version = meta.get("format_version")
    if not is_int(version) or version < 1:
        raise ModelFileError(f"{path}: the model metadata has no valid format_version")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path} was written by a newer nncli (format {version}); upgrade nncli\n"
            f"(this nncli {__version__} reads format {FORMAT_VERSION} and older)"
        )
    try:
        return _check_meta(meta)
    except ValueError as exc:
        raise ModelFileError(f"{path}: bad model metadata: {exc}") from None


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


class RepeatedKeyError(ValueError):
    """A JSON object names one key twice."""


def _unique_keys(pairs: list) -> dict:
    """A JSON object whose keys are all different: with a key given twice, which value
    counts would be a guess (the checks might see one and a command the other)."""
    meta = dict(pairs)
    if len(meta) != len(pairs):
        seen = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise RepeatedKeyError(f"the key {_short(twice)} is given twice")
    return meta


def _check_headers(path: Path, headers: dict, expected: dict, dtype_name: str) -> None:
    """Keys exactly as the layers say, each with the right shape and dtype."""
    present = {key for key in headers if not key.startswith(EXTRA_PREFIX)}  # snapshots and extras aside
    missing = [key for key in expected if key not in present]
    unexpected = sorted(present - set(expected))
    problems = []
    if missing:
        problems.append(f"missing arrays: {', '.join(missing)}")
    if unexpected:
        problems.append(f"unexpected arrays: {', '.join(unexpected)}")
    if problems:
        raise ModelFileError(f"{path}: the arrays do not match its layers ({'; '.join(problems)})")
    want = np.dtype(dtype_name)
    for key, shape in expected.items():
        got_shape, got_dtype = headers[key]
        if got_shape != shape:
            raise ModelFileError(f"{path}: array {key!r} has shape {got_shape}, but its layer needs {shape}")
        if got_dtype.kind != "f" or got_dtype.itemsize != want.itemsize:
            raise ModelFileError(f"{path}: array {key!r} is {got_dtype.name}, but the model says {dtype_name}")
    snapshot_headers = {key: value for key, value in headers.items() if _is_snapshot_key(key)}
    if snapshot_headers:
        try:
            snapshot_arrays.check(snapshot_headers, {key: headers[key] for key in expected})
        except ValueError as exc:
            raise ModelFileError(f"{path}: bad snapshots: {exc}") from None


# --- the model store ---------------------------------------------------------------------


def model_home() -> Path:
    """Where models live: $NNCLI_HOME, else the platform's per-user data folder."""
    if os.environ.get("NNCLI_HOME"):
        return Path(os.environ["NNCLI_HOME"]).expanduser().absolute()
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "nncli"
    if sys.platform == "win32":
        appdata = os.environ.get("APPDATA")
        return (Path(appdata) if appdata else Path.home() / "AppData" / "Roaming") / "nncli"
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "nncli"


def default_model_path(task: str) -> Path:
    return model_home() / f"{task}.npz"


def resolve_model(name_or_path: str | None) -> Path:
    """The model file meant by a command's MODEL argument.

    None means the most recent model (the "latest" pointer, or if it is missing or stale,
    the newest .npz in the store). Otherwise an existing file, else a name in the store
    ("xor" or "xor.npz").
    """
    home = model_home()
    if name_or_path is None:
        latest = _read_latest(home)
        if latest is not None:
            return latest
        models = [p for p in home.glob("*.npz") if not p.name.startswith(".") and p.is_file()]
        if not models:
            raise ModelFileError("no trained model yet: run `nncli train xor` first (or give a model path)")
        return max(models, key=lambda p: p.stat().st_mtime)
    candidate = user_path(name_or_path)
    if candidate.is_file():
        return candidate
    stored = stored_model(name_or_path)
    if stored is not None:
        return stored
    raise ModelFileError(
        f"no model {name_or_path!r}: no such file, and no {Path(_npz(name_or_path)).name} in the model "
        f"store ({home})\ngive a model path, or train one first (e.g. `nncli train xor`)"
    )


def stored_model(name: str) -> Path | None:
    """The model in the store that `name` ("xor" or "xor.npz") means, if any: the one a
    MODEL argument of that name reads unless a file of that name is in the way."""
    home = model_home()
    return next((home / each for each in dict.fromkeys([name, _npz(name)]) if (home / each).is_file()), None)


def _npz(name: str) -> str:
    return name if name.endswith(".npz") else f"{name}.npz"


def check_writable(path: str | os.PathLike) -> None:
    """Fail at once (NncliError) if a model could not be saved at `path`.

    Called before training, so a long run never ends in "cannot save". The store folder
    is created if missing; any other folder must already exist.
    """
    path = user_path(path)
    _ensure_store_dir(path.parent)
    write_target(path, "save the model")


def _ensure_store_dir(folder: Path) -> None:
    """Create the model store folder if `folder` is it; other folders are the user's."""
    if folder != model_home():
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise NncliError(
            f"cannot create the model store {folder}: {exc.strerror or exc}\n"
            "set NNCLI_HOME to a writable folder, or use --save PATH"
        ) from None


def _record_latest(path: Path) -> None:
    """Point the store's "latest" file at `path`.

    Best effort: the model itself is already saved, and a missing pointer only means
    `resolve_model(None)` falls back to the newest model in the store.
    """
    home = model_home()
    try:
        home.mkdir(parents=True, exist_ok=True)
        write_atomically(home / LATEST_POINTER, lambda f: f.write(str(path).encode("utf-8")))
    except (OSError, NncliError):
        pass


def read_small_file(path: str | os.PathLike, limit: int) -> bytes:
    """The bytes of a small regular file of nncli's own (the "latest" pointer, the lesson
    progress). OSError if it is missing, is not a regular file or holds more than `limit`
    bytes: opened without blocking, so a FIFO put in its place cannot hang nncli, and a
    device (/dev/zero) is never read."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        content = f.read(limit + 1)
    if len(content) > limit:
        raise OSError(errno.EFBIG, f"larger than {limit:,} bytes", str(path))
    return content


def _read_latest(home: Path) -> Path | None:
    try:
        target = Path(read_small_file(home / LATEST_POINTER, LATEST_BYTES).decode("utf-8").strip())
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return target if target.is_absolute() and target.is_file() else None
