"""Hostile values that used to end in "unexpected error": options past the run
configuration's limits, CSV strings longer than a model file keeps, 400-digit integers and
repeated keys in a model's metadata, a lessons.json nested thousands deep, an approx model
over an infinite domain, a layer list without an activation. Each is now a usage error
(exit 2) or a one-line refusal (exit 1) — or simply works."""

import json

import pytest
from conftest import run
from test_hostile import approx_meta, linreg_meta, write, xor_meta

from nncli.settings import MAX_COUNT, MAX_TEXT

PAST = str(MAX_COUNT + 1)


@pytest.mark.parametrize(
    "args",
    [
        ["train", "xor", "--epochs", PAST],
        ["train", "xor", "--batch-size", PAST],
        ["train", "csv", "--log-every", PAST],
        ["train", "digits", "--patience", PAST],
        ["approx", "sin", "--epochs", PAST],
        ["compare", "xor", "--vary", "lr=0.1,1", "--epochs", PAST],
        ["compare", "xor", "--vary", f"epochs=1,{PAST}"],
    ],
    ids=" ".join,
)
def test_an_option_past_the_configs_limit_is_a_usage_error(args):
    refused = run(*args)
    assert refused.exit_code == 2, refused.stderr
    assert "unexpected" not in refused.stderr and f"{MAX_COUNT}" in refused.stderr


def _table(path, label=lambda i: "ab"[i % 2], column="b"):
    rows = [f"{i % 3},{i % 5},{label(i)}" for i in range(40)]
    path.write_text(f"a,{column},label\n" + "\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize(
    "make, what",
    [
        (lambda p: _table(p, label=lambda i: "x" * (MAX_TEXT + 905) if i % 2 else "short"), "class label"),
        (lambda p: _table(p, column="y" * (MAX_TEXT + 905)), "column name"),
    ],
    ids=["label", "column name"],
)
def test_a_csv_string_longer_than_a_model_keeps_is_refused_before_training(tmp_path, make, what):
    table = make(tmp_path / "long.csv")
    refused = run("train", "csv", "--data", table, "--target", "label", "--epochs", "1", "--json")
    assert refused.exit_code == 1 and f"a {what} of {MAX_TEXT + 905:,} characters" in refused.stderr
    assert refused.stdout == ""  # no "start" event: refused before any training
    assert "unexpected" not in refused.stderr


HUGE = 10**400


def _with_config(meta, **changes):
    meta["config"].update(changes)
    return meta


BIG_NUMBERS = {
    "lr": lambda: _with_config(xor_meta(), lr=HUGE),
    "weight decay": lambda: _with_config(xor_meta(), weight_decay=HUGE),
    "slope": lambda: _with_config(linreg_meta(), slope=HUGE),
    "domain": lambda: approx_meta(target={"name": "sin", "formula": "sin(x)", "domain": [-HUGE, 3.0]}),
    "metric": lambda: xor_meta(metrics={"loss": HUGE}),
}


@pytest.mark.parametrize("field", BIG_NUMBERS)
@pytest.mark.parametrize(
    "command", [["export", "{model}", "{out}"], ["evaluate", "{model}"], ["replay", "{model}"]], ids=lambda c: c[0]
)
def test_a_400_digit_integer_in_a_model_file_is_refused(tmp_path, field, command):
    model, out = tmp_path / "big.npz", tmp_path / "out.json"
    write(model, BIG_NUMBERS[field]())
    refused = run(*[str({"{model}": model, "{out}": out}.get(part, part)) for part in command])
    assert refused.exit_code == 1 and "bad model metadata" in refused.stderr, refused.stderr
    assert "unexpected" not in refused.stderr and not out.exists()


@pytest.mark.parametrize("command", ["evaluate", "visualize", "predict"])
def test_a_model_file_that_repeats_a_key_is_refused(tmp_path, command):
    model = tmp_path / "twice.npz"
    text = json.dumps(xor_meta())[:-1] + ', "layers": [{"type": "linear", "in": 3, "out": 1, "bias": true}]}'
    write(model, xor_meta(), meta_bytes=text.encode())
    refused = run(command, model, *(["0", "1"] if command == "predict" else []))
    assert refused.exit_code == 1 and "the key 'layers' is given twice" in refused.stderr


def test_an_approx_model_over_an_infinitely_wide_domain_is_refused(tmp_path):
    model = tmp_path / "wide.npz"
    write(model, approx_meta(target={"name": "sin", "formula": "sin(x)", "domain": [-1e308, 1e308]}))
    refused = run("visualize", model)
    assert refused.exit_code == 1 and "finite width" in refused.stderr and "unexpected" not in refused.stderr


def test_a_network_without_an_activation_is_drawn(tmp_path):
    model = tmp_path / "linear.npz"
    layers = [{"type": "linear", "in": 2, "out": 4, "bias": True}, {"type": "linear", "in": 4, "out": 1, "bias": True}]
    write(model, xor_meta(layers=layers))
    for view in ("boundary", "neurons"):
        drawn = run("visualize", model, "--view", view)
        assert drawn.exit_code == 0, drawn.stderr


def test_a_deeply_nested_lessons_file_is_damage_not_a_crash(model_home):
    model_home.mkdir()
    (model_home / "lessons.json").write_text("[" * 20_000 + "]" * 20_000)
    listed = run("learn")
    assert listed.exit_code == 0, listed.stderr
    assert "ignoring the damaged lesson progress" in listed.stderr and "nested too deep" in listed.stderr
