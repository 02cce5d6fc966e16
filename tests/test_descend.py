"""`nncli descend`: optimizers on a 2-D surface step exactly as their update rules say,
momentum beats plain descent in a long valley, and SGD on the bowl diverges exactly past
lr = 2/λ_max."""

import math

import numpy as np
import pytest
from conftest import ON_TORCH_WORKER, json_lines, run, run_in_terminal

from nncli.formula import FormulaError, parse
from nncli.views.surfaces import TENSOR_FUNCTIONS, Descent, bowl, expression_surface, get_surface, race


def rosenbrock_gradient(x, y):
    return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])


def walk(optimizer, steps, **settings):
    surface = get_surface("rosenbrock")
    descent = Descent(surface, optimizer, start=(-1.2, 1.0), **settings)
    race([descent], steps)
    return np.array(descent.points)


def test_sgd_steps_are_p_minus_lr_times_gradient():
    lr, p = 1e-3, np.array([-1.2, 1.0])
    expected = [p]
    for _ in range(3):
        p = p - lr * rosenbrock_gradient(*p)
        expected.append(p)
    np.testing.assert_allclose(walk("sgd", 3, lr=lr), expected, rtol=1e-13)


def test_momentum_steps_add_up_a_velocity():
    lr, mu, p = 1e-3, 0.8, np.array([-1.2, 1.0])
    velocity, expected = None, [p]
    for _ in range(3):
        g = rosenbrock_gradient(*p)
        velocity = g if velocity is None else mu * velocity + g  # v ← μ·v + g, the first v = g
        p = p - lr * velocity
        expected.append(p)
    np.testing.assert_allclose(walk("momentum", 3, lr=lr, momentum=mu), expected, rtol=1e-13)


def test_adam_steps_divide_the_mean_gradient_by_its_root_mean_square():
    lr, (b1, b2), eps, p = 0.05, (0.9, 0.999), 1e-8, np.array([-1.2, 1.0])
    mean, square, expected = np.zeros(2), np.zeros(2), [p]
    for t in range(1, 4):
        g = rosenbrock_gradient(*p)
        mean = b1 * mean + (1 - b1) * g
        square = b2 * square + (1 - b2) * g * g
        p = p - lr * (mean / (1 - b1**t)) / (np.sqrt(square / (1 - b2**t)) + eps)
        expected.append(p)
    points = walk("adam", 3, lr=lr)
    np.testing.assert_allclose(points, expected, rtol=1e-12)
    # its first step is lr against the sign of each gradient component, whatever their size
    np.testing.assert_allclose(points[1] - points[0], -lr * np.sign(rosenbrock_gradient(-1.2, 1.0)), rtol=1e-6)


def race_json(*args):
    result = run("descend", *args, "--json")
    assert result.exit_code == 0, result.output
    events = json_lines(result)
    assert [e["event"] for e in events] == ["start"] + ["path"] * (len(events) - 2) + ["summary"]
    return events[0], {e["optimizer"]: e for e in events[1:-1]}


def test_momentum_needs_far_fewer_steps_than_sgd_in_a_long_valley():
    _, paths = race_json("bowl", "--condition", 50, "--optimizer", "sgd,momentum", "--lr", 0.02, "--steps", 1000)
    sgd, momentum = paths["sgd"], paths["momentum"]
    assert sgd["status"] == momentum["status"] == "reached"
    assert momentum["reached_at"] < sgd["reached_at"] / 2  # measured: 83 against 263
    # along the flat floor plain SGD shrinks x by (1 − lr) a step: from −2 to within 0.01
    assert sgd["reached_at"] == math.ceil(math.log(0.01 / 2) / math.log(1 - 0.02))


@pytest.mark.parametrize("condition", [4, 20, 100])
def test_sgd_on_the_bowl_diverges_exactly_past_two_over_the_largest_curvature(condition):
    boundary = 2 / condition  # λ_max of (x² + K·y²)/2 is K
    below = race_json("bowl", "--condition", condition, "--optimizer", "sgd", "--lr", 0.98 * boundary, "--steps", 600)
    above = race_json("bowl", "--condition", condition, "--optimizer", "sgd", "--lr", 1.02 * boundary, "--steps", 600)
    assert below[1]["sgd"]["status"] == "reached"
    assert above[1]["sgd"]["status"] == "diverged"
    y_above = [abs(y) for _, y in above[1]["sgd"]["points"]]
    assert all(b > a for a, b in zip(y_above, y_above[1:]))  # every step across the valley overshoots more


def test_help_states_the_divergence_rule():
    assert "2/K" in run("descend", "--help").output


def test_json_gives_every_point_of_every_path():
    start, paths = race_json("himmelblau", "--steps", 40)
    assert start["surface"] == "himmelblau" and len(start["minima"]) == 4
    surface = get_surface("himmelblau")
    for path in paths.values():
        assert len(path["points"]) == len(path["values"]) == path["steps"] + 1 == 41
        assert path["points"][0] == [0.0, 0.0]
        np.testing.assert_allclose(path["values"], [surface(x, y) for x, y in path["points"]], rtol=1e-12)


def test_a_start_outside_the_region_grows_it():
    start, paths = race_json("bowl", "--start", "9,-7", "--steps", 5)
    x_lo, x_hi, y_lo, y_hi = start["region"]
    assert x_lo <= 9 <= x_hi and y_lo <= -7 <= y_hi
    assert paths["sgd"]["points"][0] == [9.0, -7.0]


def test_a_nan_on_the_way_ends_the_path_as_left_the_domain():
    _, paths = race_json("--expr", "sqrt(x) + y**2", "--start", "1,1", "--optimizer", "sgd")
    path = paths["sgd"]
    assert path["status"] == "left the domain" and path["cut_short"]
    assert all(math.isfinite(v) for v in path["values"])  # the path keeps only the points that were numbers
    assert path["points"][-1][0] >= 0


def test_a_formula_with_kinks_still_runs():
    _, paths = race_json("--expr", "abs(x) + 2*abs(y) + step(x)", "--steps", 50)
    assert all(len(p["points"]) == 51 for p in paths.values())


@pytest.mark.parametrize(
    "args, message",
    [
        (["bowl", "--steps", 0], "--steps"),
        (["bowl", "--lr", "nan"], "--lr"),
        (["bowl", "--lr", "inf"], "--lr"),
        (["bowl", "--lr", "0.1,0.2"], "one learning rate, or one for each"),
        (["rosenbrok"], "did you mean 'rosenbrock'"),
        (["bowl", "--optimizer", "sgd,sgd"], "twice"),
        (["bowl", "--optimizer", "lbfgs"], "not an optimizer"),
        (["rosenbrock", "--condition", 5], "--condition shapes the bowl"),
        (["--expr", "x*y + __import__('os')"], "--expr"),
        (["--expr", "2xy"], "missing operator"),
        (["--expr", "3 + pi"], "neither x nor y"),
        (["--expr", "log(x)", "--start", "-1,0"], "undefined at the start"),
        (["bowl", "--start", "1e300,0"], "overflows at the start"),
        (["bowl", "--start", "1"], "X,Y"),
        ([], "give a surface"),
    ],
)
def test_bad_input_is_a_usage_error(args, message):
    result = run("descend", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_run_together_variables_are_read_as_a_product_hint():
    with pytest.raises(FormulaError, match=r"write x\*y for a product"):
        parse("xy + 1", variables=("x", "y"))


@pytest.mark.parametrize("name", sorted(TENSOR_FUNCTIONS))
def test_every_formula_function_has_the_gradient_of_finite_differences(name):
    text = f"{name}(0.3*x + 0.2, y/2)" if name in ("min", "max") else f"{name}(0.3*x + 0.2*y + 0.1)"
    surface = expression_surface(text)
    point = (0.7, 0.4)
    descent = Descent(surface, "sgd", lr=1.0, start=point)
    descent.surface.loss(descent.point).backward()
    h = 1e-6
    numeric = [
        (surface(point[0] + h, point[1]) - surface(point[0] - h, point[1])) / (2 * h),
        (surface(point[0], point[1] + h) - surface(point[0], point[1] - h)) / (2 * h),
    ]
    np.testing.assert_allclose(descent.point.grad, numeric, rtol=1e-6, atol=1e-9)


def test_bowl_is_what_its_help_says():
    surface = bowl(7)
    assert surface(2.0, 3.0) == (4 + 7 * 9) / 2


def test_the_race_is_drawn_on_a_terminal():
    pyte = pytest.importorskip("pyte")
    returncode, text = run_in_terminal(
        "descend", "bowl", "--steps", "40", columns=100, lines=60, env={"NO_COLOR": None}
    )
    assert returncode == 0
    assert "step 40 of 40" in text or "step 39 of 40" in text  # frames drawn while it ran
    screen = pyte.Screen(100, 60)
    pyte.Stream(screen).feed(text)
    shown = "\n".join(screen.display)
    assert "Steps to within 0.01 of a minimum" in shown
    assert "momentum 0.9" in shown and "bowl: f(x, y) = (x**2 + 20*y**2)/2" in shown


def test_one_learning_rate_each_in_the_optimizers_order():
    _, paths = race_json("saddle", "--optimizer", "adam,sgd", "--lr", "0.01,0.2", "--steps", 3)
    assert paths["adam"]["lr"] == 0.01 and paths["sgd"]["lr"] == 0.2
    (x0, y0), (x1, y1) = paths["sgd"]["points"][:2]
    assert x1 == pytest.approx(x0 - 0.2 * 2 * x0) and y1 == pytest.approx(y0 - 0.2 * (y0**3 - y0))


@ON_TORCH_WORKER
@pytest.mark.parametrize("optimizer, lr", [("sgd", 1e-3), ("momentum", 1e-3), ("adam", 0.05)])
def test_paths_follow_torch_optim_from_the_same_start(optimizer, lr):
    torch = pytest.importorskip("torch")
    point = torch.tensor([-1.2, 1.0], dtype=torch.float64, requires_grad=True)
    make = {
        "sgd": lambda: torch.optim.SGD([point], lr=lr),
        "momentum": lambda: torch.optim.SGD([point], lr=lr, momentum=0.9),
        "adam": lambda: torch.optim.Adam([point], lr=lr),
    }
    reference = make[optimizer]()
    expected = [point.detach().numpy().copy()]
    for _ in range(50):
        reference.zero_grad()
        x, y = point[0], point[1]
        ((1 - x) ** 2 + 100 * (y - x**2) ** 2).backward()
        reference.step()
        expected.append(point.detach().numpy().copy())
    np.testing.assert_allclose(walk(optimizer, 50, lr=lr), expected, rtol=1e-10, atol=1e-12)
