"""Fetch the four MNIST files, and trust them only once their SHA-256 sums match.

The files come from the mirror PyTorch's torchvision uses (the original site at
yann.lecun.com no longer serves them reliably). Each is streamed into a temporary file in
the target folder, hashed on the way, and renamed into place only if its sum is the one
published for it, so a broken or tampered download never looks like data. A file already
present with the right sum is not fetched again.
"""

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from nncli.errors import DataError

BASE_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"

# SHA-256 of the standard gzip'd files, as published in TensorFlow Datasets'
# url_checksums/mnist.txt (with their sizes: 9,912,422 / 28,881 / 1,648,877 / 4,542 bytes).
CHECKSUMS = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
MAX_BYTES = 20_000_000  # the largest file is 9.9 MB; a mirror sending more is refused
TIMEOUT_S = 30
CHUNK = 1 << 16


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(folder, on_download=None):
    """Make sure `folder` holds the four verified MNIST files; return the folder.

    `on_download(name, url)` is called before each file that has to be fetched.
    Raises DataError if a file cannot be fetched or its SHA-256 sum is wrong.
    """
    folder = Path(folder).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"cannot create {folder} for the MNIST files: {exc.strerror or exc}") from None
    for name, expected in CHECKSUMS.items():
        path = folder / name
        if path.is_file() and sha256_of(path) == expected:
            continue
        url = BASE_URL + name
        if on_download is not None:
            on_download(name, url)
        _download(url, path, expected)
    return folder


def _download(url, path, expected):
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        digest, size = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            for block in iter(lambda: response.read(CHUNK), b""):
                size += len(block)
                if size > MAX_BYTES:
                    raise DataError(f"{url}: more than {MAX_BYTES:,} bytes, not an MNIST file; refused")
                digest.update(block)
                out.write(block)
        if digest.hexdigest() != expected:
            raise DataError(
                f"{url}: wrong SHA-256 ({digest.hexdigest()[:16]}…, not the published {expected[:16]}…); not kept\n"
                "try again later, or fetch the four files yourself and use --data-dir"
            )
        os.replace(tmp_name, path)
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:  # HTTPError is a URLError
        reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc
        raise DataError(
            f"cannot download {url}: {reason}\n"
            "check the connection, or fetch the four files yourself and use --data-dir"
        ) from None
    finally:
        Path(tmp_name).unlink(missing_ok=True)
