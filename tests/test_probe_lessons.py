"""The screens the probes add to the lessons: the hidden space in lesson 6, a fooled digit
in lesson 7 — their numbers checked against the network they describe."""

import math

from conftest import json_lines, run


def screen(lesson, title):
    result = run("learn", lesson, "--quick", "--json")
    assert result.exit_code == 0, result.output
    (found,) = [e for e in json_lines(result.stdout) if e.get("title") == title]
    return found


def test_lesson_6_shows_xor_separated_by_a_line_in_the_hidden_space():
    shown = screen("6", "In the hidden space, XOR is a line")
    numbers = shown["numbers"]
    # z is the output neuron's input: above 0 (σ(z) > ½) exactly for the inputs whose answer is 1.
    assert [z > 0 for z in numbers["z"]] == [t == 1 for t in numbers["targets"]]
    assert 0 < numbers["explained"] <= 1
    assert f"({numbers['explained']:.1%} of their spread)" in shown["text"]


def test_lesson_7_fools_the_first_held_out_digit():
    numbers = screen("7", "A nudge no person would notice")["numbers"]
    assert numbers["before"] != numbers["after"]
    assert 0 < numbers["eps"] <= 1 and math.isfinite(numbers["eps"])
    assert set(numbers["step"]) <= {-1, 0, 1} and len(numbers["step"]) == 64
