"""The hidden view: the data and the input plane in the last hidden layer's space, with the
output's decision line — its numbers checked against the layer's activations computed
here by hand from the weights."""

import io

import numpy as np
import pytest
from conftest import json_lines, run, run_in_terminal

from nncli.render import draw
from nncli.session.runner import load_trained, run_config
from nncli.views import History
from nncli.views.hidden import space
from nncli.views.plane import plane_data

ACTIVATIONS = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0), "sigmoid": lambda z: 1 / (1 + np.exp(-z))}


# its module fixture trains models once: all its tests on one worker
pytestmark = pytest.mark.xdist_group("probe_hidden")


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    home = tmp_path_factory.mktemp("store")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NNCLI_HOME", str(home))
        trainings = {
            "xor": ("train", "xor", "--epochs", "300"),
            "circle": ("train", "circle", "--hidden", "2", "--epochs", "30", "--points", "200"),
            "spiral": ("train", "spiral", "--hidden", "6,5", "--epochs", "30", "--points", "150"),
            "flat": ("train", "gauss", "--hidden", "0", "--epochs", "5", "--points", "100"),
        }
        for name, args in trainings.items():
            result = run(*args, "-q", "--dtype", "float64", "--save", home / f"{name}.npz")
            assert result.exit_code == 0, result.output
        yield {name: home / f"{name}.npz" for name in trainings}


def hidden_view(path):
    task, network, meta, _ = load_trained(str(path))
    config = run_config(meta)
    dataset = task.load_data(config)
    return space(network, dataset, config, History.of_model(meta)), network, dataset, meta


def by_hand(network, meta, inputs, layers):
    """The outputs of the first `layers` layers, from the state dict, in NumPy."""
    state = {k: v.astype(np.float64) for k, v in network.state_dict().items()}
    activation = ACTIVATIONS[meta["config"]["activation"]]
    h = inputs
    for k in range(layers):
        h = activation(h @ state[f"{2 * k}.weight"].T + state[f"{2 * k}.bias"])
    return h, state


def test_two_hidden_neurons_are_the_axes_themselves(models):
    view, network, dataset, meta = hidden_view(models["circle"])
    P_train, _, P_test, _, encode = plane_data(dataset)
    h, state = by_hand(network, meta, encode(np.concatenate([P_train, P_test])), 1)
    assert view.basis == "neurons" and view.width == 2 and view.axes == ["h₁", "h₂"]
    np.testing.assert_allclose([p[:2] for p in view.points], h, rtol=1e-12, atol=1e-12)
    # One output: the decision line is where w·h + b = 0, and it crosses the drawn box.
    (boundary,) = view.boundaries
    for end in boundary["segment"]:
        assert abs(np.dot(state["2.weight"][0], end) + state["2.bias"][0]) < 1e-9
    # The grid's first line is the input plane's left edge, mapped point by point.
    first = np.asarray(view.grid[0])
    lo = first[0]
    assert len(view.grid) == 18 and first.shape == (48, 2) and np.isfinite(lo).all()


def test_wider_layers_are_seen_through_their_first_two_principal_components(models):
    view, network, dataset, meta = hidden_view(models["xor"])
    P_train, _, P_test, _, encode = plane_data(dataset)
    h, state = by_hand(network, meta, encode(np.concatenate([P_train, P_test])), 1)
    assert view.basis == "principal components" and view.width == 4
    mean, components = np.asarray(view.mean), np.asarray(view.components)
    np.testing.assert_allclose(mean, h.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(components @ components.T, np.eye(2), atol=1e-12)
    np.testing.assert_allclose([p[:2] for p in view.points], (h - mean) @ components.T, atol=1e-12)
    # The two directions hold the share of the spread their singular values say.
    spread = np.linalg.svd(h - mean, compute_uv=False) ** 2
    assert view.explained == pytest.approx(spread[:2].sum() / spread.sum())
    # The line is where the output's input is 0 for a point of the plane (mean + componentsᵀ·(a, b)).
    for end in view.boundaries[0]["segment"]:
        on_plane = mean + components.T @ np.asarray(end)
        assert abs(state["2.weight"][0] @ on_plane + state["2.bias"][0]) < 1e-9
    # XOR: no line separates the classes in (x₁, x₂), and one does here.
    w, b = state["2.weight"][0], state["2.bias"][0]
    assert ((h @ w + b > 0) == (dataset.y_train[:, 0] > 0.5)).all()


def test_with_classes_the_boundaries_are_where_two_leading_scores_tie(models):
    view, network, _, meta = hidden_view(models["spiral"])
    assert view.layer == 2 and view.width == 5 and view.boundaries
    state = {k: v.astype(np.float64) for k, v in network.state_dict().items()}
    mean, components = np.asarray(view.mean), np.asarray(view.components)
    for boundary in view.boundaries:
        i, j = boundary["classes"]
        for end in boundary["segment"]:
            scores = state["4.weight"] @ (mean + components.T @ np.asarray(end)) + state["4.bias"]
            assert scores[i] == pytest.approx(scores[j], abs=1e-9)
            assert sorted(np.argsort(scores)[-2:]) == [i, j]


def test_visualize_draws_it_and_json_gives_its_numbers(models):
    result = run("visualize", models["xor"], "--view", "hidden", env={"NO_COLOR": "1"})
    assert result.exit_code == 0
    assert "Hidden space" in result.stdout and "principal components of its 4 neurons" in result.stdout
    (event,) = json_lines(run("visualize", models["circle"], "--view", "hidden", "--json").stdout)
    assert event["view"] == "hidden" and event["basis"] == "neurons" and len(event["points"]) == 200


def test_a_network_without_hidden_layers_says_so(models):
    view, *_ = hidden_view(models["flat"])
    assert view.width == 0
    assert "no hidden layer" in draw(view, 80).plain


def test_replay_takes_it(models):
    replay = run("replay", models["xor"], "--view", "hidden")
    assert replay.exit_code == 0 and "Hidden space" in replay.stdout


@pytest.mark.parametrize("name", ["xor", "spiral"])
@pytest.mark.parametrize("columns, lines", [(36, 18), (40, 19), (76, 19), (76, 28), (120, 40)])
def test_in_a_cell_of_the_live_panel_it_is_drawn_whole(models, name, columns, lines):
    from rich.console import Console

    from nncli.render import size_of

    view = hidden_view(models[name])[0]
    smallest = size_of(view).smallest
    assert columns >= smallest[0] and lines >= smallest[1]
    console = Console(file=io.StringIO(), width=columns, force_terminal=True, color_system="truecolor")
    drawn = console.render_lines(draw(view, columns, height=lines), console.options, pad=False)
    text = "\n".join("".join(segment.text for segment in line) for line in drawn)
    assert len(drawn) <= lines and all(len(line) <= columns for line in text.splitlines())
    assert text.startswith("Hidden space") and "PC1" in text and "PC2" in text and text.rstrip().endswith("by class")


@pytest.mark.slow
def test_the_live_panel_shows_the_plane_folding_as_it_learns(tmp_path):
    pyte = pytest.importorskip("pyte")
    code, output = run_in_terminal("train", "xor", "--epochs", "300", "--watch", "hidden", "--no-save", lines=60)
    screen = pyte.Screen(80, 60)
    pyte.Stream(screen).feed(output)
    text = "\n".join(screen.display)
    assert code == 0
    assert "Hidden space" in text and "principal components of its 4 neurons" in text and "PC1" in text
    assert "decision line" in text and "done after 300 epochs" in text
