"""Work never lost to a hostile or unlucky setup: an export aimed at its own model, a page
written onto a full disk, a link in the model store that points at someone else's file."""

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run

HANG_GUARD_S = 120  # a generous bound so a regression fails instead of hanging; not a timing test


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "xor.npz"
    assert run("train", "xor", "--epochs", "1", "-q", "--save", path).exit_code == 0
    return path


@pytest.mark.parametrize("spelling", ["same path", "through a link"])
def test_export_onto_its_own_model_is_refused_and_the_model_kept(model, spelling):
    target = model
    if spelling == "through a link":
        target = model.with_name("alias.npz")
        target.symlink_to(model)
    before = model.read_bytes()
    refused = run("export", model, target, "--to", "json", "--force")
    assert refused.exit_code == 1 and "is the model being exported" in refused.stderr
    assert model.read_bytes() == before
    assert run("inspect", "model", model).exit_code == 0


def _full_disk():
    """In the child: files may grow to 4 KB only, as on a disk that is full (EFBIG, not a signal)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="needs RLIMIT_FSIZE")
@pytest.mark.parametrize("option", ["--html", "--svg"])
def test_a_lesson_page_that_cannot_be_written_keeps_the_file_there(tmp_path, option):
    page = tmp_path / "page"
    page.write_text("the user's own page\n")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[1]), os.environ.get("PYTHONPATH", "")]),
    }
    failed = subprocess.run(
        [sys.executable, "-m", "nncli", "learn", "1", option, str(page)],
        preexec_fn=_full_disk,
        capture_output=True,
        text=True,
        env=env,
        timeout=HANG_GUARD_S,
    )
    assert failed.returncode == 1 and "cannot write" in failed.stderr and "Traceback" not in failed.stderr
    assert page.read_text() == "the user's own page\n"
    assert [p.name for p in tmp_path.iterdir()] == ["page"]  # no temporary file left behind


def test_a_link_in_the_store_to_another_users_file_is_not_written_through(model_home, tmp_path, monkeypatch):
    victim = tmp_path / "someone_elses.npz"
    victim.write_bytes(b"their work")
    model_home.mkdir()
    (model_home / "xor.npz").symlink_to(victim)
    monkeypatch.setattr(os, "getuid", lambda: os.stat(victim).st_uid + 1)  # the link and file are another user's
    refused = run("train", "xor", "--epochs", "1")
    assert refused.exit_code == 1 and "another user's" in refused.stderr
    assert victim.read_bytes() == b"their work"


def test_a_link_of_ones_own_is_still_written_through(model_home, tmp_path):
    kept_elsewhere = tmp_path / "elsewhere.npz"
    assert run("train", "xor", "--epochs", "1", "-q", "--save", kept_elsewhere).exit_code == 0
    model_home.mkdir(exist_ok=True)
    (model_home / "xor.npz").symlink_to(kept_elsewhere)
    assert run("train", "xor", "--epochs", "2", "-q", "--force").exit_code == 0
    assert (model_home / "xor.npz").is_symlink()
    assert '"epochs_run": 2' in kept_elsewhere.read_bytes().decode("latin-1")
