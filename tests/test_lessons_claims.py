"""What the lessons say about their pictures, checked against the numbers the pictures are
drawn from (and, for colours, against the picture as a terminal receives it)."""

import io
import math
import re

import numpy as np
import pytest
from test_learn import numbers, screens

from nncli.lessons.classifier import mistakes

pytestmark = pytest.mark.xdist_group("lesson-screens")  # the lessons computed once: see test_learn


def screen(number, title):
    return next(shown for _, shown in screens(number) if shown.title == title)


def rendered(renderable, colours):
    """Each line of `renderable` drawn 80 columns wide, as (character, style) pairs, on a
    terminal of `colours` ("truecolor", "256"), or without colour (None)."""
    from rich.console import Console

    console = Console(file=io.StringIO(), width=80, force_terminal=bool(colours), color_system=colours)
    lines = console.render_lines(renderable, console.options, pad=False)
    return [[(char, segment.style) for segment in line for char in segment.text] for line in lines]


def brightness(colour):
    red, green, blue = colour.get_truecolor()
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def first_panel(lines, columns, rows, colour):
    """The brightness of each pixel of the first heatmap panel in `lines` (NaN under a
    mark), one pixel to a cell of the loss grid. Each line of the picture starts after the
    axis's edge, │ (┤ where a tick is); in colour each cell is ▀, its top pixel the
    foreground, its bottom the background; without colour each pixel is two glyphs of
    ` ░▒▓█`, darkest first."""
    from nncli.render.heatmap import GLYPHS

    pixels = np.full((rows, columns), np.nan)
    row = 0
    for line in lines:
        text = "".join(char for char, _ in line)
        edge = re.search("[│┤]", text)  # the axis's left edge, ┤ where it has a tick
        if edge is None or row >= rows:
            continue
        start = edge.end()
        if colour:
            for j, (char, style) in enumerate(line[start : start + columns]):
                if char == "▀":
                    pixels[row, j] = brightness(style.color)
                    if row + 1 < rows:
                        pixels[row + 1, j] = brightness(style.bgcolor)
            row += 2
        else:
            for j in range(columns):
                pair = text[start + 2 * j : start + 2 * j + 2]
                if len(set(pair)) == 1 and pair[0] in GLYPHS:
                    pixels[row, j] = GLYPHS.index(pair[0])
            row += 1
    return pixels


@pytest.mark.parametrize("colours", ["truecolor", "256", None], ids=["colour", "256-colours", "glyphs"])
def test_lesson_4_the_lower_the_loss_the_darker(colours):
    shown = screen("4", "On the landscape")
    assert "the lower the loss, the darker" in shown.text
    loss = np.asarray(shown.numbers["loss"])
    pixels = first_panel(rendered(shown.pictures[0], colours), loss.shape[1], loss.shape[0], bool(colours))
    drawn = ~np.isnan(pixels)
    assert drawn.mean() > 0.9  # the marks of the path cover only a few pixels
    by_loss = np.argsort(loss[drawn])
    assert np.all(np.diff(pixels[drawn][by_loss]) >= 0)  # more loss, never darker
    assert pixels[drawn].max() > pixels[drawn].min()  # and the map is not one shade


def test_lesson_4_mini_batches_noisy_or_smooth():
    shown = screen("4", "Mini-batches: noisy or smooth")
    one, some, every = shown.numbers["runs"]
    assert [run["steps_per_epoch"] for run in (one, some, every)] == [100, 4, 1]
    assert every["rises"] == 0 and "loss fell every epoch" in shown.text  # the whole batch: smooth
    assert one["rises"] > some["rises"]  # one point at a time: the noisiest
    assert one["after_one_epoch"] < some["after_one_epoch"] < every["after_one_epoch"]  # … and the fastest start
    assert f"loss rose in {one['rises']} of" in shown.text
    assert min(run["end_loss"] for run in (one, some, every)) >= shown.numbers["lowest"]


def test_lesson_6_one_neuron_draws_one_straight_line():
    shown = screen("6", "One neuron draws one line")
    w1, w2, b = shown.numbers["line"]
    boundary = shown.numbers["boundary"]
    z = np.asarray(boundary["z"])
    assert z.min() < 0.05 and z.max() > 0.95  # both answers on the picture, not a flat field
    x, y = np.meshgrid(boundary["x"], boundary["y"])
    side = w1 * x + w2 * y + b
    clear = np.abs(side) > 1e-6
    assert np.array_equal((z > 0.5)[clear], (side > 0)[clear])  # the colour turns exactly on the line said
    assert shown.numbers["accuracy"] > 0.95


def test_lesson_6_binary_cross_entropy_written_out_agrees_with_the_engine():
    shown = screen("6", "Binary cross-entropy")
    for point in shown.numbers["points"]:
        t, a = point["t"], point["a"]
        assert point["loss"] == pytest.approx(-(t * math.log(a) + (1 - t) * math.log(1 - a)), rel=1e-12)
        assert point["loss"] == pytest.approx(point["engine"], rel=1e-9, abs=1e-12)
        assert f"= {point['loss']:.4f}" in shown.text
    assert shown.numbers["mean"] == pytest.approx(shown.numbers["engine_mean"], rel=1e-12)


def test_lesson_6_xor_without_a_hidden_layer_draws_what_it_says():
    shown = screen("6", "XOR: no line will do")
    assert shown.numbers["accuracy"] <= 0.75
    low, high = shown.numbers["output_range"]
    if "answers 0.5 to everything" in shown.text:
        assert 0.499 < low <= high < 0.501  # a flat field, as said
    else:
        assert low < 0.5 < high


def test_lesson_7_marks_the_networks_answer_and_the_right_one():
    shown = screen("7", "Ten scores become probabilities")
    marked = {}
    for line in shown.text.splitlines():
        row = re.match(r"\s+(\d):\s+score", line)
        if row:
            for mark in ("← its answer", "(the right answer)"):
                if mark in line:
                    marked[mark] = int(row[1])
    probabilities = shown.numbers["probabilities"]
    assert marked["← its answer"] == int(np.argmax(probabilities)) == shown.numbers["answer"]
    assert marked["(the right answer)"] == shown.numbers["label"]


def test_lesson_7_names_a_most_common_mistake_only_when_there_is_one():
    shown = screen("7", "Accuracy and the confusion matrix")
    confusion = np.asarray(shown.numbers["confusion"])
    off = confusion - np.diag(np.diag(confusion))
    if shown.numbers["mistake"] is None:
        assert "most common mistake:" not in shown.text
    else:
        true, taken, count = shown.numbers["mistake"]
        assert off[true, taken] == count == off.max() and (off == count).sum() == 1
        assert f"{count} {true}s taken for {taken}s" in shown.text
    # Every case, on confusion matrices made for it:
    assert mistakes(np.diag([5, 5, 5])) == ("It made no mistakes.", None)
    spread = np.array([[5, 1, 0], [0, 5, 1], [1, 0, 5]])
    assert mistakes(spread)[1] is None and "all different" in mistakes(spread)[0]
    tied = np.array([[5, 2, 0], [0, 5, 2], [1, 0, 5]])
    assert mistakes(tied)[1] is None and "2 times each: 0s taken for 1s, 1s taken for 2s" in mistakes(tied)[0]
    one = np.array([[5, 3, 0], [0, 5, 2], [1, 0, 5]])
    assert mistakes(one) == ("Its most common mistake: 3 0s taken for 1s (of 6 mistakes).", [0, 1, 3])


def test_lesson_8_cures_narrow_the_gap_and_say_why_accuracy_may_not_follow():
    shown = screen("8", "Three cures")
    runs = shown.numbers
    plain = runs["no cure"]
    for name, run in runs.items():
        assert run["gap"] == pytest.approx(run["held_out_loss"] - run["train_loss"])
        if name != "no cure":
            assert run["gap"] < plain["gap"], name
    count = int(re.search(r"on the (\d+) held-out ones", shown.text)[1])
    for name, run in runs.items():
        if name != "no cure":
            change = round((run["held_out_accuracy"] - plain["held_out_accuracy"]) * count)
            assert f"{name} {change:+d}" in shown.text
    fewer = any(run["held_out_accuracy"] < plain["held_out_accuracy"] for run in runs.values())
    assert ("A cure can narrow the gap and still get fewer digits right" in shown.text) == fewer


@pytest.mark.parametrize("number", ["7", "8", "9"])
def test_held_out_data_has_one_name(number):
    """The digits set aside are "held-out" in every text, table, chart title and legend."""
    for _, shown in screens(number):
        drawn = "".join(char for picture in shown.pictures for line in rendered(picture, None) for char, _ in line)
        assert "validation" not in (shown.text + drawn).lower(), shown.title


def test_lesson_8_table_and_chart_show_the_same_held_out_numbers():
    """The table's held-out loss is the last point of the chart's held-out curve."""
    for name, run in numbers(screens("8"), "Three cures").items():
        assert run["held_out_loss"] == pytest.approx(run["held_out_losses"][-1], rel=1e-6), name
        assert run["best_held_out_loss"] == min(run["held_out_losses"])


@pytest.mark.parametrize("number", [str(n) for n in range(1, 10)])
def test_every_picture_fits_the_width_it_is_drawn_for(number):
    """Nothing is cut at the right edge (a legend, a table, a tick label): each picture and
    the first frames of a moving one measure at most the 80 columns they were drawn for,
    in colour and without."""
    import itertools

    from rich.console import Console

    for colour in (True, False):
        console = Console(file=io.StringIO(), width=80, force_terminal=colour, no_color=not colour)
        for _, shown in screens(number):
            for picture in [*shown.pictures, *itertools.islice(shown.frames or (), 2)]:
                assert console.measure(picture).maximum <= 80, (shown.title, colour)
