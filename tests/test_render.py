"""The rendering toolkit: braille charts, heatmaps, sparklines and SVG export.

Pictures are printed on an in-memory console, as the CLI would print them, and the text
is decoded back (braille dots, glyphs, colours) to check what a person would see.
"""

import io
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from nncli.render.charts import BRAILLE_BLANK, DOT_BITS, Series, format_number, line_chart
from nncli.render.heatmap import GLYPHS, colorbar, grayscale_image, heatmap
from nncli.render.sparkline import LEVELS, histogram_bar, sparkline
from nncli.render.svg import to_svg

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def render(renderable, *, no_color=False, color_system="truecolor", width=120):
    console = Console(
        file=io.StringIO(),
        width=width,
        force_terminal=True,
        color_system=color_system,
        no_color=no_color,
        legacy_windows=False,
    )
    console.print(renderable)
    return console.file.getvalue()


def plot_rows(output):
    """The plot area of a chart: the text after the y axis on each row."""
    rows = [
        re.split("[┤│]", line, maxsplit=1)[1]
        for line in ANSI.sub("", output).splitlines()
        if "┤" in line or "│" in line
    ]
    width = max(len(row) for row in rows)
    return [row.ljust(width) for row in rows]


def dots(output):
    """The set of raised braille dots (x, y) of a chart, y = 0 at the top."""
    raised = set()
    for r, row in enumerate(plot_rows(output)):
        for c, char in enumerate(row):
            bits = ord(char) - BRAILLE_BLANK if char != " " else 0
            for dy, pair in enumerate(DOT_BITS):
                for dx, bit in enumerate(pair):
                    if bits & bit:
                        raised.add((2 * c + dx, 4 * r + dy))
    return raised


def tick_line(output):
    """The line of x tick labels, right under the x axis."""
    lines = ANSI.sub("", output).splitlines()
    return next(lines[i + 1] for i, line in enumerate(lines) if "└" in line)


# --- braille charts --------------------------------------------------------------------


def test_dot_bits_cover_the_eight_dots_once():
    bits = [bit for pair in DOT_BITS for bit in pair]
    assert sorted(bits) == [1 << i for i in range(8)]
    assert chr(BRAILLE_BLANK + DOT_BITS[0][0] + DOT_BITS[0][1]) == "⠉"  # top row: dots 1, 4


def test_rising_line_rises_left_to_right_without_gaps():
    out = render(line_chart([Series("up", [0, 1], [0, 1])], width=20, height=5))
    raised = dots(out)
    columns = sorted({x for x, _ in raised})
    assert columns == list(range(40))  # every dot column has a dot: the line is joined
    highest = [min(y for x, y in raised if x == c) for c in columns]
    assert highest == sorted(highest, reverse=True)  # y shrinks (goes up) as x grows
    assert (0, 19) in raised and (39, 0) in raised  # bottom-left to top-right corner


def test_axes_show_round_numbers_within_the_data_each_on_its_own_row():
    out = ANSI.sub("", render(line_chart([Series("s", [-3, 7], [2, 10])], width=30, height=9)))
    y_labels = [line.split("┤")[0].strip() for line in out.splitlines() if "┤" in line]
    assert y_labels == ["10", "8", "6", "4", "2"]  # 9 rows for 2 … 10: a round number every other row
    assert tick_line(out).split() == ["0", "5"]


def test_a_step_of_height_one_sits_on_the_rows_labelled_0_and_1():
    out = ANSI.sub("", render(line_chart([Series("step", [-3, 0, 0, 3], [0, 0, 1, 1])], width=30, height=6)))
    rows = {line.split("┤")[0].strip(): line.split("┤")[1] for line in out.splitlines() if "┤" in line}
    assert set(rows) == {"0", "0.5", "1"}
    assert "⣀" in rows["0"] and "⠉" in rows["1"]  # the low and high treads on their own labels' rows


@pytest.mark.parametrize(
    "low, high, ticks",
    [(-0.995, 0.994, [-0.5, 0.0, 0.5]), (1, 30, [10, 20, 30]), (0.0013, 0.0042, [0.002, 0.003, 0.004]), (2, 2, [2])],
)
def test_round_ticks_are_round_numbers_within_the_range(low, high, ticks):
    from nncli.render.axes import round_ticks

    assert round_ticks(low, high, 3) == ticks


def test_title_labels_and_legend():
    chart = line_chart(
        [Series("train", [0, 1], [1, 0], "cyan"), Series("test", [0, 1], [1, 0.5], "magenta")],
        title="Loss",
        x_label="epoch",
        y_label="loss",
    )
    out = ANSI.sub("", render(chart))
    assert out.splitlines()[0].strip() == "Loss"
    assert "epoch" in out and "loss" in out
    assert re.search(r"━━ train\s+━━ test", out)


def test_nan_and_inf_leave_a_gap():
    y = np.arange(100, dtype=float)
    y[40:50], y[50:60] = np.nan, np.inf
    out = render(line_chart([Series("gap", np.arange(100), y)], width=60, height=10))
    columns = {x for x, _ in dots(out)}
    assert set(range(0, 46)) <= columns  # x = 0..39 lands on dot columns 0..47
    assert not columns & set(range(49, 71))  # nothing drawn across the gap
    assert set(range(73, 120)) <= columns


def test_constant_series_is_a_flat_line_in_the_middle():
    out = render(line_chart([Series("flat", [0, 1, 2], [3, 3, 3])], width=10, height=5))
    raised = dots(out)
    assert {y for _, y in raised} == {10}  # dot rows 0..19: the middle one
    assert {x for x, _ in raised} == set(range(20))
    assert "3 ┤" in ANSI.sub("", out)


def test_single_point_and_empty_charts():
    assert len(dots(render(line_chart([Series("one", [5], [5])], width=10, height=4)))) == 1
    assert dots(render(line_chart([], width=10, height=4))) == set()
    assert dots(render(line_chart([Series("none", [], [])], width=10, height=4))) == set()


def test_a_cell_two_series_share_is_drawn_so_both_show():
    chart = line_chart([Series("a", [0, 1], [0, 1], "cyan"), Series("b", [0, 1], [0, 1], "red")]).text()
    styles = {
        str(span.style)
        for span in chart.spans
        if any(ord(c) > BRAILLE_BLANK for c in chart.plain[span.start : span.end])
    }
    assert styles == {"bold"}  # neither colour hides the other: the cells say "both"
    assert "━━ both" in chart.plain


def test_without_colour_each_series_has_its_own_marker_in_the_chart_and_the_legend():
    chart = line_chart(
        [Series("loss", [0, 1], [1, 0], "cyan"), Series("val loss", [0, 1], [0, 1], "magenta")], width=20, height=5
    )
    plain = ANSI.sub("", render(chart, no_color=True))
    assert "━━ loss" in plain and "••• val loss" in plain and "both" not in plain
    plot = "".join(plot_rows(plain))
    assert plot.count("•") >= 10  # the second line is drawn in its marker …
    assert any(BRAILLE_BLANK < ord(c) <= BRAILLE_BLANK + 0xFF for c in plot)  # … the first in braille
    coloured = render(chart)
    assert "•" not in ANSI.sub("", coloured)  # in colour, both are braille lines


def test_log_y_labels_decades_and_skips_non_positive_values():
    y = np.concatenate([[0.0, -1.0], np.logspace(0, -3, 50)])
    out = ANSI.sub("", render(line_chart([Series("loss", np.arange(52), y)], log_y=True, width=40, height=9)))
    y_labels = [line.split("┤")[0].strip() for line in out.splitlines() if "┤" in line]
    assert y_labels == ["1", "0.1", "0.01", "0.001"]  # the decades


def test_scatter_points_are_single_dots():
    chart = line_chart(
        [], points=[(0.0, 0.0, "yellow"), (1.0, 1.0, "yellow")], x_range=(0, 1), y_range=(0, 1), width=10, height=5
    )
    assert dots(render(chart)) == {(0, 19), (19, 0)}


def test_lines_beyond_the_range_are_clipped():
    chart = line_chart([Series("wild", [0, 1, 2], [0.5, 1e300, 0.5])], y_range=(0, 1), width=10, height=5)
    raised = dots(render(chart))
    assert raised and all(0 <= x < 20 and 0 <= y < 20 for x, y in raised)


def test_format_number_is_compact():
    assert [format_number(v) for v in (0, -0.0, 1, 3.14159, 1234, 1e-5, -2.5e6)] == [
        "0",
        "0",
        "1",
        "3.14",
        "1.23e3",
        "1e-5",
        "-2.5e6",
    ]


# --- heatmaps and images ---------------------------------------------------------------


def test_heatmap_draws_two_rows_per_line_with_half_blocks():
    out = render(heatmap(np.random.default_rng(0).normal(size=(5, 7))))
    lines = ANSI.sub("", out).splitlines()
    assert lines == ["▀" * 7] * 3


def test_heatmap_top_pixel_is_foreground_bottom_is_background():
    out = render(heatmap([[-1.0], [1.0]]))
    assert "38;2;33;102;172" in out  # top: the most negative value, blue foreground
    assert "48;2;178;24;43" in out  # bottom: the most positive value, red background


def test_diverging_heatmap_is_white_at_zero_with_symmetric_limits():
    out = render(heatmap([[0.0, 3.0], [-1.0, 0.0]]))
    assert "38;2;247;247;247" in out  # 0 is white although the data are not symmetric


@pytest.mark.parametrize("console_options", [{"no_color": True}, {"color_system": None}])
def test_heatmap_without_colour_uses_glyphs(console_options):
    values = np.arange(12.0).reshape(3, 4)
    out = render(heatmap(values, palette="sequential"), **console_options)
    assert "\x1b" not in out
    lines = out.splitlines()
    assert len(lines) == 3 and all(len(line) == 8 for line in lines)
    assert set("".join(lines)) <= set(GLYPHS)
    assert lines[0][:2] == "  " and lines[2][-2:] == "██"  # the min and the max


@pytest.mark.parametrize("palette", ["sequential", "gray"])
@pytest.mark.parametrize("xterm", [False, True], ids=["truecolour", "256-colours"])
def test_a_palette_for_growing_values_gets_lighter_at_every_level(palette, xterm):
    from nncli.render.heatmap import palette_colours

    lightness = [
        0.2126 * r + 0.7152 * g + 0.0722 * b
        for r, g, b in (colour.get_truecolor() for colour in palette_colours(palette, xterm))
    ]
    assert np.all(np.diff(lightness) >= 0) and lightness[-1] > lightness[0]


def test_no_color_argument_overrides_the_console():
    assert set(render(heatmap(np.eye(4), no_color=True)).strip()) <= set(GLYPHS + "\n")
    assert "▀" in render(heatmap(np.eye(4), no_color=False), no_color=True)


def test_marks_are_drawn_over_the_picture():
    values = np.linspace(-1, 1, 16).reshape(4, 4)
    marks = {(0, 0): "o", (3, 3): "x"}
    glyphs = render(heatmap(values, marks=marks), no_color=True).splitlines()
    assert glyphs[0][0] == "o" and glyphs[3][6] == "x"
    assert set("".join(glyphs)) <= set(GLYPHS) | {"o", "x"}
    coloured = ANSI.sub("", render(heatmap(values, marks=marks))).splitlines()
    assert coloured[0][0] == "o" and coloured[1][3] == "x"


def test_heatmap_survives_nan_and_constant_values():
    assert len(render(heatmap([[np.nan, 1.0], [2.0, np.nan]])).splitlines()) == 1
    assert render(heatmap(np.zeros((2, 2)), palette="sequential"), no_color=True).strip() == "▒▒▒▒\n▒▒▒▒"


def test_heatmap_needs_2d_values_and_a_known_palette():
    with pytest.raises(ValueError):
        heatmap(np.zeros(4))
    with pytest.raises(ValueError):
        heatmap(np.zeros((2, 2)), palette="rainbow")


def test_grayscale_image_of_an_8x8_digit():
    digit = np.zeros((8, 8))
    digit[1:7, 3] = 16  # a "1"
    coloured = render(grayscale_image(digit))
    assert len(coloured.splitlines()) == 4
    assert "38;2;255;255;255" in coloured and "48;2;0;0;0" in coloured
    glyphs = render(grayscale_image(digit), no_color=True).splitlines()
    assert len(glyphs) == 8
    assert glyphs[0] == " " * 16 and glyphs[3] == "      ██        "


def test_colorbar_shows_its_limits():
    out = ANSI.sub("", render(colorbar(-2.5, 2.5)))
    assert out.startswith("-2.5 ") and out.rstrip().endswith(" 2.5")
    glyphs = render(colorbar(0, 1, "sequential"), no_color=True).strip()
    assert glyphs.startswith("0 ") and glyphs.endswith("█ 1")


# --- sparklines ------------------------------------------------------------------------


def test_sparkline_of_increasing_values_never_goes_down():
    line = sparkline(np.linspace(-3, 5, 30) ** 3)
    levels = [LEVELS.index(c) for c in line]
    assert levels == sorted(levels) and line[0] == "▁" and line[-1] == "█"


def test_sparkline_gaps_constants_and_resampling():
    assert sparkline([1, np.nan, 3, np.inf]) == "▁ █ "
    assert sparkline([7, 7, 7]) == "▄▄▄"
    assert sparkline([]) == ""
    assert sparkline(np.arange(1000), width=8) == LEVELS
    assert sparkline([0, 1], width=4) == "▁▁██"


def test_histogram_bar_heights_follow_counts():
    assert histogram_bar([5, 0, 10]) == "▄ █"
    assert histogram_bar([1, 400]) == "▁█"  # a bin of one value still shows
    assert histogram_bar([0, 0, 0, 0]) == "    "


# --- SVG -------------------------------------------------------------------------------


def test_to_svg_is_in_colour_even_under_no_color(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    svg = to_svg([line_chart([Series("s", [0, 1], [0, 1])]), heatmap([[-1.0]])], title="demo")
    assert svg.startswith("<svg") and "demo" in svg
    assert "#2166ac" in svg  # the diverging palette's blue


# --- the live panel's layout --------------------------------------------------------------

SIZES = st.tuples(st.integers(10, 80), st.integers(4, 30))


@given(
    st.lists(st.tuples(SIZES, st.tuples(st.integers(0, 60), st.integers(0, 20))), min_size=1, max_size=5),
    st.integers(1, 240),
    st.integers(1, 70),
)
def test_the_layout_shows_the_first_views_each_in_a_cell_it_fits_within_the_area(views, width, height):
    from nncli.render import Size
    from nncli.render.layout import GAP, arrange

    sizes = [Size(small, (small[0] + more[0], small[1] + more[1])) for small, more in views]
    rows = arrange(sizes, width, height)
    shown = [index for row in rows for index, _, _ in row]
    assert shown == list(range(len(shown)))  # the first views, in order: the headline first
    for row in rows:
        assert sum(columns for _, columns, _ in row) + GAP * (len(row) - 1) <= width
        for index, columns, lines in row:
            assert columns >= sizes[index].smallest[0] and lines >= sizes[index].smallest[1]
    assert sum(max(lines for _, _, lines in row) for row in rows) + max(len(rows) - 1, 0) <= height
    first = sizes[0].smallest
    assert bool(rows) == (first[0] <= width and first[1] <= height)  # nothing only when even the first cannot fit


def test_the_layout_puts_views_side_by_side_where_the_width_allows():
    from nncli.render import Size
    from nncli.render.layout import arrange

    boundary, neurons, loss = Size((26, 12), (52, 22)), Size((30, 12), (64, 20)), Size((30, 9), (70, 18))
    assert [[i for i, _, _ in row] for row in arrange([boundary, neurons, loss], 76, 19)] == [[0, 1]]
    assert [[i for i, _, _ in row] for row in arrange([boundary, neurons, loss], 116, 35)] == [[0, 1], [2]]
