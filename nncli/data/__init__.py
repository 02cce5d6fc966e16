"""Datasets: XOR, the noisy line, the shipped digits, CSV files and MNIST IDX files; splits
and mini-batches.

Everything random is seeded. Arrays come back as float64 (callers cast to the model's
dtype) with labels as int64 — except MNIST pixels, which stay uint8 because 60,000 images
in float64 would take 376 MB. A file that cannot be used raises DataError naming the file
and, for CSV, the line and column.
"""

from __future__ import annotations

import gzip
import io
import math
import os
import struct
import sys
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import BinaryIO

import numpy as np

from nncli import DISTRIBUTION
from nncli.errors import DataError

# --- generated data ----------------------------------------------------------------------


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The four XOR cases in the order 00, 01, 10, 11: X (4, 2) and y (4, 1)."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    return X, y


def noisy_line(
    n: int = 100,
    slope: float = 2.0,
    intercept: float = 1.0,
    noise: float = 0.1,
    seed: int = 0,
    x_range: tuple[float, float] = (-1, 1),
) -> tuple[np.ndarray, np.ndarray]:
    """n points of y = slope·x + intercept + noise·N(0, 1), x uniform in x_range: (n, 1) each."""
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    rng = np.random.default_rng(seed)
    x = rng.uniform(x_range[0], x_range[1], size=(n, 1))
    y = slope * x + intercept + noise * rng.standard_normal((n, 1))
    return x, y


# --- CSV ---------------------------------------------------------------------------------


MISSING = ("", "na", "nan", "null")  # a cell holding no value, compared lower-case, after stripping spaces
MISSING_NAMES = "empty, NA, NaN or null"


def read_csv(path: str | os.PathLike, n_columns: int | None = None, drop_missing: bool | None = None) -> np.ndarray:
    """A numeric CSV file (optionally gzip'd, optionally with a header line) as (rows, cols);
    `drop_missing` as for `parse_rows`."""
    path = Path(path)
    name = source_name(path)
    with _open_binary(path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig")
        try:
            return parse_rows(text, name, n_columns, drop_missing)
        except UnicodeDecodeError:
            raise DataError(f"{name}: not a text file (it is not UTF-8)") from None
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(f"{name}: cannot read it ({exc})") from None


def parse_rows(
    lines: Iterable[str], source_name: str, n_columns: int | None = None, drop_missing: bool | None = None
) -> np.ndarray:
    """Comma-separated rows of numbers as a float64 array (rows, cols).

    Blank lines are skipped. The first line is a header if none of its cells is a number.
    Every row must have `n_columns` cells (or as many as the first row) and every cell must
    be a finite number; otherwise DataError says where: "SOURCE, line L, column C: ...".
    `drop_missing`: True leaves out the rows with a missing value (see MISSING); False
    refuses them, advising --drop-missing; None (a command without that option) refuses them.
    """
    rows = []
    width, width_from = n_columns, ""
    first = True
    for number, line in enumerate(lines, start=1):
        cells = line.strip().split(",")
        if cells == [""]:
            continue
        if width is None:
            width, width_from = len(cells), f" (as on line {number})"
        if len(cells) != width:
            raise DataError(f"{source_name}, line {number}: expected {width} columns{width_from}, found {len(cells)}")
        if first:
            first = False
            if not any(_is_number(cell) for cell in cells):
                continue  # a header line
        if drop_missing is not None and any(cell.strip().lower() in MISSING for cell in cells):
            if drop_missing:
                continue
            raise DataError(
                f"{source_name}, line {number}: a missing value ({MISSING_NAMES}); "
                "use --drop-missing to leave such rows out"
            )
        rows.append(
            [
                _number(cell, f"{source_name}, line {number}, column {column}")
                for column, cell in enumerate(cells, start=1)
            ]
        )
    if not rows:
        found = "it is empty" if first else "only a header"
        raise DataError(f"{source_name}: no rows of numbers ({found})")
    return np.array(rows, dtype=np.float64)


def _number(cell: str, where: str) -> float:
    """The finite number in a CSV cell, or DataError saying `where` it went wrong."""
    cell = cell.strip()
    try:
        value = float(cell)
    except ValueError:
        problem = f"{cell!r} is not a number" if cell else "the cell is empty"
        raise DataError(f"{where}: {problem}") from None
    if not math.isfinite(value):
        raise DataError(f"{where}: {cell!r} is not a finite number")
    return value


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


STDIN = "-"  # the file name that means stdin: `--data -` reads a table piped in


def source_name(path: str | os.PathLike) -> str:
    """What messages call the file at `path`: "stdin" for "-"."""
    return "stdin" if str(path) == STDIN else str(path)


def _open_stdin() -> BinaryIO:
    """stdin's bytes, when something is piped in (a terminal would wait for typing)."""
    stdin = sys.stdin
    if stdin is None or stdin.isatty():
        raise DataError(
            "stdin: - reads the data from stdin, but it is a terminal: pipe a file in (… --data - < file.csv)"
        )
    return stdin.buffer


@contextmanager
def _open_binary(path: Path) -> Iterator[BinaryIO]:
    """Open a file for reading, decompressing it on the fly if it is gzip'd ("-": stdin)."""
    if str(path) == STDIN:
        yield _open_stdin()
        return
    try:
        raw = open(path, "rb")
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    with raw:
        if raw.peek(2)[:2] == b"\x1f\x8b":
            with gzip.GzipFile(fileobj=raw) as unzipped:
                yield unzipped
        else:
            yield raw


# --- digits ------------------------------------------------------------------------------

DIGITS_SHAPE = (1797, 64)
REINSTALL = f"reinstall nncli: pip install --force-reinstall {DISTRIBUTION}"


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 8×8 UCI handwritten digits shipped with nncli: X (1797, 64) pixels 0–16, y 0–9.

    They are read from digits.npz, the same numbers as digits.csv.gz (the published form,
    see datasets/README.md) in a form NumPy loads in about a millisecond instead of the
    70 ms of parsing the CSV line by line.
    """
    resource = files("nncli.datasets") / "digits.npz"
    try:
        with resource.open("rb") as raw, np.load(raw, allow_pickle=False) as arrays:
            images, labels = arrays["images"], arrays["labels"]
    except (OSError, EOFError, KeyError, ValueError, zlib.error) as exc:
        raise DataError(f"the digits data shipped with nncli is damaged ({exc})\n{REINSTALL}") from None
    if (
        images.shape != (DIGITS_SHAPE[0], 8, 8)
        or labels.shape != (DIGITS_SHAPE[0],)
        or images.dtype != np.uint8
        or labels.dtype != np.uint8
        or images.max() > 16
        or labels.max() > 9
    ):
        raise DataError(
            "the digits data shipped with nncli is damaged "
            f"(expected {DIGITS_SHAPE[0]} 8×8 images of pixels 0–16 and labels 0–9)\n"
            f"{REINSTALL}"
        )
    return images.reshape(DIGITS_SHAPE).astype(np.float64), labels.astype(np.int64)


# --- splits and batches ------------------------------------------------------------------


def stratified_split(y: np.ndarray, test_fraction: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded (train_idx, test_idx), holding out the same fraction of every class."""
    _check_fraction(test_fraction)
    y = np.asarray(y).ravel()
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        k = round(len(members) * test_fraction)
        test.append(members[:k])
        train.append(members[k:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def seeded_subset(indices: np.ndarray, limit: int | None, seed: int = 0) -> np.ndarray:
    """At most `limit` of `indices`, chosen by `seed` and kept in their order: all of them
    if `limit` is None or not smaller than their number (what `--limit N` learns from)."""
    indices = np.asarray(indices)
    if limit is None or limit >= len(indices):
        return indices
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    keep = np.random.default_rng(seed).permutation(len(indices))[:limit]
    return indices[np.sort(keep)]


def train_test_split(n: int, test_fraction: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded (train_idx, test_idx) of range(n), holding out round(n·test_fraction)."""
    _check_fraction(test_fraction)
    order = np.random.default_rng(seed).permutation(n)
    k = round(n * test_fraction)
    return np.sort(order[k:]), np.sort(order[:k])


def _check_fraction(test_fraction: float) -> None:
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, not {test_fraction}")


def batch_indices(n: int, batch_size: int, rng: np.random.Generator, shuffle: bool = True) -> list[np.ndarray]:
    """Index arrays covering range(n) once, batch_size at a time (the last may be smaller).

    Shuffling draws one rng.permutation(n), so two engines given generators with the same
    seed see identical batches.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    order = rng.permutation(n) if shuffle else np.arange(n)
    return [order[start : start + batch_size] for start in range(0, n, batch_size)]


# --- MNIST IDX files ---------------------------------------------------------------------

IDX_DTYPES = {0x08: "u1", 0x09: "i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
MAX_IDX_BYTES = 1_000_000_000  # MNIST's largest file is 47 MB; a bad header is refused
MAX_IDX_DIMENSIONS = 3
MNIST_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
MNIST_HINT = "point --data-dir at the folder holding them, or use --download to fetch them"


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """An IDX file (raw or gzip'd), as used by MNIST, as an array in native byte order.

    The header is 0x00 0x00, a dtype code, the number of dimensions, then each dimension as
    a big-endian uint32; the data follows, big-endian, and must be exactly that long.
    """
    path = Path(path)
    with _open_binary(path) as f:
        try:
            return _parse_idx(f, path)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(f"{path}: cannot read it ({exc})") from None


def _parse_idx(f: BinaryIO, path: Path) -> np.ndarray:
    magic = f.read(4)
    if len(magic) < 4 or magic[:2] != b"\0\0" or magic[2] not in IDX_DTYPES or magic[3] == 0:
        raise DataError(f"{path}: not an IDX file (bad magic number 0x{magic.hex() or '-'})")
    ndim = magic[3]
    if ndim > MAX_IDX_DIMENSIONS:
        raise DataError(f"{path}: its header declares {ndim} dimensions; IDX images and labels have at most 3")
    raw_dims = f.read(4 * ndim)
    if len(raw_dims) < 4 * ndim:
        raise DataError(f"{path}: truncated (the header ends early)")
    dims = struct.unpack(f">{ndim}I", raw_dims)
    dtype = np.dtype(IDX_DTYPES[magic[2]])
    size = math.prod(dims) * dtype.itemsize
    if size > MAX_IDX_BYTES:
        raise DataError(f"{path}: its header declares {size:,} bytes of data; refused")
    data = f.read(size + 1)
    if len(data) < size:
        raise DataError(f"{path}: truncated (its header promises {size:,} bytes of data, found {len(data):,})")
    if len(data) > size:
        raise DataError(f"{path}: longer than its header says ({size:,} bytes of data)")
    return np.frombuffer(data, dtype=dtype).reshape(dims).astype(dtype.newbyteorder("="))


def load_mnist(
    data_dir: str | os.PathLike,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST from its four standard IDX files (raw or .gz) in `data_dir`.

    Returns X_train (60000, 784) and X_test (10000, 784) as uint8 pixels 0–255, and
    y_train, y_test as int64 labels 0–9 (counts as in the files, checked to agree).
    """
    data_dir = Path(data_dir).expanduser()
    if not data_dir.is_dir():
        raise DataError(f"{data_dir}: no such folder for the MNIST files\n{MNIST_HINT}")
    paths, missing = [], []
    for name in MNIST_FILES:
        found = [p for p in (data_dir / name, data_dir / f"{name}.gz") if p.is_file()]
        paths.append(found[0] if found else None)
        if not found:
            missing.append(name)
    if missing:
        raise DataError(f"MNIST files missing in {data_dir}: {', '.join(missing)}\n{MNIST_HINT}")
    train_images, train_labels, test_images, test_labels = (read_idx(p) for p in paths)
    for images, labels, images_path, labels_path in (
        (train_images, train_labels, paths[0], paths[1]),
        (test_images, test_labels, paths[2], paths[3]),
    ):
        if images.ndim != 3 or images.dtype != np.uint8:
            raise DataError(f"{images_path}: not MNIST images (expected uint8, 3 dimensions)")
        if 0 in images.shape[1:]:
            raise DataError(
                f"{images_path}: its images are {images.shape[1]}×{images.shape[2]} pixels: there is nothing to see"
            )
        if labels.ndim != 1 or labels.dtype != np.uint8 or (labels.size and labels.max() > 9):
            raise DataError(f"{labels_path}: not MNIST labels (expected uint8 digits 0–9)")
        if len(images) != len(labels):
            raise DataError(
                f"{data_dir}: {images_path.name} holds {len(images):,} images "
                f"but {labels_path.name} holds {len(labels):,} labels"
            )
    if train_images.shape[1:] != test_images.shape[1:]:
        raise DataError(
            f"{data_dir}: training images are {train_images.shape[1:]} pixels "
            f"but test images are {test_images.shape[1:]}"
        )
    return (
        train_images.reshape(len(train_images), -1),
        train_labels.astype(np.int64),
        test_images.reshape(len(test_images), -1),
        test_labels.astype(np.int64),
    )
