"""`-` as a file name: `--data -` reads the table or points from stdin; `--svg -` and
`--html -` write the file to stdout, which then carries that file and nothing else."""

import numpy as np
import pytest
from conftest import json_lines, run

ROWS = 60


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    """A small CSV table of two inputs and a class, as a file and as its text."""
    rng = np.random.default_rng(0)
    lines = ["a,b,label"] + [f"{a:.3f},{b:.3f},{int(a + b > 0)}" for a, b in rng.normal(size=(ROWS, 2))]
    path = tmp_path_factory.mktemp("table") / "t.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def summary(result):
    assert result.exit_code == 0, result.stderr
    event = json_lines(result)[-1]
    assert event["event"] == "summary"
    return {key: value for key, value in event.items() if key not in ("elapsed_s", "model")}


def test_a_table_piped_in_trains_exactly_as_the_same_file(table, tmp_path):
    args = ["train", "csv", "--target", "label", "--epochs", 5, "--json"]
    from_file = summary(run(*args, "--data", table, "--save", tmp_path / "file.npz"))
    piped = summary(run(*args, "--data", "-", "--save", tmp_path / "piped.npz", input=table.read_text()))
    assert piped == from_file
    evaluated = [
        run("evaluate", tmp_path / "piped.npz", "--data", data, "--json", input=table.read_text())
        for data in (table, "-")
    ]
    assert evaluated[0].exit_code == 0 and evaluated[1].exit_code == 0, evaluated[1].stderr
    (from_file,), (piped,) = json_lines(evaluated[0]), json_lines(evaluated[1])
    assert piped["data"] == "stdin" and {**piped, "data": str(table)} == from_file


def test_points_piped_in_train_a_line_and_are_explained(tmp_path):
    points = tmp_path / "line.csv"
    points.write_text("1,3\n2,5\n3,7\n4,9\n")
    args = ["train", "linreg", "--epochs", 5, "--json"]
    assert summary(run(*args, "--data", "-", "--no-save", input=points.read_text())) == summary(
        run(*args, "--data", points, "--no-save")
    )
    piped = run("explain", "descent", "--data", "-", "--json", input=points.read_text())
    from_file = run("explain", "descent", "--data", points, "--json")
    assert piped.exit_code == 0 and json_lines(piped) == json_lines(from_file)


@pytest.mark.parametrize(
    ("stdin", "said"),
    [
        ("", "stdin: it is empty"),
        ("a,b\n\0\n", "stdin: not a text file"),
        ("x,label\n", "stdin"),
    ],
)
def test_an_empty_or_bad_table_on_stdin_is_one_line(stdin, said):
    result = run("train", "csv", "--data", "-", "--target", "label", "--epochs", 2, "--no-save", input=stdin)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"nncli: {said}")


def test_empty_points_on_stdin_are_one_line():
    result = run("explain", "descent", "--data", "-", input="")
    assert result.exit_code == 1 and result.stderr.strip().splitlines() == [
        "nncli: stdin: no rows of numbers (it is empty)"
    ]


def test_stdin_that_is_a_terminal_is_not_waited_on(monkeypatch):
    import sys

    from nncli.data import read_csv
    from nncli.errors import DataError

    class Terminal:
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())
    with pytest.raises(DataError, match="it is a terminal: pipe a file in"):
        read_csv("-")


def svg_alone(result):
    """The one SVG document stdout carries, and nothing else; no "written to" on stderr."""
    assert result.exit_code == 0, result.stderr
    text = result.stdout_bytes.decode("utf-8")
    assert text.startswith("<svg ") and text.endswith("</svg>\n") and text.count("<svg ") >= 1
    assert "written to" not in result.stderr
    return text


def page_alone(result):
    assert result.exit_code == 0, result.stderr
    text = result.stdout_bytes.decode("utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.endswith("</html>\n") and text.count("<!DOCTYPE") == 1
    assert "written to" not in result.stderr
    return text


def test_svg_and_html_to_stdout_carry_the_file_alone(xor_model, tmp_path):
    svg = svg_alone(run("visualize", "--svg", "-"))
    run("visualize", "--svg", tmp_path / "v.svg")
    assert svg == (tmp_path / "v.svg").read_text()  # the same file as written to disk
    page_alone(run("visualize", "--html", "-"))
    page_alone(run("replay", "--html", "-"))
    svg_alone(run("inspect", "network", "--svg", "-"))
    svg_alone(run("probe", "saliency", "--svg", "-"))


def test_a_lesson_and_a_comparison_to_stdout():
    page_alone(run("learn", "1", "--html", "-"))
    svg_alone(run("learn", "1", "--svg", "-"))
    svg_alone(run("compare", "xor", "--vary", "lr=1,3", "--epochs", 20, "--svg", "-"))


@pytest.mark.parametrize(
    "args",
    [
        ("visualize", "--svg", "-", "--html", "-"),
        ("visualize", "--json", "--html", "-"),
        ("learn", "1", "--json", "--svg", "-"),
        ("inspect", "network", "--json", "--svg", "-"),
        ("replay", "--json", "--html", "-"),
    ],
)
def test_two_things_for_stdout_are_a_usage_error(xor_model, args):
    result = run(*args)
    assert result.exit_code == 2 and result.stdout == ""
    assert "stdout" in result.stderr


def test_a_file_option_help_says_dash_is_stdout():
    for args in (("visualize",), ("replay",), ("inspect", "network"), ("compare", "xor"), ("learn",)):
        assert "(- for stdout)" in " ".join(run(*args, "--help").stdout.split()), args
    for args in (("train", "csv"), ("train", "linreg"), ("evaluate",), ("explain", "descent")):
        assert "(- for stdin)" in " ".join(run(*args, "--help").stdout.split()), args
