"""What every test shares: a temporary model store, and the ways tests run the CLI.

The store fixture is autouse and also points HOME and XDG_DATA_HOME at the temporary
folder, so no test can read or write the user's own models — not even one that forgets
to pass --save, nor code that ignored NNCLI_HOME.
"""

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

# The user's real store, as it was before any fixture ran: test_conftest.py checks that
# the test session leaves it as it found it.
REAL_HOME = os.environ.get("HOME", "")
REAL_NNCLI_HOME = os.environ.get("NNCLI_HOME", "")
REAL_XDG_DATA_HOME = os.environ.get("XDG_DATA_HOME", "")


@pytest.fixture(autouse=True)
def model_home(tmp_path, monkeypatch):
    """A fresh, empty model store for every test (not created until something saves)."""
    home = tmp_path / "store"
    monkeypatch.setenv("NNCLI_HOME", str(home))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return home


def run(*args, input=None, env=None):
    """Invoke `nncli ARGS` in-process; a traceback in either stream fails the test."""
    from nncli.cli import main

    result = CliRunner().invoke(main, [str(a) for a in args], input=input, env=env)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    return result


def json_lines(text):
    """The JSON objects of JSON Lines output; every line must be one, with an "event"."""
    if not isinstance(text, str):
        text = text.stdout
    lines = text.splitlines()
    assert lines, "no output"
    events = [json.loads(line) for line in lines]
    assert all("event" in event for event in events)
    return events


def real_store():
    """The model store the user would have without the test fixture."""
    if REAL_NNCLI_HOME:
        return Path(REAL_NNCLI_HOME).expanduser()
    base = Path(REAL_XDG_DATA_HOME) if REAL_XDG_DATA_HOME else Path(REAL_HOME) / ".local" / "share"
    return base / "nncli"
