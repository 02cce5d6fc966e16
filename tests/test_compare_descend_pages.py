"""`compare --html` and `descend --html`: one self-contained page each, its pictures drawn
as shapes by the vector back end from the same numbers the terminal draws."""

import re

import pytest
from conftest import browser, json_lines, run
from test_pages import open_in_browser

from nncli.render.vector import svg
from nncli.views.descend import DescentView


def offline(text):
    """Whether a page asks for nothing outside itself."""
    return not re.search(r"src\s*=|https?://|@import|url\(", text.replace("http-equiv", ""))


def test_a_comparison_page_draws_every_run_s_losses_as_lines_and_the_table(tmp_path):
    page = tmp_path / "compare.html"
    result = run(
        "compare", "digits", "--vary", "lr=0.001,0.01", "--epochs", 2, "--limit", 150, "--html", page, "--json"
    )
    assert result.exit_code == 0, result.stderr
    runs = json_lines(result)[-1]["runs"]
    text = page.read_text()
    assert offline(text) and text.count('<svg class="view"') == 1
    chart = re.search(r'<svg class="view".*?</svg>', text, re.S).group(0)
    assert chart.count("<polyline") == 4  # two runs, each its training and its validation loss
    assert "Training loss" in chart and "Validation loss" in chart
    for row in runs:  # the table: each run's settings and numbers as the JSON has them
        assert f"lr={row['settings']['lr']:g}" in chart and f"{row['accuracy']:.1%}" in chart


def test_a_linreg_comparison_page_draws_its_paths_on_the_landscape_too(tmp_path):
    page = tmp_path / "compare.html"
    assert run("compare", "linreg", "--vary", "lr=0.01,0.1", "--epochs", 20, "--html", page, "-q").exit_code == 0
    text = page.read_text()
    assert text.count('<svg class="view"') == 2 and "Loss landscape" in text


def test_a_race_page_draws_the_surface_and_each_path(tmp_path):
    page = tmp_path / "race.html"
    result = run("descend", "bowl", "--optimizer", "sgd,adam", "--steps", 50, "--html", page, "--json")
    assert result.exit_code == 0, result.stderr
    text = page.read_text()
    assert offline(text) and text.count('<svg class="view"') == 1 and "data:image/png;base64," in text
    assert text.count("<polyline") == 4  # each path: its white casing and its line
    ended = {path["optimizer"]: path for path in json_lines(result) if path["event"] == "path"}
    assert ended.keys() == {"sgd", "adam"}
    for name, path in ended.items():
        assert f"{name}  lr " in text and path["status"] in text


def test_a_race_that_leaves_the_domain_still_draws(tmp_path):
    page = tmp_path / "race.html"
    result = run("descend", "bowl", "--optimizer", "sgd", "--lr", "5", "--steps", 40, "--html", page, "-q")
    assert result.exit_code == 0 and "diverged" in page.read_text()


def test_the_race_numbers_are_a_view_with_a_vector_drawing():
    from nncli.views.descend import descent_view
    from nncli.views.surfaces import Descent, get_surface, race

    surface = get_surface("himmelblau", 20)
    descents = [Descent(surface, "adam", 0.05, 0.9, surface.start, surface.region)]
    race(descents, 30)
    view = descent_view(surface, descents, surface.region, surface.start, 0.01, 40)
    assert isinstance(view, DescentView)
    drawn = svg(view)
    assert drawn.startswith('<svg class="view"') and drawn.count("M") >= 4  # the four minima marked


@pytest.mark.skipif(browser() is None, reason="no Chromium installed")
@pytest.mark.parametrize(
    "args",
    [
        ("descend", "bowl", "--steps", 200, "-q"),
        ("compare", "xor", "--vary", "lr=1,3", "--epochs", 30, "-q"),
    ],
)
def test_the_pages_fill_the_window_offline_without_errors(tmp_path, args):
    page = tmp_path / "page.html"
    assert run(*args, "--html", page).exit_code == 0
    seen = open_in_browser(page, tmp_path, (1280, 720))
    assert seen["errors"] == [] and (seen["right"] - seen["left"]) / seen["width"] > 0.5  # as visualize --html
