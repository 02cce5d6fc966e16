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

import json
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from nncli import __version__
from nncli import snapshots as snapshot_arrays
from nncli.errors import ModelFileError, NncliError

FORMAT_NAME = "nncli-model"
FORMAT_VERSION = 1

META_KEY = "__meta__"
EXTRA_PREFIX = "__"  # arrays that are not weights: the metadata, and what a task keeps (see save_model)
DTYPES = ("float32", "float64")
ACTIVATIONS = ("relu", "sigmoid", "tanh", "leaky_relu", "softmax", "dropout", "step", "identity")
LAYER_TYPES = ("linear", "batchnorm", "residual") + ACTIVATIONS
MAX_NESTING = 8  # residual blocks inside residual blocks: far more than any network needs

MAX_ELEMENTS = 200_000_000  # per file: far above any model nncli trains, far below a zip bomb
MAX_META_BYTES = 16_000_000
MAX_ENTRIES = 10_000

LATEST_POINTER = "latest"


# --- layer specs -------------------------------------------------------------------------


def check_layers(layers: Any) -> None:
    """Raise ValueError saying what is wrong with a layer list, if anything is."""
    if not isinstance(layers, list) or not layers:
        raise ValueError("the layer list is missing or empty")
    if not _check_block(layers, None, "", 0)[1]:
        raise ValueError("the layer list has no linear layer")


def _check_block(layers: list, width: int | None, where: str, depth: int) -> tuple[int | None, bool]:
    """Check the layers of a network or of a residual block, whose input is `width` wide
    (None: not known yet). Returns (the width of its output, whether it has a linear layer)."""
    has_linear = False
    for i, spec in enumerate(layers):
        name = f"{where}{i}"
        if not isinstance(spec, dict) or spec.get("type") not in LAYER_TYPES:
            kind = spec.get("type") if isinstance(spec, dict) else spec
            raise ValueError(f"layer {name}: unknown type {kind!r}")
        kind = spec["type"]
        if kind == "linear":
            for field in ("in", "out"):
                if not _is_int(spec.get(field)) or spec[field] < 1:
                    raise ValueError(f"layer {name} (linear): {field!r} must be a positive integer")
            if not isinstance(spec.get("bias"), bool):
                raise ValueError(f"layer {name} (linear): 'bias' must be true or false")
            if width is not None and spec["in"] != width:
                raise ValueError(
                    f"layer {name} (linear) takes {spec['in']} inputs but the linear layer before it gives {width}"
                )
            width, has_linear = spec["out"], True
        elif kind == "batchnorm":
            if not _is_int(spec.get("features")) or spec["features"] < 1:
                raise ValueError(f"layer {name} (batchnorm): 'features' must be a positive integer")
            if not (_is_number(spec.get("eps")) and spec["eps"] > 0):
                raise ValueError(f"layer {name} (batchnorm): 'eps' must be a number greater than 0")
            if not (_is_number(spec.get("momentum")) and 0 <= spec["momentum"] <= 1):
                raise ValueError(f"layer {name} (batchnorm): 'momentum' must be a number in [0, 1]")
            if width is not None and spec["features"] != width:
                raise ValueError(
                    f"layer {name} (batchnorm) normalises {spec['features']} features, "
                    f"but the layer before it gives {width}"
                )
            width = spec["features"]
        elif kind == "residual":
            inner = spec.get("layers")
            if depth >= MAX_NESTING:
                raise ValueError(f"layer {name} (residual): blocks nested more than {MAX_NESTING} deep")
            if not isinstance(inner, list) or not inner:
                raise ValueError(f"layer {name} (residual): 'layers' must be a non-empty list")
            first = next((e for e in inner if isinstance(e, dict) and e.get("type") in ("linear", "batchnorm")), None)
            if width is None and first is not None:  # a block that opens the network: its input width
                width = first["in"] if first["type"] == "linear" else first["features"]
            out, inner_linear = _check_block(inner, width, f"{name}.", depth + 1)
            if out != width:
                raise ValueError(
                    f"layer {name} (residual) turns {width} features into {out}: x + f(x) needs equal widths"
                )
            has_linear = has_linear or inner_linear
        elif kind == "leaky_relu" and not _is_number(spec.get("slope")):
            raise ValueError(f"layer {name} (leaky_relu): 'slope' must be a number")
        elif kind == "dropout" and not (_is_number(spec.get("p")) and 0 <= spec["p"] < 1):
            raise ValueError(f"layer {name} (dropout): 'p' must be a number in [0, 1)")
    return width, has_linear


def state_shapes(layers: list[dict], prefix: str = "") -> dict[str, tuple[int, ...]]:
    """The state-dict keys a (checked) layer list owns, with their shapes, in order."""
    shapes: dict[str, tuple[int, ...]] = {}
    for i, spec in enumerate(layers):
        key = f"{prefix}{i}"
        if spec["type"] == "linear":
            shapes[f"{key}.weight"] = (spec["out"], spec["in"])
            if spec["bias"]:
                shapes[f"{key}.bias"] = (spec["out"],)
        elif spec["type"] == "batchnorm":
            features = (spec["features"],)
            shapes.update({f"{key}.{name}": features for name in ("weight", "bias", "running_mean", "running_var")})
            shapes[f"{key}.num_batches_tracked"] = ()
        elif spec["type"] == "residual":
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


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _check_meta(meta: Any) -> dict:
    """Check the fields every model needs (after format and version); ValueError if bad.

    Missing optional fields get their defaults, so callers can rely on every key.
    """
    if not isinstance(meta.get("task"), str) or not meta["task"]:
        raise ValueError("'task' must be a non-empty string")
    if meta.get("dtype") not in DTYPES:
        raise ValueError(f"'dtype' must be one of {', '.join(DTYPES)}, not {meta.get('dtype')!r}")
    check_layers(meta.get("layers"))
    meta.setdefault("seed", None)
    meta.setdefault("config", {})
    meta.setdefault("input_scaling", None)
    meta.setdefault("metrics", {})
    meta.setdefault("history", {})
    if meta["seed"] is not None and not _is_int(meta["seed"]):
        raise ValueError("'seed' must be an integer or null")
    for field in ("config", "metrics", "history"):
        if not isinstance(meta[field], dict):
            raise ValueError(f"{field!r} must be an object")
    if meta["input_scaling"] is not None and not isinstance(meta["input_scaling"], dict):
        raise ValueError("'input_scaling' must be an object or null")
    if not all(isinstance(v, list) for v in meta["history"].values()):
        raise ValueError("every 'history' entry must be a list")
    return meta


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
    `nncli.snapshots`), stored under "__"-prefixed keys. `extras` are arrays of numbers a
    task keeps beside the weights (held-out rows of a file, say), under their own
    "__"-prefixed keys, so that the file's other arrays stay the torch state dict.

    `state` must match `meta["layers"]` exactly (keys, shapes, the dtype `meta["dtype"]`,
    finite values): anything else is a programming error (ValueError), because whatever
    is saved must load. Non-finite numbers in the metadata (a metric that went NaN) are
    stored as null; NumPy scalars and arrays become plain JSON numbers and lists.
    Returns the absolute path written.
    """
    path = Path(path).expanduser().absolute()
    stamp = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "nncli_version": __version__}
    meta = _plain({**stamp, **{k: v for k, v in meta.items() if k not in stamp}})
    _check_meta(meta)
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
    try:
        _write_atomically(path, lambda f: np.savez(f, **arrays))
    except OSError as exc:
        raise NncliError(f"cannot save the model to {path}: {exc.strerror or exc}") from exc
    if latest:
        _record_latest(path)
    return path


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


def _write_atomically(path: Path, write: Callable[[Any], None]) -> None:
    """Write via a temporary file in the same folder, fsync, then rename over `path`.

    On any failure the temporary file is removed and an existing `path` is untouched.
    The temporary name starts with a dot and ends in .tmp, so a leftover from a hard
    crash is never mistaken for a model.
    """
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp_name, 0o666 & ~_umask())  # mkstemp makes it private; models are not
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


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
        epochs_run = epochs_run if _is_int(epochs_run) else 0
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


def load_model(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict]:
    """Read and validate a model file: (state dict, metadata). ModelFileError if unusable."""
    path = Path(path)
    with _open_npz(path) as npz:
        headers = _read_headers(path, npz)
        meta = _read_meta(path, npz, headers)
        expected = state_shapes(meta["layers"])
        _check_headers(path, headers, expected, meta["dtype"])
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
        meta = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ModelFileError(f"{path}: the model metadata is not valid JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise ModelFileError(f"{path}: the model metadata is not a JSON object")
    if meta.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{path} was not written by nncli (format {meta.get('format')!r})")
    version = meta.get("format_version")
    if not _is_int(version) or version < 1:
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
    candidate = Path(name_or_path).expanduser()
    if candidate.is_file():
        return candidate
    stored = [home / name_or_path]
    if not name_or_path.endswith(".npz"):
        stored.append(home / f"{name_or_path}.npz")
    for path in stored:
        if path.is_file():
            return path
    raise ModelFileError(
        f"no model {name_or_path!r}: no such file, and no {stored[-1].name} in the model "
        f"store ({home})\ngive a model path, or train one first (e.g. `nncli train xor`)"
    )


def check_writable(path: str | os.PathLike) -> None:
    """Fail at once (NncliError) if a model could not be saved at `path`.

    Called before training, so a long run never ends in "cannot save". The store folder
    is created if missing; any other folder must already exist.
    """
    path = Path(path).expanduser().absolute()
    if path.is_dir():
        raise NncliError(f"cannot save the model to {path}: it is a folder")
    folder = path.parent
    _ensure_store_dir(folder)
    if not folder.is_dir():
        raise NncliError(f"cannot save the model to {path}: the folder {folder} does not exist")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise NncliError(
            f"cannot save the model to {path}: the folder {folder} is not writable ({exc.strerror or exc})"
        ) from None


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
        _write_atomically(home / LATEST_POINTER, lambda f: f.write(str(path).encode("utf-8")))
    except OSError:
        pass


def _read_latest(home: Path) -> Path | None:
    try:
        target = Path((home / LATEST_POINTER).read_text(encoding="utf-8").strip())
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return target if target.is_absolute() and target.is_file() else None
