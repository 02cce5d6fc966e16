"""What users install: the distribution's name and metadata, as the installed copy of
nncli reports them (the editable checkout or the wheel CI installs)."""

from importlib.metadata import distribution

from nncli import DISTRIBUTION


def test_the_distribution_has_its_own_name_and_installs_the_nncli_command():
    installed = distribution(DISTRIBUTION)
    assert installed.metadata["Name"] == "nncli-learn"
    assert [(e.name, e.value) for e in installed.entry_points if e.group == "console_scripts"] == [
        ("nncli", "nncli.__main__:run")
    ]
    assert installed.metadata["License-Expression"] == "MIT"


def test_every_install_hint_names_the_distribution():
    from nncli.data import REINSTALL
    from nncli.export import ONNX_MISSING

    assert 'pip install "nncli-learn[onnx]"' in ONNX_MISSING
    assert REINSTALL.endswith("pip install --force-reinstall nncli-learn")
