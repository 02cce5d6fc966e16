"""The live panel's frames: cheapened when late rather than skipped, and grids sampled at
the resolution of the cell they are drawn in. Time is a fake clock here; the real command
on a terminal is in test_live.py."""

import io
import math

import pytest

from nncli.cli.controls import AIM, FRAME_BUDGET_S, LEAST_DETAIL, LONGEST_GAP_S, Controls, next_detail
from nncli.render.live import LEAST_PIXELS, sampled_pixels


def test_a_frame_over_budget_lowers_the_detail_by_what_brings_its_grids_within_it():
    # 2× over: the cells (the detail squared) cut to AIM of the budget, from twice it
    assert next_detail(1.0, 0.02, 0.01) == pytest.approx(math.sqrt(AIM / 2))
    assert next_detail(0.8, 0.02, 0.01) == pytest.approx(0.8 * math.sqrt(AIM / 2))
    assert next_detail(1.0, 1.0, 0.01) == pytest.approx(0.5)  # far over: halved at most, one frame at a time
    assert next_detail(LEAST_DETAIL, 1.0, 0.01) == LEAST_DETAIL  # and never below the floor


def test_a_frame_well_under_budget_raises_the_detail_and_one_near_it_keeps_it():
    assert next_detail(0.5, 0.001, 0.01) == pytest.approx(0.625)
    assert next_detail(0.9, 0.001, 0.01) == 1.0  # never above the cell's own resolution
    assert next_detail(0.5, 0.008, 0.01) == 0.5  # between half the budget and the budget: kept


def test_grid_points_follow_the_detail_within_the_cell_and_above_the_least():
    assert sampled_pixels(40, 1.0) == 40
    assert sampled_pixels(40, 0.5) == 20
    assert sampled_pixels(40, 0.1) == LEAST_PIXELS
    assert sampled_pixels(8, 0.25) == 8  # a cell that shows fewer than the least gets what it shows
    assert sampled_pixels(40, 1.5) == 40  # never more than the cell shows


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_dear_frames_are_cheapened_not_skipped():
    # A frame costs a fixed part and a part that grows with its grid's cells (the detail
    # squared). Dear at full detail, frames come at the full rate once the detail has come down.
    clock = FakeClock()
    drawn = []

    def frame(epoch, history):
        drawn.append((clock.now, controls.detail))
        clock.now += 0.005 + 0.08 * controls.detail**2

    controls = Controls(on_frame=frame, clock=clock)
    controls.begin()
    for epoch in range(1, 5001):  # five seconds of training
        clock.now += 0.001
        controls.after_epoch(epoch, {})
    first_cost = 0.005 + 0.08
    assert drawn[0][1] == 1.0 and first_cost > FRAME_BUDGET_S
    settled = drawn[10:]
    assert all(0.005 + 0.08 * detail**2 <= FRAME_BUDGET_S for _, detail in settled)
    assert all(detail > LEAST_DETAIL for _, detail in settled)  # cheap enough well above the floor
    starts = [at for at, _ in drawn]
    assert max(b - a for a, b in zip(starts, starts[1:])) <= LONGEST_GAP_S
    assert len(settled) >= 0.9 * 10 * (settled[-1][0] - settled[0][0])  # about ten a second


def test_frames_that_get_cheap_again_regain_their_detail():
    clock = FakeClock()
    details = []

    def frame(epoch, history):
        details.append(controls.detail)
        clock.now += 0.2 if epoch <= 1000 else 0.002  # a burst of load, then quiet

    controls = Controls(on_frame=frame, clock=clock)
    controls.begin()
    for epoch in range(1, 4001):
        clock.now += 0.001
        controls.after_epoch(epoch, {})
    assert min(details) == LEAST_DETAIL and details[-1] == 1.0


def _panel(columns, lines):
    from rich.console import Console

    from nncli.render.live import LivePanel

    console = Console(file=io.StringIO(), force_terminal=True, width=columns, height=lines, color_system="256")
    return LivePanel(console, "test", 10)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize("task_name, view_name", [("xor", "boundary"), ("spiral", "boundary")])
def test_a_plane_is_sampled_at_the_resolution_of_the_cell_it_is_drawn_in(size, task_name, view_name):
    from nncli.cli.task_commands import run_config
    from nncli.render.heatmap import fitted_shape
    from nncli.render.plane import plane_area
    from nncli.session.runner import prepare
    from nncli.tasks import get_task
    from nncli.tasks.catalog import defaults
    from nncli.views.live import Watch

    task = get_task(task_name)
    config = run_config(task, {**defaults(task_name), "epochs": 10})
    dataset, network = prepare(task, config)
    watch = Watch(task, (view_name,), network, dataset, config)
    panel = _panel(*size)
    panel.frame = watch.frame(1, {"loss": [1.0]})  # the first frame: the view's own default grid
    panel.render()
    side = panel.resolutions()[view_name]
    numbers, columns, lines = panel.cells[view_name]
    area = plane_area(numbers, columns, lines, colour=True)
    assert side == min(area.rows, area.columns) and side != len(numbers.x)  # not the default grid
    panel.frame = watch.frame(2, {"loss": [1.0, 0.9]}, sizes=panel.resolutions())
    panel.render()
    sampled, columns, lines = panel.cells[view_name]
    assert len(sampled.x) == len(sampled.y) == side
    area = plane_area(sampled, columns, lines, colour=True)
    assert fitted_shape((side, side), (area.columns, area.size[1]), True) == (side, side)  # drawn 1:1, not resampled
    assert panel.resolutions(0.5)[view_name] == sampled_pixels(side, 0.5) < side


def test_an_epoch_longer_than_a_frame_is_drawn_between_its_steps():
    # Epochs of 50 steps of 5 ms: a quarter of a second each, yet about ten frames a second.
    clock = FakeClock()
    drawn = []
    controls = Controls(on_frame=lambda epoch, history: drawn.append(clock.now), clock=clock)
    controls.begin()
    for epoch in range(1, 9):  # two seconds
        for step in range(50):
            clock.now += 0.005
            if step < 49:
                controls.between_steps()
        controls.after_epoch(epoch, {})
    gaps = [b - a for a, b in zip(drawn, drawn[1:])]
    assert len(drawn) >= 17 and max(gaps) <= 0.11


def test_training_asks_a_control_between_the_steps_of_an_epoch():
    import numpy as np

    from nncli.nn.network import build_network
    from nncli.train import TrainConfig, fit

    class Counting:
        def __init__(self):
            self.between, self.epochs = 0, 0

        def between_steps(self):
            self.between += 1

        def after_epoch(self, epoch, history, numbers):
            self.epochs += 1

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 2)).astype(np.float32), rng.normal(size=(20, 1)).astype(np.float32)
    network = build_network([{"type": "linear", "in": 2, "out": 1}], "mse", "tensor", "float32", 0)
    control = Counting()
    fit(network, X, y, TrainConfig(epochs=3, lr=0.01, batch_size=4), lambda event: None, control=control)
    assert (control.epochs, control.between) == (3, 3 * 4)  # five steps an epoch: four gaps between them


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_neuron_tiles_are_sampled_at_the_resolution_of_their_tiles(size):
    from nncli.cli.task_commands import run_config
    from nncli.render.heatmap import fitted_shape
    from nncli.render.plane import tile_side
    from nncli.session.runner import prepare
    from nncli.tasks import get_task
    from nncli.tasks.catalog import defaults
    from nncli.views.live import Watch

    task = get_task("xor")
    config = run_config(task, {**defaults("xor"), "epochs": 10})
    dataset, network = prepare(task, config)
    watch = Watch(task, ("neurons",), network, dataset, config)
    panel = _panel(*size)
    panel.frame = watch.frame(1, {"loss": [1.0]})
    panel.render()
    numbers, columns, lines = panel.cells["neurons"]
    side = panel.resolutions()["neurons"]
    assert side == tile_side(numbers, columns, lines, colour=True) != len(numbers.x)  # not the default grid
    panel.frame = watch.frame(2, {"loss": [1.0, 0.9]}, sizes=panel.resolutions())
    panel.render()
    sampled = panel.cells["neurons"][0]
    assert len(sampled.x) == side and len(sampled.neurons[0]["output"]) == side
    assert fitted_shape((side, side), (side, side // 2), True) == (side, side)  # a tile is drawn 1:1, not resampled
