"""`nncli train mnist` on small IDX files the tests write themselves, and `--download`
from a local HTTP server (no test touches the internet)."""

import functools
import gzip
import hashlib
import http.server
import struct
import threading

import numpy as np
import pytest
from conftest import json_lines, run

from nncli import data
from nncli.config import RunConfig
from nncli.data import mnist_download
from nncli.tasks import get_task

N_TRAIN, N_TEST = 300, 60


def idx_bytes(array):
    """The IDX encoding of a uint8 array: magic 0x0000 08 <ndim>, the sizes, the bytes."""
    array = np.asarray(array, dtype=np.uint8)
    return bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def mnist_like(n, seed):
    """n 28×28 images that look like digits: the shipped 8×8 digits enlarged ×3, placed
    at a random offset, with noise — so a network can learn them, a little."""
    X, y = data.load_digits()
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(X), n)
    images = np.zeros((n, 28, 28))
    for i, (row, col) in zip(range(n), rng.integers(0, 5, (n, 2))):
        images[i, row : row + 24, col : col + 24] = np.kron(X[pick[i]].reshape(8, 8) * 15, np.ones((3, 3)))
    images = np.clip(images + rng.normal(0, 10, images.shape), 0, 255)
    return images.astype(np.uint8), y[pick].astype(np.uint8)


def write_mnist(folder, gz=("train-images-idx3-ubyte", "t10k-labels-idx1-ubyte")):
    """The four standard files in `folder`, some gzip'd and some not; returns the arrays."""
    folder.mkdir(parents=True, exist_ok=True)
    train_images, train_labels = mnist_like(N_TRAIN, 0)
    test_images, test_labels = mnist_like(N_TEST, 1)
    arrays = dict(zip(data.MNIST_FILES, (train_images, train_labels, test_images, test_labels)))
    for name, array in arrays.items():
        raw = idx_bytes(array)
        if name in gz:
            (folder / f"{name}.gz").write_bytes(gzip.compress(raw))
        else:
            (folder / name).write_bytes(raw)
    return arrays


def test_train_mnist_on_idx_files_then_evaluate_and_inspect(tmp_path, model_home):
    write_mnist(tmp_path / "mnist")
    result = run("train", "mnist", "--data-dir", str(tmp_path / "mnist"), "--epochs", "3", "--json")
    assert result.exit_code == 0, result.stderr
    events = json_lines(result)
    start, summary = events[0], events[-1]
    assert start["task"] == "mnist" and start["parameters"] == 109_386  # 784-128-64-10
    assert start["config"]["hidden"] == [128, 64]
    assert all("val_loss" in e for e in events[1:-1] if e["event"] == "epoch")
    assert summary["accuracy"] > 0.3  # ten classes: chance is 0.1
    assert summary["model"] == str(model_home / "mnist.npz")

    model = json_lines(run("inspect", "model", "--json"))[0]
    assert model["parameters"] == 109_386 and model["layers"][0]["in"] == 784
    assert "109,386" in run("inspect", "model").stdout

    refused = run("evaluate", "--json")  # a model file never names a folder nncli opens
    assert refused.exit_code == 1 and "does not reopen" in refused.stderr
    write_mnist(model_home / "mnist")  # the one folder nncli reads MNIST from on its own
    evaluation = json_lines(run("evaluate", "--json"))[0]
    assert evaluation["examples"] == N_TEST and np.array(evaluation["confusion"]).shape == (10, 10)
    assert all(len(m["pixels"]) == 784 and max(m["pixels"]) <= 255 for m in evaluation["mistakes"])

    weights = run("inspect", "weights", "--filters", "2")
    words = " ".join(weights.stdout.split())
    assert "the 2 of its" in words and "28×28 images" in words


def test_pixels_are_scaled_by_255_and_the_scaling_is_saved(tmp_path):
    arrays = write_mnist(tmp_path)
    options = RunConfig(data_dir=str(tmp_path), seed=0, dtype="float32", limit=None)
    dataset = get_task("mnist").load_data(options)
    assert dataset.input_scaling == {"x_mean": [0.0], "x_std": [255.0]}
    np.testing.assert_allclose(dataset.X_test, arrays["t10k-images-idx3-ubyte"].reshape(N_TEST, -1) / 255, rtol=1e-6)
    assert len(dataset.X_train) + len(dataset.validation[0]) == N_TRAIN
    assert dataset.X_train.max() <= 1.0


def test_limit_trains_on_a_seeded_subset(tmp_path):
    write_mnist(tmp_path)
    task = get_task("mnist")
    options = RunConfig(data_dir=str(tmp_path), seed=0, dtype="float32", limit=50)
    dataset = task.load_data(options)
    everything = task.load_data(RunConfig(data_dir=str(tmp_path), seed=0, dtype="float32"))
    assert len(dataset.X_train) == 50
    # The validation and held-out images are all kept: overfitting shows against them.
    np.testing.assert_array_equal(dataset.validation[0], everything.validation[0])
    assert len(dataset.X_test) == N_TEST
    np.testing.assert_array_equal(task.load_data(options).X_train, dataset.X_train)
    assert "--limit keeps 50 to learn from" in dataset.source
    result = run("train", "mnist", "--data-dir", str(tmp_path), "--limit", "40", "--epochs", "1", "--no-save", "-q")
    assert result.exit_code == 0 and "keeps 40 to learn from" in result.stdout


def test_no_data_says_how_to_get_some():
    result = run("train", "mnist", "--epochs", "1")
    assert result.exit_code == 1
    assert "--data-dir" in result.stderr and "--download" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda d: (d / "t10k-labels-idx1-ubyte.gz").unlink(), "MNIST files missing"),
        # images (magic 0x00000803) where the labels (0x00000801) belong
        (
            lambda d: (d / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros((N_TRAIN, 28, 28)))),
            "not MNIST labels",
        ),
        (lambda d: (d / "train-labels-idx1-ubyte").write_bytes(b"\x08\x03\x00\x00rubbish"), "bad magic number"),
        (
            lambda d: (d / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(N_TRAIN - 1))),
            "holds 300 images but",
        ),
        (lambda d: (d / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(N_TRAIN))[:-5]), "truncated"),
    ],
)
def test_bad_idx_files_exit_1_with_a_clear_message(tmp_path, damage, message):
    write_mnist(tmp_path)
    damage(tmp_path)
    result = run("train", "mnist", "--data-dir", str(tmp_path), "--epochs", "1", "--no-save")
    assert result.exit_code == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) <= 2


# --- --download --------------------------------------------------------------------------


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    requests = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        QuietHandler.requests.append(self.path)
        super().do_GET()


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A local HTTP server serving gzip'd MNIST-like files, with nncli pointed at it and
    told their checksums."""
    folder = tmp_path / "mirror"
    write_mnist(folder, gz=data.MNIST_FILES)
    sums = {f"{name}.gz": hashlib.sha256((folder / f"{name}.gz").read_bytes()).hexdigest() for name in data.MNIST_FILES}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(mnist_download, "BASE_URL", f"http://127.0.0.1:{server.server_port}/")
    monkeypatch.setattr(mnist_download, "CHECKSUMS", sums)
    QuietHandler.requests = []
    yield folder
    server.shutdown()
    server.server_close()


def test_download_fetches_verifies_and_trains(mirror, model_home):
    result = run("train", "mnist", "--download", "--epochs", "1", "--json")
    assert result.exit_code == 0, result.stderr
    assert "downloading" in result.stderr
    assert sorted(QuietHandler.requests) == sorted(f"/{name}.gz" for name in data.MNIST_FILES)
    for name in data.MNIST_FILES:
        assert (model_home / "mnist" / f"{name}.gz").read_bytes() == (mirror / f"{name}.gz").read_bytes()
    assert json_lines(result)[-1]["event"] == "summary"

    # Verified files are not fetched again, and plain `train mnist` now finds them.
    QuietHandler.requests = []
    assert run("train", "mnist", "--download", "--epochs", "1", "-q", "--no-save").exit_code == 0
    assert run("train", "mnist", "--epochs", "1", "-q", "--no-save").exit_code == 0
    assert QuietHandler.requests == []


def test_download_into_a_data_dir(mirror, tmp_path):
    target = tmp_path / "here"
    assert run("train", "mnist", "--download", "--data-dir", str(target), "--epochs", "1", "-q").exit_code == 0
    assert sorted(p.name for p in target.iterdir()) == sorted(f"{name}.gz" for name in data.MNIST_FILES)


def test_a_wrong_checksum_keeps_nothing(mirror, model_home, monkeypatch):
    wrong = dict(mnist_download.CHECKSUMS, **{"t10k-images-idx3-ubyte.gz": "0" * 64})
    monkeypatch.setattr(mnist_download, "CHECKSUMS", wrong)
    result = run("train", "mnist", "--download", "--epochs", "1")
    assert result.exit_code == 1
    error = result.stderr[result.stderr.index("nncli:") :]  # after the "downloading …" lines
    assert "SHA-256" in error and "t10k-images-idx3-ubyte.gz" in error and len(error.strip().splitlines()) <= 2
    assert not (model_home / "mnist" / "t10k-images-idx3-ubyte.gz").exists()
    assert not [p for p in (model_home / "mnist").iterdir() if p.name.endswith(".tmp")]


def test_a_missing_file_on_the_mirror_exits_1(mirror):
    (mirror / "train-labels-idx1-ubyte.gz").unlink()
    result = run("train", "mnist", "--download", "--epochs", "1")
    assert result.exit_code == 1
    assert "cannot download" in result.stderr and "--data-dir" in result.stderr


def test_the_published_checksums_are_the_standard_ones():
    # TensorFlow Datasets' url_checksums/mnist.txt lists the same four sums.
    assert mnist_download.CHECKSUMS["train-images-idx3-ubyte.gz"].startswith("440fcabf73cc546f")
    assert mnist_download.CHECKSUMS["t10k-labels-idx1-ubyte.gz"].startswith("f7ae60f92e00ec6d")
    assert mnist_download.BASE_URL.startswith("https://")


def test_a_cnn_on_mnist_pools_28_to_7_and_predicts_raw_pixels(tmp_path):
    write_mnist(tmp_path)
    saved = tmp_path / "cnn.npz"
    result = run("train", "mnist", "--data-dir", str(tmp_path), "--conv", "2,3", "--hidden", "0", "--limit", "60",
                 "--epochs", "1", "--save", str(saved), "-q")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    model = json_lines(run("inspect", "model", str(saved), "--json"))[0]
    assert model["layers"][0] == {"type": "unflatten", "in": 784, "shape": [1, 28, 28]}
    assert {"type": "linear", "in": 3 * 7 * 7, "out": 10, "bias": True} in model["layers"]
    pixels = ",".join(["0"] * 784)
    assert run("predict", str(saved), pixels).exit_code == 0
