"""`nncli play`'s parts without a terminal: the cell → plane mapping, the session's keys,
points added by hand, and the saved model every other command reads."""

import dataclasses
import json

import numpy as np
import pytest
from conftest import run
from hypothesis import given, settings
from hypothesis import strategies as st

from nncli.render.plane import cell_point, grid_index, plane_area
from nncli.session.play import FEATURE_SETS, KEYS, MOST_ADDED, Playground
from nncli.tasks.points import KEPT_LABELS
from nncli.views import History
from nncli.views.plane import boundary


@pytest.fixture(scope="module")
def circle_session():
    return Playground("circle")


def drawn_at(session, width, height, colour):
    """The boundary as `nncli play` computes it for a cell of width × height: as many grid
    points as the picture has pixels, framed by the generated points."""
    args = (session.network, session.dataset, session.config, History())
    rough = plane_area(boundary(*args, size=2, frame=session.frame), width, height, colour)
    numbers = boundary(*args, size=max(min(rough.rows, rough.columns), 2), frame=session.frame)
    return numbers, plane_area(numbers, width, height, colour)


@settings(max_examples=60, deadline=None)
@given(
    width=st.integers(30, 120),
    height=st.integers(12, 50),
    colour=st.booleans(),
    across=st.floats(0, 1, exclude_max=True),
    down=st.floats(0, 1, exclude_max=True),
)
def test_a_point_added_at_a_cell_is_drawn_at_that_cell(circle_session, width, height, colour, across, down):
    numbers, area = drawn_at(circle_session, width, height, colour)
    columns, lines = area.size
    column, line = area.left + int(across * columns), area.top + int(down * lines)
    x1, x2 = cell_point(area, column, line)
    row, col = grid_index(numbers.y, [x2])[0], grid_index(numbers.x, [x1])[0]
    assert (row, col) != (-1, -1)
    pixel_columns, pixel_rows = (1, 2) if colour else (2, 1)
    assert area.left + col * pixel_columns <= column < area.left + (col + 1) * pixel_columns
    assert line == area.top + row // pixel_rows


def test_cells_off_the_picture_are_no_point(circle_session):
    _, area = drawn_at(circle_session, 60, 30, True)
    columns, lines = area.size
    for cell in [(area.left - 1, area.top), (area.left, area.top - 1), (area.left + columns, area.top)]:
        assert cell_point(area, *cell) is None
    assert cell_point(area, area.left, area.top + lines) is None
    x1, x2 = cell_point(area, area.left, area.top)  # the top left corner: least x1, most x2
    assert x1 < numbers_x_middle(area) and x2 > numbers_y_middle(area)


def numbers_x_middle(area):
    return sum(area.x_edges) / 2


def numbers_y_middle(area):
    return sum(area.y_edges) / 2


# What each key changes, read from the session's status.
CHANGES = {
    "l": lambda before, after: after["lr"] > before["lr"],
    "L": lambda before, after: after["lr"] < before["lr"],
    "a": lambda before, after: after["activation"] != before["activation"],
    "h": lambda before, after: len(after["hidden"]) == len(before["hidden"]) + 1,
    "H": lambda before, after: len(after["hidden"]) == len(before["hidden"]) - 1,
    "w": lambda before, after: after["hidden"][0] > before["hidden"][0],
    "W": lambda before, after: after["hidden"][0] < before["hidden"][0],
    "f": lambda before, after: after["features"] != before["features"],
    "e": lambda before, after: after["noise"] > before["noise"],
    "E": lambda before, after: after["noise"] < before["noise"],
    "t": lambda before, after: after["test_fraction"] > before["test_fraction"],
    "T": lambda before, after: after["test_fraction"] < before["test_fraction"],
    "g": lambda before, after: after["seed"] == before["seed"] + 1,
    "space": lambda before, after: after["paused"] and not before["paused"],
}


@pytest.mark.parametrize("key", sorted(CHANGES))
def test_every_key_changes_the_setting_it_says_and_nothing_else(key):
    session = Playground("circle")
    before = session.status()
    assert session.press(key)
    after = session.status()
    assert CHANGES[key](before, after)
    changed = {name for name in before if before[name] != after[name]}
    expected = {"l": "lr", "L": "lr", "a": "activation", "f": "features", "e": "noise", "E": "noise", "g": "seed"}
    expected.update({"t": "test_fraction", "T": "test_fraction", "space": "paused"})
    expected.update({k: "hidden" for k in "hHwW"})
    assert changed == {expected[key]}, (key, changed)


def test_the_keys_table_is_what_the_tests_check():
    assert set(KEYS) == set(CHANGES) | {"r", "c", "n", "q"}


def test_a_new_shape_or_features_start_from_fresh_weights_new_data_keeps_them():
    session = Playground("circle")
    session.train(3)
    weights = session.network.state_dict()["0.weight"].copy()
    session.press("e")  # more noise: new data, the same network
    assert np.array_equal(session.network.state_dict()["0.weight"], weights)
    session.press("a")  # another activation: a new network
    session.press("r")
    assert not np.array_equal(session.network.state_dict()["0.weight"], weights)
    for _ in FEATURE_SETS:  # every feature set builds a network of as many inputs
        session.press("f")
        assert session.network.spec()[0]["in"] == len(session.status()["features"])


def test_r_draws_fresh_weights_c_clears_the_added_points_n_steps_only_while_paused_q_quits():
    session = Playground("moons")
    weights = session.network.state_dict()["0.weight"].copy()
    session.press("r")
    assert not np.array_equal(session.network.state_dict()["0.weight"], weights)
    session.add_points([(0.5, 0.5)], [1])
    assert session.status()["added"] == 1 and session.status()["points"] == 201
    session.press("c")
    assert session.status()["added"] == 0 and session.status()["points"] == 200
    session.press("n")
    assert not session.stepping
    session.press("space")
    session.press("n")
    assert session.stepping
    session.press("q")
    assert session.quit


def test_number_keys_choose_the_pen_among_the_task_classes():
    spiral = Playground("spiral")
    assert spiral.press("2") and spiral.pen == 2
    assert spiral.press("7") and spiral.pen == 2  # the spiral has three classes
    assert "0 to 2" in spiral.message


def test_training_stops_at_a_change_and_counts_every_epoch():
    session = Playground("gauss")
    presses = iter(["l"])
    session.between_epochs = lambda: session.press(next(presses, "unknown")) and False
    session.train(50)
    assert session.epoch == 1  # the key after the first epoch stopped the loop, to take the new rate
    session.between_epochs = None
    session.train(20)
    assert session.epoch == 21 and len(session.losses) == 21


def test_a_diverging_rate_pauses_with_fresh_weights_and_says_so():
    session = Playground("spiral")
    session.config = dataclasses.replace(session.config, optimizer="sgd", lr=1e30)
    session.train(5)
    assert session.paused and "infinite" in session.message
    assert all(np.isfinite(v).all() for v in session.network.state_dict().values())


def test_points_added_by_hand_are_capped_with_a_message():
    session = Playground("circle")
    many = np.random.default_rng(0).uniform(-5, 5, (MOST_ADDED + 500, 2))
    assert session.add_points(many, [1] * len(many)) == MOST_ADDED
    assert f"at most {MOST_ADDED:,}" in session.message
    assert session.add_points([(0.0, 0.0)], [0]) == 0
    assert len(session.dataset.X_train) == 280 + MOST_ADDED


def test_the_saved_model_is_a_model_of_the_task_whose_data_holds_the_added_points(tmp_path):
    session = Playground("circle")
    corner = [(5.5, 5.5), (5.6, 5.4), (5.4, 5.6)]
    session.add_points(corner, [1, 1, 1])
    session.train(20)
    path = session.save(tmp_path / "played.npz")
    shown = json.loads(run("visualize", path, "--view", "boundary", "--json").stdout)
    learned_from = [p[:3] for p in shown["points"] if not p[3]]
    for x1, x2 in corner:
        assert [x1, x2, 1] in learned_from
    assert len(shown["points"]) == 403
    report = run("evaluate", path, "--json")
    assert report.exit_code == 0 and "held-out" in report.stdout
    model = run("inspect", "model", path)
    assert "nncli play circle (3 points added by hand" in model.stdout
    assert run("predict", "5.5,5.5").exit_code == 0  # it is the store's most recent model too


def test_a_model_file_whose_points_are_damaged_is_refused_in_one_line(tmp_path):
    session = Playground("circle")
    path = session.save(tmp_path / "played.npz")
    with np.load(path) as npz:
        arrays = dict(npz)
    arrays[KEPT_LABELS] = arrays[KEPT_LABELS] + 5  # classes a circle does not have
    np.savez(path, **arrays)
    result = run("evaluate", path)
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") <= 1 and "classes it does not have" in result.stderr


def test_without_a_terminal_play_says_it_is_interactive():
    result = run("play", "circle")
    assert result.exit_code == 1
    assert "interactive" in result.stderr and "nncli train circle" in result.stderr
