"""Hostile text: escape sequences and markup in class labels, file names and formulas reach
a person only inert (ESC shown as \\x1b), through the one function nncli.text.inert — and
never as a crash, nor as an SVG that is not well-formed XML.

Each test makes the attack by hand (a CSV whose label is an OSC 52 clipboard write, a model
file named with a terminal title sequence, a formula holding a CSI) and runs the command a
user would.
"""

import json
import xml.dom.minidom

import numpy as np
import pytest
from conftest import run

CLIPBOARD_WRITE = "\x1b]52;c;cm0gLXJmIH4=\x07"  # OSC 52: sets the clipboard on many terminals
RETITLE = "\x1b]0;owned\x07"
CSI = "\x9b"  # the one-character Control Sequence Introducer


def no_raw_escapes(result):
    for text in (result.stdout, result.stderr):
        assert "\x1b" not in text and CSI not in text and "\x07" not in text, text


@pytest.fixture(scope="module")
def label_table(tmp_path_factory):
    """A table whose class labels are a clipboard write and a retitling."""
    path = tmp_path_factory.mktemp("labels") / "labels.csv"
    rows = [f"{i % 2},{(i * 7) % 5},{CLIPBOARD_WRITE if i % 2 else RETITLE}" for i in range(40)]
    path.write_text("a,b,label\n" + "\n".join(rows) + "\n")
    return path


def rewrite_meta(path, change):
    """Rewrite a model file's metadata with `change(meta)` applied (the weights untouched)."""
    with np.load(path) as npz:
        arrays = {key: npz[key] for key in npz.files}
    meta = json.loads(arrays["__meta__"].tobytes())
    change(meta)
    arrays["__meta__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(path, **arrays)


def test_predict_shows_a_class_label_from_the_file_inert(label_table, tmp_path):
    model = tmp_path / "labels.npz"
    trained = run("train", "csv", "--data", label_table, "--target", "label", "--epochs", "1", "-q", "--save", model)
    assert trained.exit_code == 0, trained.stderr
    answered = run("predict", model, "1,0", "0,0", "1,4", env={"COLUMNS": "120"})
    assert answered.exit_code == 0, answered.stderr
    no_raw_escapes(answered)
    assert answered.stdout.count("\\x1b]") == 3  # each row's label, as text


def test_a_lone_surrogate_in_a_class_label_is_shown_not_a_crash(label_table, tmp_path):
    model = tmp_path / "surrogate.npz"
    assert run("train", "csv", "--data", label_table, "--target", "label", "--epochs", "1", "-q", "--save", model)
    rewrite_meta(model, lambda meta: meta["table"].update(classes=["plain\ud800", "\udcff"]))
    answered = run("predict", model, "1,0", "0,0", "1,4")
    assert answered.exit_code == 0, answered.stderr
    assert "\\ud800" in answered.stdout or "\\udcff" in answered.stdout  # whichever class it picks
    as_json = run("predict", model, "1,0", "--json")
    assert as_json.exit_code == 0 and json.loads(as_json.stdout)["prediction"] in ("plain\ud800", "\udcff")


@pytest.fixture
def escaped_model(tmp_path):
    path = tmp_path / f"m{RETITLE}[red]x.npz"
    assert run("train", "xor", "--epochs", "1", "-q", "--save", path).exit_code == 0
    return path


def test_export_echoes_the_model_and_file_names_inert(escaped_model, tmp_path):
    out = tmp_path / f"out{RETITLE}.json"
    exported = run("export", escaped_model, out)
    assert exported.exit_code == 0, exported.stderr
    no_raw_escapes(exported)
    assert "\\x1b]0;owned\\x07" in exported.stdout and out.is_file()


def test_replay_view_error_names_the_file_inert_in_two_lines(escaped_model):
    refused = run("replay", escaped_model, "--view", f"nope{CSI}2J")
    assert refused.exit_code == 2
    no_raw_escapes(refused)
    assert "\\x1b]0;owned" in refused.stderr and "\\x9b2J" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) <= 2


def test_where_a_model_was_saved_is_said_inert(tmp_path):
    built = run("approx", "sin", "--method", "construct", "--save", tmp_path / f"c{RETITLE}.npz")
    assert built.exit_code == 0, built.stderr
    no_raw_escapes(built)
    assert "model saved to" in built.stderr and "\\x1b]0;owned" in built.stderr


@pytest.mark.parametrize("escape", ["\x1b[2J", CSI + "2J", RETITLE])
@pytest.mark.parametrize(
    "command",
    [["inspect", "graph"], ["approx", "--epochs", "1", "--no-save", "--expr"], ["descend", "--expr"]],
    ids=["inspect graph", "approx --expr", "descend --expr"],
)
def test_a_formula_error_quotes_the_formula_inert_and_points_at_the_spot(command, escape):
    refused = run(*command, f"x + 1{escape} + y")
    assert refused.exit_code == 2
    no_raw_escapes(refused)
    lines = refused.stderr.splitlines()
    formula = next(line for line in lines if "x + 1" in line and "+ y" in line)
    carets = lines[lines.index(formula) + 1]
    assert formula[carets.index("^")] == "\\"  # the caret under the escape as shown


def test_an_svg_of_a_model_named_with_escapes_is_well_formed_xml(escaped_model, tmp_path):
    svg = tmp_path / "diagram.svg"
    drawn = run("inspect", "network", escaped_model, "--svg", svg)
    assert drawn.exit_code == 0, drawn.stderr
    no_raw_escapes(drawn)
    xml.dom.minidom.parse(str(svg))  # raises on anything that is not well-formed


def test_a_wrong_input_is_a_two_line_usage_error(tmp_path):
    model = tmp_path / "x.npz"
    assert run("train", "xor", "--epochs", "1", "-q", "--save", model).exit_code == 0
    for args in (
        ["predict", model, "1", "2", "3"],
        ["explain", "backprop", model, "--input", "1,2,3"],
        ["inspect", "network", model, "--input", "1,2,3"],
        ["visualize", model, "--view", "nope"],
    ):
        refused = run(*args)
        lines = refused.stderr.strip().splitlines()
        assert refused.exit_code == 2 and len(lines) == 2, (args, refused.stderr)
        assert lines[0].startswith("nncli: ") and "--help" in lines[1]


def test_explain_names_the_model_inert(escaped_model):
    explained = run("explain", "backprop", escaped_model, env={"COLUMNS": "200"})
    assert explained.exit_code == 0, explained.stderr
    no_raw_escapes(explained)
    assert "Backpropagation through m\\x1b]0;owned\\x07[red]x.npz" in explained.stdout
