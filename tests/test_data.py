"""Datasets: generated data, CSV, the shipped digits, MNIST IDX files, splits and batches."""

import gzip
import hashlib
import io
import re
import struct
from importlib.resources import files

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nncli import data
from nncli.data import tables
from nncli.errors import DataError

# --- generated data ----------------------------------------------------------------------


def test_xor_in_canonical_order():
    X, y = data.xor()
    assert X.dtype == y.dtype == np.float64
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [[0], [1], [1], [0]])


def test_noisy_line_is_seeded_and_follows_the_line():
    x, y = data.noisy_line(n=500, slope=-3.0, intercept=0.5, noise=0.1, seed=7, x_range=(0, 2))
    assert x.shape == y.shape == (500, 1) and x.dtype == y.dtype == np.float64
    assert x.min() >= 0 and x.max() <= 2
    slope, intercept = np.polyfit(x.ravel(), y.ravel(), 1)
    assert slope == pytest.approx(-3.0, abs=0.05) and intercept == pytest.approx(0.5, abs=0.05)
    again = data.noisy_line(n=500, slope=-3.0, intercept=0.5, noise=0.1, seed=7, x_range=(0, 2))
    np.testing.assert_array_equal(again[1], y)
    assert not np.array_equal(data.noisy_line(seed=8)[0], data.noisy_line(seed=7)[0])


def test_noisy_line_without_noise_is_exact():
    x, y = data.noisy_line(n=10, noise=0.0)
    np.testing.assert_allclose(y, 2.0 * x + 1.0)


# --- CSV ---------------------------------------------------------------------------------


def test_read_csv_plain_header_blank_lines_and_spaces(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x, y\n1, 2\n\n3.5,-4e1\r\n")
    table = data.read_csv(path)
    assert table.dtype == np.float64
    np.testing.assert_array_equal(table, [[1, 2], [3.5, -40]])


def test_read_csv_gzip_and_n_columns(tmp_path):
    path = tmp_path / "d.csv.gz"
    path.write_bytes(gzip.compress(b"1,2,3\n4,5,6\n"))
    np.testing.assert_array_equal(data.read_csv(path, n_columns=3), [[1, 2, 3], [4, 5, 6]])


def test_parse_rows_from_arguments():
    table = data.parse_rows(["0,1", "1,1\n"], "<stdin>", 2)
    np.testing.assert_array_equal(table, [[0, 1], [1, 1]])


@pytest.mark.parametrize(
    "text, n_columns, message",
    [
        ("1,2\n3,4\n5,x\n", None, "{f}, line 3, column 2: 'x' is not a number"),
        ("a,b\n1,2\n3,\n", None, "{f}, line 3, column 2: the cell is empty"),
        ("1,nan\n", None, "{f}, line 1, column 2: 'nan' is not a finite number"),
        ("1,2\n-inf,2\n", None, "{f}, line 2, column 1: '-inf' is not a finite number"),
        ("1,2\n\n1,2,3\n", None, "{f}, line 3: expected 2 columns (as on line 1), found 3"),
        ("1,2\n", 3, "{f}, line 1: expected 3 columns, found 2"),
        ("x,y\n", 3, "{f}, line 1: expected 3 columns, found 2"),
        ("", None, "{f}: no rows of numbers (it is empty)"),
        ("\n\n", None, "{f}: no rows of numbers (it is empty)"),
        ("x,y\n", None, "{f}: no rows of numbers (only a header)"),
        ("x,1\n", None, "{f}, line 1, column 1: 'x' is not a number"),
    ],
)
def test_read_csv_errors_name_file_line_and_column(tmp_path, text, n_columns, message):
    path = tmp_path / "d.csv"
    path.write_text(text)
    with pytest.raises(DataError) as caught:
        data.read_csv(path, n_columns)
    assert str(caught.value) == message.format(f=path)


RANDOM_CSV = "\n".join(map(str, np.random.default_rng(0).random(100))).encode()


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p, "{f}: no such file"),
        (lambda p: p.mkdir(), "{f}: is a folder, not a file"),
        (lambda p: p.write_bytes(b"1,2\n\xff\xfe\n"), "{f}: not a text file (it is not UTF-8)"),
        (lambda p: p.write_bytes(gzip.compress(RANDOM_CSV)[:200]), "{f}: cannot read it"),
    ],
)
def test_read_csv_unreadable_files(tmp_path, make, message):
    path = tmp_path / "d.csv"
    make(path)
    with pytest.raises(DataError) as caught:
        data.read_csv(path)
    assert str(caught.value).startswith(message.format(f=path))
    assert str(caught.value).count("\n") == 0


# --- digits ------------------------------------------------------------------------------

DIGITS_CSV_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"  # datasets/README.md


def test_digits_shape_range_and_checksums():
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16
    counts = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    np.testing.assert_array_equal(np.bincount(y), counts)
    assert X.sum() == 561718


def test_shipped_npz_holds_exactly_the_published_csv():
    # digits.npz is derived from digits.csv.gz (whose provenance and SHA-256 are in
    # datasets/README.md): both must always hold the same numbers.
    csv = files("nncli.datasets") / "digits.csv.gz"
    assert hashlib.sha256(csv.read_bytes()).hexdigest() == DIGITS_CSV_SHA256
    with csv.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        table = data.parse_rows(text, "digits.csv.gz", n_columns=65)
    X, y = data.load_digits()
    np.testing.assert_array_equal(X, table[:, :-1])
    np.testing.assert_array_equal(y, table[:, -1])


def test_shipped_iris_is_the_one_datasets_readme_describes():
    readme = (files("nncli.datasets") / "README.md").read_text(encoding="utf-8")
    section = readme.split("## iris.csv")[1].split("\n## ")[0]
    published = re.findall(r"SHA-256\*\*: `([0-9a-f]{64})`", section)
    shipped = files("nncli.datasets") / "iris.csv"
    assert published == [hashlib.sha256(shipped.read_bytes()).hexdigest()]
    table = tables.read_table(str(shipped))
    assert table.header == ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"]
    species = [row[4] for row in table.rows]
    assert {name: species.count(name) for name in set(species)} == {"setosa": 50, "versicolor": 50, "virginica": 50}
    # the means scikit-learn's iris.rst publishes for its copy
    means = np.array([[float(cell) for cell in row[:4]] for row in table.rows]).mean(axis=0)
    np.testing.assert_allclose(means, [5.84, 3.05, 3.76, 1.20], atol=0.01)


def _npz_bytes(**arrays):
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


GOOD_IMAGES, GOOD_LABELS = np.zeros((1797, 8, 8), np.uint8), np.zeros(1797, np.uint8)


@pytest.mark.parametrize(
    "content",
    [
        _npz_bytes(images=GOOD_IMAGES[:10], labels=GOOD_LABELS[:10]),
        _npz_bytes(images=GOOD_IMAGES, labels=GOOD_LABELS + 10),
        _npz_bytes(images=GOOD_IMAGES.astype(np.float64), labels=GOOD_LABELS),
        _npz_bytes(images=GOOD_IMAGES),
        b"not an npz at all",
    ],
    ids=["wrong shape", "label out of range", "wrong dtype", "no labels", "not npz"],
)
def test_damaged_digits_are_reported(tmp_path, monkeypatch, content):
    (tmp_path / "digits.npz").write_bytes(content)
    monkeypatch.setattr(data, "files", lambda package: tmp_path)
    with pytest.raises(DataError, match="digits data shipped with nncli is damaged"):
        data.load_digits()


# --- splits and batches ------------------------------------------------------------------


def test_stratified_split_keeps_class_proportions():
    y = np.repeat(np.arange(3), [50, 30, 20])
    train, test = data.stratified_split(y, test_fraction=0.2, seed=1)
    assert np.intersect1d(train, test).size == 0
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(100))
    np.testing.assert_array_equal(np.bincount(y[test]), [10, 6, 4])
    again = data.stratified_split(y, test_fraction=0.2, seed=1)
    np.testing.assert_array_equal(again[1], test)
    assert not np.array_equal(data.stratified_split(y, 0.2, seed=2)[1], test)


def test_stratified_split_on_digits():
    _, y = data.load_digits()
    train, test = data.stratified_split(y, 0.25, seed=0)
    fractions = np.bincount(y[test]) / np.bincount(y)
    assert np.all(np.abs(fractions - 0.25) < 0.01)
    assert len(train) + len(test) == len(y)


def test_train_test_split():
    train, test = data.train_test_split(10, 0.3, seed=0)
    assert len(test) == 3 and len(train) == 7
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(10))


@pytest.mark.parametrize("fraction", [0, 1, -0.1, 1.5])
def test_split_fraction_must_be_between_0_and_1(fraction):
    with pytest.raises(ValueError):
        data.train_test_split(10, fraction)
    with pytest.raises(ValueError):
        data.stratified_split(np.zeros(10), fraction)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 200), batch_size=st.integers(1, 64), shuffle=st.booleans())
def test_batches_cover_every_index_once(n, batch_size, shuffle):
    batches = data.batch_indices(n, batch_size, np.random.default_rng(0), shuffle=shuffle)
    assert all(len(b) == batch_size for b in batches[:-1])
    assert all(0 < len(b) <= batch_size for b in batches)
    joined = np.concatenate(batches) if batches else np.array([], int)
    np.testing.assert_array_equal(np.sort(joined), np.arange(n))
    if not shuffle:
        np.testing.assert_array_equal(joined, np.arange(n))


def test_batches_are_identical_for_the_same_seed():
    first = data.batch_indices(100, 32, np.random.default_rng(5))
    second = data.batch_indices(100, 32, np.random.default_rng(5))
    assert [len(b) for b in first] == [32, 32, 32, 4]
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    assert not np.array_equal(first[0], np.arange(32))


def test_batch_size_must_be_positive():
    with pytest.raises(ValueError):
        data.batch_indices(10, 0, np.random.default_rng(0))


# --- MNIST IDX files ---------------------------------------------------------------------


def idx_bytes(array, code=0x08):
    dtype = {0x08: ">u1", 0x0C: ">i4", 0x0D: ">f4"}[code]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.asarray(array, dtype=dtype).tobytes()


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize(
    "code, values",
    [
        (0x08, np.arange(24).reshape(2, 3, 4)),
        (0x0C, np.array([-5, 70000])),
        (0x0D, np.array([[1.5, -2.25]])),
    ],
)
def test_read_idx_raw_and_gzip(tmp_path, compress, code, values):
    raw = idx_bytes(values, code)
    path = tmp_path / "f-idx"
    path.write_bytes(gzip.compress(raw) if compress else raw)
    array = data.read_idx(path)
    assert array.dtype.isnative and array.shape == values.shape
    np.testing.assert_array_equal(array, values)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "not an IDX file (bad magic number 0x-)"),
        (b"\x01\x00\x08\x01\x00\x00\x00\x02ab", "not an IDX file (bad magic number 0x01000801)"),
        (b"\x00\x00\x07\x01\x00\x00\x00\x02ab", "not an IDX file"),
        (b"\x00\x00\x08\x02\x00\x00\x00\x02", "truncated (the header ends early)"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x04ab", "truncated (its header promises 4 bytes of data, found 2)"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x01ab", "longer than its header says (1 bytes of data)"),
        (b"\x00\x00\x0e\x03\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x10", "refused"),
    ],
)
def test_read_idx_refuses_bad_files(tmp_path, content, message):
    path = tmp_path / "f-idx"
    path.write_bytes(content)
    with pytest.raises(DataError) as caught:
        data.read_idx(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_read_idx_corrupt_gzip(tmp_path):
    path = tmp_path / "f.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.zeros((50, 50))))[:40])
    with pytest.raises(DataError, match="cannot read it"):
        data.read_idx(path)


def write_mnist(folder, n_train=5, n_test=3, gz=("train-images-idx3-ubyte",)):
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28)),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28)),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test),
    }
    for name, array in arrays.items():
        raw = idx_bytes(array)
        if name in gz:
            (folder / f"{name}.gz").write_bytes(gzip.compress(raw))
        else:
            (folder / name).write_bytes(raw)
    return arrays


def test_load_mnist(tmp_path):
    arrays = write_mnist(tmp_path)
    X_train, y_train, X_test, y_test = data.load_mnist(tmp_path)
    assert X_train.shape == (5, 784) and X_test.shape == (3, 784)
    assert X_train.dtype == np.uint8 and y_train.dtype == y_test.dtype == np.int64
    np.testing.assert_array_equal(X_train, arrays["train-images-idx3-ubyte"].reshape(5, -1))
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte"])


def test_load_mnist_missing_files_say_what_to_do(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DataError) as caught:
        data.load_mnist(tmp_path)
    message = str(caught.value)
    assert str(tmp_path) in message and "t10k-labels-idx1-ubyte" in message
    assert "--data-dir" in message and "--download" in message
    assert message.count("\n") == 1


def test_load_mnist_missing_folder(tmp_path):
    with pytest.raises(DataError, match="no such folder(.|\n)*--download"):
        data.load_mnist(tmp_path / "nope")


def test_load_mnist_counts_must_agree(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(4)))
    with pytest.raises(DataError, match="holds 5 images but train-labels-idx1-ubyte holds 4"):
        data.load_mnist(tmp_path)
