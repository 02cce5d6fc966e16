"""The test run never touches the user's own model store."""

import os

import pytest
from conftest import SESSION_FOLDER, real_store, run

from nncli import store


def snapshot(folder):
    if not folder.is_dir():
        return None
    return sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in folder.iterdir())


def test_every_test_gets_a_temporary_store(tmp_path):
    assert store.model_home() == (tmp_path / "store").absolute()
    assert real_store().absolute() != store.model_home()


def test_training_with_and_without_save_leaves_the_real_store_alone(tmp_path):
    before = snapshot(real_store())
    assert run("train", "xor", "-q", "--epochs", "3").exit_code == 0
    assert run("train", "xor", "-q", "--epochs", "3", "--save", tmp_path / "elsewhere.npz").exit_code == 0
    assert snapshot(real_store()) == before
    # the model saved elsewhere is still "the model you trained last", in the temporary store
    latest = (store.model_home() / store.LATEST_POINTER).read_text()
    assert latest == str((tmp_path / "elsewhere.npz").absolute())
    assert os.environ["NNCLI_HOME"].startswith(str(tmp_path))


@pytest.fixture(scope="module")
def home_seen_by_a_module_fixture():
    """Module fixtures run before any test's own store: they see the session's."""
    return store.model_home()


def test_fixtures_wider_than_a_test_see_the_session_store_never_the_users(home_seen_by_a_module_fixture):
    assert home_seen_by_a_module_fixture.is_relative_to(SESSION_FOLDER)
    assert real_store().absolute() != home_seen_by_a_module_fixture


@pytest.mark.xdist_group("grouping-check")
def test_a_group_of_tests_is_kept_on_one_worker(request):
    """Tests that share a costly fixture are marked to run on one worker (`xdist_group`, with
    the suite's `--dist loadgroup`), which pytest-xdist does by adding the group to the test's
    id. Some pytest versions ignore that (pytest 9.2.0 with pytest-xdist 3.8.0): then every
    worker builds the fixtures again and the suite takes minutes longer, with no error."""
    if not getattr(request.config.option, "loadgroup", False):  # set on xdist's workers by --dist loadgroup
        pytest.skip("not run by xdist workers with --dist loadgroup")
    assert request.node.nodeid.endswith("@grouping-check"), (
        f"{request.node.nodeid}: the group is not in the test's id, so xdist does not keep groups "
        "on one worker with these versions of pytest and pytest-xdist (see pyproject.toml)"
    )
