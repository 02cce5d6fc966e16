"""What a live frame takes from a picture's own lines, or from a key drawn at an earlier
frame, is exactly what Rich would have drawn afresh: every size, every kind of terminal."""

import io

import numpy as np
import pytest
from rich.console import Console

from nncli.render.axes import Axes, legend, lines_of
from nncli.render.heatmap import colorbar, heatmap

COLOUR_SYSTEMS = [None, "standard", "256", "truecolor"]


def console_of(color_system, width, no_color=False):
    return Console(file=io.StringIO(), force_terminal=True, width=width, color_system=color_system, no_color=no_color)


def some_picture(rows, cols, seed, box=None):
    values = np.random.default_rng(seed).uniform(-1, 1, (rows, cols))
    values[0, 0] = np.nan
    picture = heatmap(values, marks={(1, 1): "0", (rows - 1, cols - 1): "①"})
    return picture.fit(*box) if box else picture


@pytest.mark.parametrize("color_system", COLOUR_SYSTEMS)
@pytest.mark.parametrize("no_color", [False, True])
@pytest.mark.parametrize(("shape", "box", "width"), [((9, 13), None, 40), ((30, 30), (24, 9), 30), ((7, 50), None, 20)])
def test_a_pictures_own_lines_are_the_lines_rich_splits_out_of_it(color_system, no_color, shape, box, width):
    console = console_of(color_system, width, no_color)
    options = console.options.update(width=width)
    expected = console.render_lines(some_picture(*shape, 1, box), options, pad=False)
    assert lines_of(console, options, some_picture(*shape, 1, box)) == expected


@pytest.mark.parametrize("color_system", COLOUR_SYSTEMS)
@pytest.mark.parametrize("width", [80, 34, 12])
def test_axes_around_a_picture_draw_as_before(color_system, width):
    console = console_of(color_system, width)
    axes = Axes(some_picture(12, 20, 2, (20, 6)), (-1.0, 1.0), (-2.0, 2.0), "x₁", "x₂")
    picture = some_picture(12, 20, 2, (20, 6))
    gutter = axes.gutter()
    inner = console.options.update(width=width - gutter)
    drawn = console.render_lines(axes, console.options, pad=False)
    # the picture's rows sit right of the labels and the axis, as Rich splits them
    for line, picture_line in zip(drawn[1:], console.render_lines(picture, inner, pad=False)):
        assert line[1:] == picture_line


@pytest.mark.parametrize("color_system", COLOUR_SYSTEMS)
@pytest.mark.parametrize("no_color", [False, True])
def test_a_key_drawn_again_is_the_key_drawn_afresh(color_system, no_color):
    key = legend(colorbar(0.0, 1.0, "diverging", width=12), "output")
    for width in (60, 30, 14, 60):  # the last: a second time at a width drawn before
        console = console_of(color_system, width, no_color)
        fresh = legend.__wrapped__(colorbar.__wrapped__(0.0, 1.0, "diverging", width=12), "output")
        again = console.render_lines(key, console.options)
        assert again == console.render_lines(fresh, console.options)
    assert legend(colorbar(0.0, 1.0, "diverging", width=12), "output") is key


@pytest.mark.parametrize("color_system", COLOUR_SYSTEMS)
@pytest.mark.parametrize("width", [80, 40, 20])
@pytest.mark.parametrize("classes", [2, 3, 7])
def test_the_class_key_draws_as_the_grid_table_it_was(color_system, width, classes):
    from rich.table import Table

    from nncli.render.classes import _key

    table = Table.grid(padding=(0, 1))
    table.add_row(*_key(classes).parts)
    for _ in range(2):  # drawn, then taken again as drawn
        assert printed(_key(classes), color_system, width) == printed(table, color_system, width)


def printed(renderable, color_system, width):
    """The characters and escape sequences `renderable` is written to a terminal as."""
    console = console_of(color_system, width)
    console.print(renderable)
    return console.file.getvalue()


@pytest.mark.parametrize("color_system", COLOUR_SYSTEMS)
@pytest.mark.parametrize(("box", "width"), [(None, 60), ((20, 6), 30), (None, 10)])
def test_a_class_maps_own_lines_are_the_lines_rich_splits_out_of_it(color_system, box, width):
    from nncli.render.classes import ClassPicture

    def class_map():
        random = np.random.default_rng(3)
        picture = ClassPicture(random.integers(0, 3, (10, 16)), random.uniform(0, 1, (10, 16)), {(2, 3): (1, True)})
        return picture.fit(*box) if box else picture

    console = console_of(color_system, width)
    options = console.options.update(width=width)
    assert lines_of(console, options, class_map()) == console.render_lines(class_map(), options, pad=False)


@pytest.mark.parametrize("color_system", COLOUR_SYSTEMS)
@pytest.mark.parametrize("no_color", [False, True])
@pytest.mark.parametrize("width", [24, 14, 6])
def test_a_tile_taken_part_by_part_is_the_tile_rich_draws(color_system, no_color, width):
    from rich.console import Group
    from rich.text import Text

    from nncli.render.heatmap import grayscale_image

    def tiles():
        formula = Text("tanh(1.3·x₁ − 0.4·x₂ + 0.2) and a long tail to wrap", style="dim")
        digit = grayscale_image(np.arange(64.0).reshape(8, 8))
        return [
            Group(Text("neuron 1", style="bold"), some_picture(20, 20, 4, (12, 6)), formula),
            Group(Text("✗ 3 97%, is 5", style="red"), digit),
            Group(Text("a", end=""), Text("b")),  # a part that leaves its line open: Rich joins them
        ]

    console = console_of(color_system, width, no_color)
    options = console.options.update(width=width)
    for tile, again in zip(tiles(), tiles()):
        assert lines_of(console, options, tile) == console.render_lines(again, options, pad=False)


@pytest.mark.parametrize("color_system", COLOUR_SYSTEMS)
@pytest.mark.parametrize("no_color", [False, True])
@pytest.mark.parametrize("width", [70, 40, 16])
def test_a_charts_own_lines_are_the_lines_rich_draws_of_it(color_system, no_color, width):
    from rich.console import Group
    from rich.text import Text

    from nncli.render.charts import Series, line_chart

    def chart():
        epochs = np.arange(1, 51)
        series = [Series("training loss", epochs, 1 / epochs, "cyan"), Series("held out", epochs, 1.2 / epochs, "red")]
        return Group(line_chart(series, width=36, height=8, log_y=True, title="Loss"), Text("a note below"))

    console = console_of(color_system, width, no_color)
    options = console.options.update(width=width)
    assert lines_of(console, options, chart()) == console.render_lines(chart(), options, pad=False)


@pytest.mark.parametrize("color_system", COLOUR_SYSTEMS)
@pytest.mark.parametrize("width", [60, 30, 12])
def test_the_confusion_grid_taken_as_lines_is_the_text_it_was(color_system, width):
    from rich.text import Text

    from nncli.render.digits import confusion_grid

    confusion = np.random.default_rng(5).integers(0, 40, (10, 10))
    grid = confusion_grid(confusion, 0.9)
    old = Text("\n", no_wrap=True).join(grid.lines)
    console = console_of(color_system, width)
    options = console.options.update(width=width)
    assert lines_of(console, options, grid) == console.render_lines(old, options, pad=False)
    assert console.render_lines(grid, options) == console.render_lines(old, options)


@pytest.mark.parametrize("color_system", COLOUR_SYSTEMS)
@pytest.mark.parametrize("no_color", [False, True])
@pytest.mark.parametrize("per_row", [1, 3])
def test_a_grid_of_tiles_is_its_tiles_drawn_by_rich_side_by_side(color_system, no_color, per_row):
    from rich.console import Group
    from rich.segment import Segment
    from rich.text import Text

    from nncli.render.axes import Grid

    def tiles():
        return [
            Group(Text(f"neuron {k}", style="bold"), some_picture(16, 16, k, (12, 6)), Text(f"tanh({k}.5·x₁ − 0.3·x₂)"))
            for k in range(1, 6)
        ]

    console = console_of(color_system, 60, no_color)
    inner = console.options.update(width=14)
    expected = []
    for start in range(0, 5, per_row):  # each tile split out of Rich's stream, then the tiles side by side
        drawn = [console.render_lines(tile, inner, pad=False) for tile in tiles()[start : start + per_row]]
        for index in range(max(map(len, drawn))):
            line = []
            for position, lines in enumerate(drawn):
                line += [Segment("  ")] if position else []
                line += Segment.adjust_line_length(lines[index] if index < len(lines) else [], 14)
            expected.append(line)
    grid = Group(Grid(tiles(), 14, per_row, 2), Text("5 of 9 shown"))
    options = console.options.update(width=60)
    expected += console.render_lines(Text("5 of 9 shown"), options, pad=False)
    assert lines_of(console, options, grid) == expected
    assert console.render_lines(grid, options) == [Segment.adjust_line_length(line, 60) for line in expected]


@pytest.mark.parametrize("color_system", COLOUR_SYSTEMS)
@pytest.mark.parametrize("width", [60, 30, 12])
def test_a_view_of_a_title_axes_and_key_taken_part_by_part_is_what_rich_draws(color_system, width):
    from rich.console import Group
    from rich.text import Text

    def view():
        axes = Axes(some_picture(12, 20, 6, (20, 6)), (-1.0, 1.0), (-2.0, 2.0), "x₁", "x₂")
        return Group(Text("Decision boundary", style="bold"), axes, legend(colorbar(0, 1, width=12), "output"))

    console = console_of(color_system, width)
    options = console.options.update(width=width)
    assert lines_of(console, options, view()) == console.render_lines(view(), options, pad=False)
