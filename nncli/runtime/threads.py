"""How many BLAS threads nncli runs with: one, and more only for big training work.

NumPy's BLAS (OpenBLAS, as installed) starts one thread per core and splits every matrix
product between them. For the small matrices of small networks that costs more than it
saves — waking the threads and waiting for the slowest — and on a machine where anything
else is running the threads fight for the cores: an MNIST-sized epoch measured 15 s with
the default threads beside another busy process, against 1.3 s with one. So a run gets
one thread unless its largest matrix product is big enough for more to pay; on a 2-core
machine they began to pay at about 2**25 multiply-adds per product (a batch of 512
through a 256×256 layer), see docs/speed.md, "Threads".

The choice reaches BLAS through the environment variables it reads when it loads, so it
must be made before NumPy is first imported: the command line does it before its command
bodies import anything. (threadpoolctl can change the count of an already loaded BLAS;
we measured it at 14 ms of import and set-up per run, and it would be a fourth runtime
dependency, for a choice made once per process before NumPy loads anyway.) A variable the
user set is theirs: it is left alone, unless `--threads` asks otherwise.

Every other command gets one thread too (`one_unless_set`, before any command runs): its
products are far too small to gain from more, and starting the threads alone cost every
command 0.06 CPU-seconds (`import numpy`: 0.25 CPU-s, 0.18 with one thread, on 2 cores).
Because nncli's own choice then sits in the same variables, it is marked (OWN, which child
processes inherit too) so that it is never taken for the user's.
"""

import os
import sys

VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
OWN = "NNCLI_BLAS_THREADS"  # the count nncli itself wrote into VARIABLES, when it did
BIG_PRODUCT = 2**25  # multiply-adds in one matrix product from which more threads pay


def setting():
    """(variable, value) of the first thread variable set, by the user or by nncli, or None:
    what BLAS reads when it loads."""
    for name in VARIABLES:
        if os.environ.get(name):
            return name, os.environ[name]
    return None


def user_setting():
    """(variable, value) of the first thread variable the user set, or None."""
    found = setting()
    if found is None or found[1] == os.environ.get(OWN):
        return None  # unset, or the value nncli wrote itself
    return found


def cores():
    """The processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def largest_product(sizes, batch):
    """Multiply-adds of the largest matrix product in a step through layers of `sizes`
    (inputs first) on batches of `batch` rows."""
    return batch * max((a * b for a, b in zip(sizes[:-1], sizes[1:])), default=0)


def choose(requested, sizes, batch):
    """(threads, reason): `--threads` if given, else the user's variable, else by the work."""
    if requested is not None:
        return requested, "--threads"
    setting = user_setting()
    if setting is not None:
        name, value = setting
        return value, f"{name} set by the user"
    if largest_product(sizes, batch) >= BIG_PRODUCT:
        return cores(), f"a big network: products of {largest_product(sizes, batch):.1e} multiply-adds"
    return 1, "a small network"


def limit(threads):
    """Ask BLAS for `threads` threads; it listens only if NumPy has not been imported yet.
    Returns whether the setting can take effect."""
    if "numpy" in sys.modules:
        return False
    for name in (*VARIABLES, OWN):
        os.environ[name] = str(threads)
    return True


def one_unless_set():
    """One BLAS thread for whatever command runs, unless the user set a variable (a command
    that does big work chooses again, with `setup`, before it loads NumPy)."""
    if user_setting() is None:
        limit(1)


def setup(requested, sizes, batch):
    """Choose the threads for a run and apply them; returns (threads, reason)."""
    threads, reason = choose(requested, sizes, batch)
    if requested is not None or user_setting() is None:
        limit(threads)
    return threads, reason
