"""The neurons view of approx: partial sums that build towards the target."""

import numpy as np
from conftest import json_lines, run


def neurons_view(*approx_args):
    run("approx", *approx_args, "--quiet")
    (view,) = json_lines(run("visualize", "--view", "neurons", "--json"))
    return view


def test_partial_sums_shrink_to_the_network_and_end_at_its_output():
    view = neurons_view("sin", "--epochs", "300")
    assert view["order"] == "greedy"
    errors = view["errors"]
    assert errors[-1] <= errors[0]
    assert errors[-1] == min(errors)  # greedy on squared error: max |error| falls, not always at every stage
    fit = json_lines(run("visualize", "--view", "fit", "--json"))[0]
    x, network = np.array(fit["x"]), np.array(fit["output"])
    last = np.interp(x, view["x"], view["sums"][-1])
    assert np.abs(last - network).max() < 1e-3  # same curve, sampled on two grids
    assert view["stages"][-1] == view["count"]
    assert all(isinstance(e, float) for e in errors)


def test_construct_steps_are_summed_left_to_right():
    view = neurons_view("sin", "--method", "construct", "--activation", "step", "--hidden", "16")
    assert view["order"] == "switch"
    switches = [row["switch"] for row in view["table"]]
    assert switches == sorted(switches)
    assert view["errors"][-1] < view["errors"][0]


def test_draws_at_80_columns_without_wrapping():
    run("approx", "sin", "--epochs", "100", "--quiet")
    text = run("visualize", "--view", "neurons", env={"NO_COLOR": "1", "COLUMNS": "80"}).output
    assert "max |error|" in text and "of 32" in text
    assert max(len(line) for line in text.splitlines()) <= 80
