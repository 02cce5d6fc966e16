"""`nncli inspect network`, `inspect weights` on tiny and wide nets, `inspect graph --model`."""

import os
import re
import select
import subprocess
import sys

import numpy as np
import pytest
from conftest import json_lines, run

from nncli import store
from nncli.nn import mlp_spec
from nncli.render.explain import num
from nncli.views import explain as lesson
from nncli.views.diagram import network_diagram, neuron_importance


def terminal_screen(args, columns=80, lines=24, env=None):
    """The text of a real `nncli ARGS` run under a pseudo-terminal of the given size, as
    pyte reads it (lines scrolled off the top are kept), and the raw output."""
    pyte = pytest.importorskip("pyte")
    import pty

    primary, secondary = pty.openpty()
    environment = {**os.environ, "COLUMNS": str(columns), "LINES": str(lines), "TERM": "xterm-256color", **(env or {})}
    environment = {k: v for k, v in environment.items() if v is not None}
    process = subprocess.Popen(
        [sys.executable, "-m", "nncli", *map(str, args)],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=environment,
    )
    os.close(secondary)
    output = b""
    while True:
        ready, _, _ = select.select([primary], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=30)
    os.close(primary)
    screen = pyte.HistoryScreen(columns, lines, history=5000)
    screen.set_mode(pyte.modes.LNM)
    pyte.ByteStream(screen).feed(output)
    rows = ["".join(line[x].data for x in range(columns)).rstrip() for line in screen.history.top]
    rows += [line.rstrip() for line in screen.display]
    return rows, output.decode("utf-8", "replace"), process.returncode


@pytest.fixture
def xor_model(model_home):
    assert run("train", "xor", "--epochs", "300", "-q").exit_code == 0
    return store.resolve_model("xor")


def random_state(spec, seed=0):
    rng = np.random.default_rng(seed)
    state = {}
    for i, entry in enumerate(spec):
        if entry["type"] == "linear":
            state[f"{i}.weight"] = rng.normal(size=(entry["out"], entry["in"]))
            state[f"{i}.bias"] = rng.normal(size=entry["out"])
    return state


# --- the diagram's numbers ---------------------------------------------------------------


def test_diagram_has_a_node_per_neuron_and_an_edge_per_weight():
    spec = mlp_spec([2, 4, 1], "sigmoid", "sigmoid")
    state = random_state(spec)
    diagram = network_diagram(spec, state)
    assert [c.size for c in diagram.columns] == [2, 4, 1]
    assert [c.note for c in diagram.columns] == ["", "sigmoid", "sigmoid"]
    assert len(diagram.edges) == 2 * 4 + 4 * 1
    for edge in diagram.edges:
        index = [0, 2][edge.column]
        assert edge.weight == state[f"{index}.weight"][edge.target, edge.source]
    np.testing.assert_array_equal(diagram.columns[1].bias, state["0.bias"])
    assert diagram.largest == max(np.abs(state["0.weight"]).max(), np.abs(state["2.weight"]).max())


def test_diagram_on_an_example_carries_activations_or_gradients():
    spec = mlp_spec([2, 3, 1], "tanh", "sigmoid")
    state = random_state(spec)
    example = lesson.backprop_pass(spec, state, "mse", [1.0, 0.0], [1.0], lr=0.1)
    diagram = network_diagram(spec, state, example=example)
    np.testing.assert_array_equal(diagram.columns[1].value, example.layers[0].a)
    gradients = network_diagram(spec, state, example=example, gradients=True)
    assert gradients.mode == "gradients"
    for edge in gradients.edges:
        assert edge.grad == example.layers[edge.column].weight_grad[edge.target, edge.source]
    assert gradients.largest == max(np.abs(layer.weight_grad).max() for layer in example.layers)


def test_wide_layers_show_their_first_and_last_neurons():
    spec = mlp_spec([64, 128, 10], "relu", "identity", dropout=0.1)
    diagram = network_diagram(spec, random_state(spec), max_nodes=8)
    hidden = diagram.columns[1]
    assert hidden.shown[:4] == [0, 1, 2, 3] and hidden.shown[4] is None and hidden.shown[-1] == 127
    assert hidden.hidden == 121 and hidden.note == "relu · dropout 0.1"
    assert len(diagram.edges) == 7 * 7 + 7 * 7  # between shown nodes only


def test_importance_is_unchanged_by_rescaling_a_relu_neuron():
    spec = mlp_spec([4, 3, 2], "relu", "identity")
    state = random_state(spec)
    before = neuron_importance(spec, state)
    state["0.weight"][1] *= 5
    state["0.bias"][1] *= 5
    state["2.weight"][:, 1] /= 5
    np.testing.assert_allclose(neuron_importance(spec, state), before)


# --- inspect network ---------------------------------------------------------------------


def test_inspect_network_without_colour(xor_model):
    state, _ = store.load_model(xor_model)
    result = run("inspect", "network", env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "\x1b[" not in text
    for b in [*state["0.bias"], *state["2.bias"]]:
        assert f"b {num(b)}" in text
    assert "sigmoid" in text and "dashed: negative" in text and "x₀" in text


def test_inspect_network_in_colour_says_the_sign_by_colour(xor_model):
    result = run("inspect", "network", env={"FORCE_COLOR": "1", "NO_COLOR": None})
    assert result.exit_code == 0
    assert "\x1b[31m" in result.stdout or "\x1b[91m" in result.stdout  # red: positive weights
    assert "\x1b[34m" in result.stdout or "\x1b[94m" in result.stdout  # blue: negative ones
    assert "dashed" not in result.stdout


def test_inspect_network_with_an_input_and_gradients(xor_model, tmp_path):
    (event,) = json_lines(run("inspect", "network", "--input", "1,0", "--json"))
    (explained,) = json_lines(run("explain", "backprop", "--input", "1,0", "--json"))
    assert event["columns"][2]["value"] == explained["layers"][1]["a"]
    text = run("inspect", "network", "--input", "1,0", "--grad", env={"NO_COLOR": "1"}).stdout
    assert f"δ {num(explained['layers'][1]['delta'][0])}" in text and "gradient ∂L/∂w" in text
    svg = tmp_path / "net.svg"
    assert run("inspect", "network", "--svg", svg).exit_code == 0
    assert svg.read_text().startswith("<svg")


@pytest.mark.parametrize(
    "args, message",
    [(["--grad"], "give it with --input"), (["--input", "1"], "takes 2 inputs"), (["--input", "x,1"], "not a number")],
)
def test_inspect_network_bad_input(xor_model, args, message):
    result = run("inspect", "network", *args)
    assert result.exit_code == 2 and message in result.stderr


def test_inspect_network_fits_80_columns_for_a_wide_model(model_home):
    assert run("train", "digits", "--epochs", "1", "-q").exit_code == 0
    rows, raw, code = terminal_screen(["inspect", "network"], env={"NO_COLOR": "1"})
    assert code == 0, raw
    assert any("⋮ 121 more" in row for row in rows) and any("relu · dropout 0.1" in row for row in rows)
    assert "largest |w|" in raw  # the legend is there, not cut


def test_batchnorm_is_a_note_on_its_layers_column(model_home):
    assert run("train", "xor", "--hidden", "3", "--batchnorm", "--epochs", "50", "--lr", "0.5", "-q").exit_code == 0
    (event,) = json_lines(run("inspect", "network", "--json"))
    assert [c["note"] for c in event["columns"]] == ["", "batchnorm · sigmoid", "sigmoid"]
    result = run("inspect", "network", "--input", "1,0", env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    (explained,) = json_lines(run("explain", "backprop", "--input", "1,0", "--json"))
    assert "batchnorm · sigmoid" in result.stdout
    assert f"a {num(explained['layers'][0]['a'][0])}" in result.stdout  # the activation after the batch norm


def test_a_bias_free_layer_shows_its_batch_norms_shift(model_home):
    from nncli import store

    assert run("train", "xor", "--hidden", "3", "--batchnorm", "--epochs", "50", "--lr", "0.5", "-q").exit_code == 0
    (event,) = json_lines(run("inspect", "network", "--json"))
    hidden, output = event["columns"][1:]
    state, _ = store.load_model(store.default_model_path("xor"))
    assert "0.bias" not in state  # the Linear before a batch norm has no bias of its own
    assert hidden["bias_symbol"] == "β" and hidden["bias"] == [float(v) for v in state["1.bias"]]
    assert output["bias_symbol"] == "b" and output["bias"] == [float(v) for v in state["3.bias"]]
    result = run("inspect", "network", env={"NO_COLOR": "1", "COLUMNS": "100"})
    assert f"β {num(hidden['bias'][0])}" in result.stdout and "β: the shift of the batch norm" in result.stdout


def test_a_residual_block_is_drawn_with_its_skip(model_home):
    args = ["--hidden", "3x3", "--residual", "--batchnorm", "--epochs", "50", "--lr", "0.5", "-q"]
    assert run("train", "xor", *args).exit_code == 0
    (event,) = json_lines(run("inspect", "network", "--json"))
    assert [c["skip"] for c in event["columns"]] == [None, None, 1, 2, None]  # each block adds its input back
    result = run("inspect", "network", "--input", "1,0", env={"NO_COLOR": "1", "COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    arc = result.stdout.splitlines()[1]
    assert arc.lstrip().startswith("╭") and "┬" in arc and arc.rstrip().endswith("╮") and "+ skip" in arc
    titles = result.stdout.splitlines()[2]
    assert arc.index("╭") == titles.index("hidden 1") and arc.rindex("╮") == titles.index("hidden 3")
    assert "batchnorm" in result.stdout


# --- inspect weights ---------------------------------------------------------------------


def test_tiny_models_show_their_weight_matrices(xor_model):
    state, _ = store.load_model(xor_model)
    text = run("inspect", "weights", env={"NO_COLOR": "1"}).stdout
    assert "layer 0: 4 neurons × 2 inputs" in text and "layer 2: 1 neurons × 4 inputs" in text
    for value in [*state["0.weight"].ravel(), *state["0.bias"], *state["2.weight"].ravel()]:
        assert f"{value:.4f}" in text


def test_a_model_over_100_parameters_shows_no_matrices(model_home):
    assert run("train", "xor", "--hidden", "40", "--epochs", "2", "-q").exit_code == 0  # 161 parameters
    assert "neurons ×" not in run("inspect", "weights").stdout


@pytest.mark.parametrize("columns", [80, 60])
def test_weights_fit_the_terminal_without_wrapping_or_cutting(xor_model, columns):
    rows, raw, code = terminal_screen(["inspect", "weights"], columns=columns)
    assert code == 0, raw
    table = [row for row in rows if "0.weight" in row or "0.bias" in row]
    assert len(table) == 2  # one line each: the histogram did not wrap onto a second
    assert all("…" not in row for row in rows)
    assert any("histogram" in row for row in rows)


def test_piped_weights_fit_80_columns(xor_model):
    result = run("inspect", "weights")  # not a terminal: Rich's 80 columns
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    body = lines[: next(i for i, line in enumerate(lines) if line.startswith("└"))]
    assert len([line for line in body if line.startswith("│")]) == 4  # a line per tensor: nothing wrapped
    assert "…" not in result.stdout


def test_image_models_draw_the_neurons_that_matter_most(model_home):
    assert run("train", "digits", "--epochs", "2", "--hidden", "32", "-q").exit_code == 0
    state, meta = store.load_model(store.resolve_model("digits"))
    (event,) = json_lines(run("inspect", "weights", "--json"))
    filters = event["filters"]
    importance = neuron_importance(meta["layers"], state)
    assert filters["neurons"] == np.argsort(-importance, kind="stable")[:16].tolist()
    assert filters["rare_pixels"] and 0 in filters["rare_pixels"]  # the top-left corner is never inked
    plain = run("inspect", "weights", env={"NO_COLOR": "1"}).stdout
    words = " ".join(plain.split())
    assert "the 16 of its 32 neurons that pass on most" in words
    assert "▒: no effect" in words and "blue" not in words  # one key: the glyphs'
    assert words.count("#") == 16
    coloured = run("inspect", "weights", env={"FORCE_COLOR": "1", "NO_COLOR": None, "TERM": "xterm-256color"}).stdout
    assert "red: ink there excites" in coloured and "█: ink" not in coloured
    assert "keep their random start" in " ".join(re.sub(r"\x1b\[[0-9;]*m", "", coloured).split())


def test_square_image_is_decided_by_the_layer_sizes(model_home):
    assert run("approx", "sin", "--epochs", "2", "--hidden", "9", "-q").exit_code == 0  # 1 input: no image
    (event,) = json_lines(run("inspect", "weights", "--json"))
    assert "filters" not in event


# --- inspect graph --model ---------------------------------------------------------------


def test_graph_of_a_network_has_explains_gradients(xor_model):
    (graph,) = json_lines(run("inspect", "graph", "--model", "xor", "--input", "1,0", "--json"))
    (explained,) = json_lines(run("explain", "backprop", "xor", "--input", "1,0", "--json"))
    by_label = {node["label"]: node for node in graph["nodes"] if node["label"]}
    assert graph["nodes"][-1]["data"] == pytest.approx(explained["loss"], rel=1e-12)
    for layer in explained["layers"]:
        i = layer["index"]
        for j, row in enumerate(layer["weight_grad"]):
            for k, grad in enumerate(row):
                assert by_label[f"{i}.weight[{j}][{k}]"]["grad"] == pytest.approx(grad, rel=1e-9, abs=1e-15)
            assert by_label[f"{i}.bias[{j}]"]["grad"] == pytest.approx(layer["bias_grad"][j], rel=1e-9, abs=1e-15)
    assert by_label["x[0]"]["data"] == 1.0
    tree = run("inspect", "graph", "--model", "--input", "1,0", env={"NO_COLOR": "1"})  # --model alone: the latest
    assert tree.exit_code == 0 and "0.weight[3][1]" in tree.stdout and "sigmoid" in tree.stdout
    assert run("inspect", "graph", "--model", "--input", "0,1", "--dot").stdout.startswith("digraph")


def test_graph_of_a_large_network_is_refused(model_home):
    assert run("train", "xor", "--hidden", "70", "--epochs", "2", "-q").exit_code == 0  # 281 parameters
    result = run("inspect", "graph", "--model", "--input", "1,0")
    assert result.exit_code == 1
    assert "281 parameters" in result.stderr and "at most 200" in result.stderr and "explain backprop" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--model", "xor", "--input", "1,2,3"],
        ["--model", "xor", "--input", "1,nan"],
        ["x*y", "x=1", "y=2", "--model", "xor"],
        ["x*y", "x=1", "y=2", "--input", "1,0"],
        [],
    ],
    ids=" ".join,
)
def test_graph_usage_errors(xor_model, args):
    assert run("inspect", "graph", *args).exit_code == 2
