"""MNIST: 70,000 handwritten digits of 28 × 28 pixels (0–255), and the classic
784-128-64-10 network of the tutorials (109,386 parameters).

Everything but the data is the digits task: the same network shape, loss, validation
set, metrics and pictures. The data are the four standard IDX files — 60,000 training
images, of which a tenth is set aside for validation, and the 10,000 test images held
out — read from `--data-dir`, or from the model store once `--download` has fetched them.
"""

from nncli import data, store
from nncli.errors import DataError
from nncli.tasks.digits import DigitsTask

DOWNLOAD_SIZE = "about 11 MB"


def store_folder():
    """Where `--download` puts the MNIST files: a folder in the model store."""
    return store.model_home() / "mnist"


def has_files(folder):
    return all((folder / name).is_file() or (folder / f"{name}.gz").is_file() for name in data.MNIST_FILES)


class MnistTask(DigitsTask):
    pixel_max = 255
    digit_box, centring = 20, "mass"  # each digit scaled into 20×20, its centre of mass at the centre of 28×28

    def load_data(self, config):
        folder = config.data_dir
        if folder is None:
            folder = store_folder()
            if not has_files(folder):
                raise DataError(
                    "no MNIST data: give --data-dir DIR (a folder with the four standard IDX files, gzip'd or not),\n"
                    f"or use --download to fetch them ({DOWNLOAD_SIZE}) into {folder}"
                )
        X_train, y_train, X_test, y_test = data.load_mnist(folder)
        if len(X_train) == 0 or len(X_test) == 0:
            raise DataError(f"{folder}: the MNIST files hold no training or no test images")
        source = f"MNIST in {folder} ({len(X_train):,} images to learn from, {len(X_test):,} held out)"
        return self.dataset(X_train, y_train, X_test, y_test, config, source)
