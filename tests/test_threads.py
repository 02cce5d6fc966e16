"""BLAS threads: one for small networks, more for big work, and the user's choice respected."""

import os
import platform
import subprocess
import sys

import pytest

from nncli.runtime import threads

PROBE = """
import sys
from nncli.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    import numpy  # loaded by the command or now: either way with the threads it was given
    from threadpoolctl import threadpool_info
    print(max(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"))
"""


def blas_threads_after(*args, env_extra=None):
    """The BLAS thread count inside a fresh `nncli ARGS` process, when it has finished."""
    pytest.importorskip("threadpoolctl")
    env = {k: v for k, v in os.environ.items() if k not in (*threads.VARIABLES, threads.OWN)}
    env.update(env_extra or {})
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    return int(result.stdout.split()[-1])


XOR = ("train", "xor", "--epochs", "2", "--no-save", "--quiet")


def test_small_networks_get_one_thread():
    assert blas_threads_after(*XOR) == 1


def test_threads_option_wins():
    assert blas_threads_after(*XOR, "--threads", "2") == 2
    assert blas_threads_after(*XOR, "--threads", "1", env_extra={"OPENBLAS_NUM_THREADS": "2"}) == 1


def test_the_users_variable_is_respected():
    assert blas_threads_after(*XOR, env_extra={"OPENBLAS_NUM_THREADS": "2"}) == 2


def test_every_command_gets_one_thread_unless_the_user_set_more(trained_xor):
    for command in (("inspect", "weights", trained_xor), ("visualize", trained_xor, "--json"), ("--help",)):
        assert blas_threads_after(*map(str, command)) == 1, command
    assert blas_threads_after("inspect", "weights", str(trained_xor), env_extra={"OMP_NUM_THREADS": "2"}) == 2


def test_nncli_s_own_choice_is_not_taken_for_the_users(monkeypatch):
    """What a command (or its parent nncli process) wrote leaves a big network free to choose more."""
    for name in threads.VARIABLES:
        monkeypatch.setenv(name, "1")
    monkeypatch.setenv(threads.OWN, "1")
    assert threads.user_setting() is None and threads.setting() == ("OPENBLAS_NUM_THREADS", "1")
    assert threads.choose(None, [784, 2048, 2048, 10], 4096)[0] == threads.cores()
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")  # the user's, set after nncli wrote its own
    assert threads.choose(None, [784, 2048, 2048, 10], 4096) == ("2", "OPENBLAS_NUM_THREADS set by the user")


def test_choice_by_the_work(monkeypatch):
    for name in threads.VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert threads.choose(None, [784, 128, 64, 10], 64) == (1, "a small network")
    count, reason = threads.choose(None, [784, 2048, 2048, 10], 4096)
    assert count == threads.cores() and reason.startswith("a big network")
    assert threads.choose(3, [2, 4, 1], 4) == (3, "--threads")
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    assert threads.choose(None, [784, 2048, 2048, 10], 4096) == ("4", "OMP_NUM_THREADS set by the user")


def test_largest_product():
    assert threads.largest_product([784, 128, 64, 10], 64) == 64 * 784 * 128
    assert threads.largest_product([1], 10) == 0


def test_no_effect_once_numpy_is_loaded(monkeypatch):
    import numpy  # noqa: F401

    for name in threads.VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert threads.limit(1) is False
    assert "OPENBLAS_NUM_THREADS" not in os.environ


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the allocator's knob is glibc's")
def test_the_command_line_can_keep_freed_memory_for_the_next_step():
    from nncli.runtime import memory

    assert memory.keep_freed_memory() is True
