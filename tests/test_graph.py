"""`nncli inspect graph`: a formula built with the scalar engine, backpropagated and shown."""

import json

import pytest
from conftest import run

from nncli.formula import parse
from nncli.render.graph import dot, tree
from nncli.views.graph import build, nodes

NEURON = ("tanh(x*w + b)", "x=2", "w=-3", "b=6.8814")


def inspect_graph(*args):
    return run("inspect", "graph", *args)


def graph_json(*args):
    result = inspect_graph(*args, "--json")
    assert result.exit_code == 0, result.stderr
    (line,) = result.stdout.splitlines()
    return json.loads(line)


def test_a_neuron_backpropagates_to_the_known_gradients():
    report = graph_json(*NEURON)
    by_label = {node["label"]: node for node in report["nodes"] if node["label"]}
    output = report["nodes"][report["output"]]
    assert output["op"] == "tanh" and output["data"] == pytest.approx(0.7071, abs=1e-4) and output["grad"] == 1.0
    assert by_label["x"]["grad"] == pytest.approx(-1.5, abs=1e-3)
    assert by_label["w"]["grad"] == pytest.approx(1.0, abs=1e-3)
    assert by_label["b"]["grad"] == pytest.approx(0.5, abs=1e-3)


def test_json_shape():
    report = graph_json(*NEURON)
    assert report["event"] == "graph"
    ids = [node["id"] for node in report["nodes"]]
    assert ids == list(range(len(ids))) and report["output"] == ids[-1]
    for node in report["nodes"]:
        assert set(node) == {"id", "label", "op", "data", "grad", "inputs"}
        assert all(i < node["id"] for i in node["inputs"])  # inputs come first
        if not node["inputs"]:
            assert node["op"] == "" and node["label"]  # a leaf: a variable's name or a constant
    assert [n["label"] for n in report["nodes"] if not n["inputs"]] == ["x", "w", "b"]
    assert [n["op"] for n in report["nodes"] if n["inputs"]] == ["*", "+", "tanh"]


def test_tree_shows_each_node_to_four_decimals():
    result = inspect_graph(*NEURON)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("tanh") and "data=0.7071" in lines[0] and "grad=1.0000" in lines[0]
    x_line = next(line for line in lines if " x " in line)
    assert "data=2.0000" in x_line and "grad=-1.4999" in x_line
    assert any("b  data=6.8814  grad=0.5000" in line for line in lines)


def test_a_shared_node_is_drawn_once_and_referred_to_after():
    result = inspect_graph("x*x + x", "x=3")
    assert result.exit_code == 0
    out = result.stdout
    assert out.count("x  data=3.0000  grad=7.0000") == 1  # d/dx (x² + x) = 2x + 1
    assert out.count("↑ #0") == 2
    report = graph_json("x*x + x", "x=3")
    assert sum(1 for node in report["nodes"] if node["label"] == "x") == 1


def test_dot_is_a_digraph_with_an_edge_per_input():
    result = inspect_graph(*NEURON, "--dot")
    assert result.exit_code == 0
    text = result.stdout
    assert text.startswith("digraph") and text.rstrip().endswith("}")
    assert text.count("->") == 5 and "tanh | data 0.7071 | grad 1.0000" in text


def test_library_round_trip_and_escaping():
    output = build(parse("relu(a) / sqrt(b)", variables=("a", "b")), {"a": 2.0, "b": 4.0})
    assert output.data == pytest.approx(1.0)
    graph = nodes(output)
    assert {n["label"]: n["grad"] for n in graph if n["label"] in ("a", "b")} == pytest.approx({"a": 0.5, "b": -0.125})
    assert "\\<" not in dot(graph) and tree(graph).label is not None


def test_an_expression_starting_with_minus_is_not_an_option():
    report = graph_json("-x**2/2", "x=3")
    assert report["nodes"][-1]["data"] == pytest.approx(-4.5)


def test_missing_variable_is_a_usage_error_naming_it():
    result = inspect_graph("x*w + b", "x=1", "w=2")
    assert result.exit_code == 2 and "'b'" in result.stderr and "b=VALUE" in result.stderr


@pytest.mark.parametrize("args", [("x",), ("x=abc",), ("x=nan",), ("x=1", "x=2"), ("sin=1",)])
def test_bad_assignments_are_usage_errors(args):
    assert inspect_graph("x + 1", *args).exit_code == 2


@pytest.mark.parametrize(
    "formula, where",
    [
        ("__import__('os').system('echo hi')", "^^^^^^^^^^"),
        ("x.__class__", " ^"),
        ("(lambda: 1)()", "^^^^^^"),
        ("x; import os", " ^"),
        ("[x for x in (1,)]", "^"),
        ("sin(x)", "^^^"),  # not in the scalar engine
        ("x**y", "^"),  # a variable exponent
        ("x" * 600, "^"),  # too long
        ("(" * 100 + "x" + ")" * 100, "^"),  # too deep
    ],
)
def test_hostile_or_unsupported_formulas_are_usage_errors_pointing_at_the_spot(formula, where):
    result = inspect_graph(formula, "x=1", "y=2")
    assert result.exit_code == 2 and where in result.stderr and result.stdout == ""


def test_impossible_numbers_are_exit_1():
    result = inspect_graph("log(x)", "x=-1")
    assert result.exit_code == 1 and result.stderr.startswith("nncli: cannot compute")
    assert inspect_graph("1/x", "x=0").exit_code == 1


def test_json_and_dot_together_is_a_usage_error():
    assert inspect_graph(*NEURON, "--json", "--dot").exit_code == 2
