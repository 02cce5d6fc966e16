"""Convolutional networks from the command line: `train digits --conv`, `--shift`, the model
file's checks of image layers, and the exports, each checked against PyTorch/onnxruntime."""

import importlib.util
import json

import numpy as np
import pytest
from conftest import ON_TORCH_WORKER, json_lines, run

from nncli import nn, store
from nncli.errors import ModelFileError
from nncli.tasks.digits import shifted

# its module fixture trains models once, and it runs PyTorch: all its tests on the worker that does
pytestmark = ON_TORCH_WORKER

CNN_LAYERS = nn.cnn_spec(10, (3, 4), (10,), "relu")  # on 10×10 images: digits --shift 2


def conv_model(tmp_path):
    """A small CNN trained for two epochs on digits shifted by 2; its path."""
    path = tmp_path / "cnn.npz"
    result = run("train", "digits", "--conv", "3,4", "--hidden", "0", "--shift", "2", "--epochs", "2",
                 "--save", path, "--json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    start = json_lines(result)[0]
    assert start["config"]["conv"] == [3, 4] and start["config"]["shift"] == 2
    assert start["parameters"] == nn.parameter_count(CNN_LAYERS)
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(model path, its state, its metadata): trained once for the module."""
    path = conv_model(tmp_path_factory.mktemp("cnn"))
    state, meta = store.load_model(path)
    return path, state, meta


@pytest.fixture(scope="module")
def digits_rows():
    """Raw rows of 10×10 shifted digits (pixels 0–16), as `predict` takes them."""
    from nncli.data import load_digits

    X, _ = load_digits()
    return shifted(X[:6], 2, np.random.default_rng(5))


def test_the_model_file_holds_the_cnn(trained):
    _, state, meta = trained
    assert meta["layers"] == CNN_LAYERS
    assert state["1.weight"].shape == (3, 1, 3, 3) and state["4.weight"].shape == (4, 3, 3, 3)


def test_shifted_places_each_digit_whole_on_a_bigger_canvas():
    X = np.arange(2 * 64).reshape(2, 64) + 1
    moved = shifted(X, 3, np.random.default_rng(0)).reshape(2, 11, 11)
    for image, original in zip(moved, X.reshape(2, 8, 8)):
        rows, columns = np.nonzero(image)
        top, left = rows.min(), columns.min()
        assert 0 <= top <= 3 and 0 <= left <= 3
        np.testing.assert_array_equal(image[top : top + 8, left : left + 8], original)
        assert image.sum() == original.sum()


def predictions(path, rows):
    result = run("predict", path, "--json", input="\n".join(",".join(map(str, row)) for row in rows) + "\n")
    assert result.exit_code == 0, result.stderr
    return np.array([line["probabilities"] for line in json_lines(result)])


def test_pytorch_export_loads_the_weights_and_predicts_as_nncli(trained, digits_rows, tmp_path):
    torch = pytest.importorskip("torch")
    path, state, _ = trained
    script = tmp_path / "cnn.py"
    assert run("export", path, script, "--to", "pytorch").exit_code == 0
    spec = importlib.util.spec_from_file_location("cnn_export", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.load_model()  # a torch.nn.Sequential, loaded strictly from the model file
    assert isinstance(model[1], torch.nn.Conv2d) and isinstance(model[3], torch.nn.MaxPool2d)
    with torch.no_grad():
        logits = model(torch.from_numpy((digits_rows / 16).astype(np.float32))).double()
    np.testing.assert_allclose(torch.softmax(logits, 1).numpy(), predictions(path, digits_rows), atol=1e-6)


def test_onnx_export_runs_in_onnxruntime_as_nncli_predicts(trained, digits_rows, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    path, _, _ = trained
    graph = tmp_path / "cnn.onnx"
    assert run("export", path, graph).exit_code == 0
    session = ort.InferenceSession(str(graph))
    _, probabilities = session.run(None, {"input": digits_rows.astype(np.float32)})
    ops = {node.op_type for node in __import__("onnx").load(str(graph)).graph.node}
    assert {"Conv", "MaxPool", "Flatten", "Reshape"} <= ops
    np.testing.assert_allclose(probabilities, predictions(path, digits_rows), atol=1e-6)


def test_json_export_writes_each_kernel(trained, tmp_path):
    path, state, _ = trained
    target = tmp_path / "cnn.json"
    assert run("export", path, target).exit_code == 0
    layers = json.loads(target.read_text())["layers"]
    assert [layer["type"] for layer in layers[:4]] == ["unflatten", "conv2d", "relu", "maxpool2d"]
    np.testing.assert_array_equal(np.array(layers[1]["params"]["weight"], dtype=np.float32), state["1.weight"])
    assert "formula" in layers[1]


def test_inspect_model_shows_image_shapes_and_counts(trained):
    path, _, _ = trained
    result = run("inspect", "model", path)
    assert result.exit_code == 0, result.stderr
    assert "Conv2d(1 → 3, 3×3, padding 1)" in result.stdout and "(batch, 3, 10, 10)" in result.stdout
    assert "(batch, 4, 2, 2)" in result.stdout and f"{nn.parameter_count(CNN_LAYERS):,}" in result.stdout


def test_a_trained_cnn_goes_through_the_model_commands(trained):
    path, _, _ = trained
    for command in (["evaluate", path], ["inspect", "weights", path], ["visualize", path]):
        result = run(*command)
        assert result.exit_code == 0, (command, result.stderr)


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, code, words",
    [
        (["digits", "--conv", "4,4,4,4"], 2, "too small to pool"),  # 8 → 4 → 2 → 1 → nothing
        (["digits", "--conv", "0x"], 2, "channel counts"),
        (["digits", "--conv", "-3"], 2, "channel counts"),
        (["digits", "--conv", "5000"], 2, "more than nncli allows"),
        (["digits", "--conv", "4000,4000"], 2, "parameters"),
        (["digits", "--conv", "8", "--engine", "scalar"], 2, "--engine tensor"),
        (["digits", "--conv", "8", "--residual"], 2, "--residual"),
        (["digits", "--shift", "21"], 2, "--shift"),
        (["xor", "--conv", "8"], 2, "--conv"),
    ],
)
def test_bad_conv_requests_are_one_line_usage_errors(args, code, words):
    result = run("train", *args, "--epochs", "1", "--no-save")
    assert result.exit_code == code, result.stderr
    assert words in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.strip()]) <= 3  # click adds its usage line


def conv_state(layers, seed=0):
    rng = np.random.default_rng(seed)
    return {key: rng.standard_normal(shape).astype(np.float32) for key, shape in store.state_shapes(layers).items()}


def with_change(index, **fields):
    layers = [dict(entry) for entry in CNN_LAYERS]
    layers[index].update(fields)
    return layers


HOSTILE = {
    "kernel larger than the image": (with_change(1, kernel=30, padding=0), "does not fit"),
    "a pool that leaves 0×0": (with_change(6, kernel=16, stride=16), "does not fit"),
    "channels that do not chain": (with_change(4, **{"in": 5}), "takes 5 channels"),
    "absurd channels": (with_change(1, out=10**6), "channels from 1"),
    "memory beyond the budget": (
        [
            {"type": "unflatten", "in": 1_000_000, "shape": [1, 1000, 1000]},
            {"type": "conv2d", "in": 1, "out": 64, "kernel": 3, "stride": 1, "padding": 1, "bias": True},
            {"type": "maxpool2d", "kernel": 16, "stride": 16},
            {"type": "flatten"},
            {"type": "linear", "in": 64 * 62 * 62, "out": 1, "bias": True},
        ],
        "GiB",
    ),
    "conv on rows": (CNN_LAYERS[1:], "takes images"),
    "an unflatten of the wrong size": (with_change(0, **{"in": 99}), "channels × height × width"),
    "padding as big as the kernel": (with_change(1, padding=3), "padding"),
    "a stride of zero": (with_change(3, stride=0), "stride"),
    "an unflatten after a dense layer": (
        [{"type": "linear", "in": 100, "out": 100, "bias": True}, *CNN_LAYERS],
        "comes first",
    ),
    "a dense layer on images": ([entry for entry in CNN_LAYERS if entry["type"] != "flatten"], "gives images"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_conv_shapes_are_refused_in_one_line(tmp_path, case):
    layers, words = HOSTILE[case]
    meta = {
        "format": store.FORMAT_NAME,
        "format_version": store.FORMAT_VERSION,
        "task": "digits",
        "layers": layers,
        "dtype": "float32",
    }
    path = tmp_path / "hostile.npz"
    try:
        state = conv_state(layers)
    except (KeyError, TypeError, ValueError, MemoryError):
        state = {}  # shapes no array can have: the file holds none
    if sum(a.size for a in state.values()) > 10**7:
        state = {}
    np.savez(path, **state, __meta__=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
    with pytest.raises(ModelFileError, match=words) as caught:
        store.load_model(path)
    assert str(caught.value).count("\n") <= 1
    result = run("inspect", "model", path)
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) <= 2


# --- the views ---------------------------------------------------------------------------


def view_json(path, view):
    result = run("visualize", path, "--view", view, "--json")
    assert result.exit_code == 0, result.stderr
    (event,) = json_lines(result)
    return event


def test_filters_view_holds_each_kernel_as_stored(trained):
    path, state, _ = trained
    layers = view_json(path, "filters")["layers"]
    assert [(layer["key"], layer["in"], layer["out"]) for layer in layers] == [("1", 1, 3), ("4", 3, 4)]
    for layer in layers:
        np.testing.assert_array_equal(np.array(layer["kernels"], dtype=np.float32), state[f"{layer['key']}.weight"])


def test_feature_maps_are_torchs_activations_of_the_first_held_out_digit(trained):
    torch = pytest.importorskip("torch")
    path, state, meta = trained
    event = view_json(path, "feature-maps")
    assert [stage["after"] for stage in event["stages"]] == ["conv 1 + relu", "pool 1", "conv 2 + relu", "pool 2"]
    model = torch.nn.Sequential(
        torch.nn.Unflatten(1, (1, 10, 10)),
        torch.nn.Conv2d(1, 3, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(3, 4, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(16, 10),
    )
    model.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
    x = torch.tensor(np.array(event["image"], dtype=np.float32).reshape(1, 100))
    outputs = [x := layer(x) for layer in model]
    for stage in event["stages"]:
        expected = outputs[int(stage["key"])][0].detach().numpy()
        np.testing.assert_allclose(np.array(stage["maps"]), expected, rtol=1e-5, atol=1e-6)
    assert event["prediction"] == int(outputs[-1].argmax())


def test_the_pictures_count_conv_layers_and_channels_from_1_as_every_screen_does(trained, tmp_path):
    """As inspect and explain count neurons and layers; the JSON keeps the state-dict keys."""
    path, _, _ = trained
    kernels = run("visualize", path, "--view", "filters", env={"COLUMNS": "200"}).stdout
    assert "conv layer 1: 3 kernels of 3×3" in kernels and "conv layer 2: 4 kernels of 3×3 over 3 channels" in kernels
    captions = [line.split() for line in kernels.splitlines() if line.lstrip().startswith(("1 ", "1←1 "))]
    assert captions == [["1", "2", "3"], [f"{o}←{c}" for o in range(1, 5) for c in range(1, 4)]]
    maps = run("visualize", path, "--view", "feature-maps", env={"COLUMNS": "200"}).stdout
    assert "after conv 1 + relu: 3 channels" in maps and "after pool 2: 4 channels" in maps and "(layer" not in maps
    assert [line.split() for line in maps.splitlines() if line.startswith("1 ")] == [["1", "2", "3"]] * 2 + [
        ["1", "2", "3", "4"]
    ] * 2
    svg = tmp_path / "filters.svg"
    assert run("visualize", path, "--view", "filters", "--svg", svg).exit_code == 0
    assert "conv layer 2: 4 kernels" in svg.read_text() and "4←3" in svg.read_text()


def test_a_dense_model_says_it_has_no_feature_maps():
    assert run("train", "digits", "--epochs", "1", "-q").exit_code == 0
    result = run("visualize", "--view", "feature-maps")
    assert result.exit_code == 0 and "no convolutional layers" in result.stdout


def test_inspect_network_draws_the_dense_part_after_the_convolutions(trained):
    path, _, _ = trained
    result = run("inspect", "network", path)
    assert result.exit_code == 0, result.stderr
    assert "16 → 10" in result.stdout
    line = " ".join(result.stdout.split())  # however the terminal's width wrapped it
    assert "3×3 conv 3×10×10 (30 parameters) → pool 3×5×5 → 3×3 conv 4×5×5 (112 parameters)" in line
    network = json_lines(run("inspect", "network", path, "--json"))[0]
    assert network["columns"][0]["title"] == "features" and network["columns"][0]["size"] == 16
    refused = run("inspect", "network", path, "--input", "0")
    assert refused.exit_code == 2 and "convolutions" in refused.stderr


# --- explain conv ------------------------------------------------------------------------


def test_explain_conv_numbers_are_torchs(trained):
    torch = pytest.importorskip("torch")
    path, state, meta = trained
    result = run("explain", "conv", path, "--input", "3", "--json")
    assert result.exit_code == 0, result.stderr
    step = json_lines(result)[0]
    assert step["example"] == "held-out example 3" and step["layer"] == "1"
    conv = torch.nn.Conv2d(1, 3, 3, padding=1).double()
    conv.load_state_dict({"weight": torch.from_numpy(state["1.weight"]), "bias": torch.from_numpy(state["1.bias"])})
    rest = torch.nn.Sequential(
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(3, 4, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(16, 10),
    ).double()
    rest.load_state_dict({f"{int(k.split('.')[0]) - 2}.{k.split('.')[1]}": torch.from_numpy(v) for k, v in state.items()
                          if int(k.split(".")[0]) > 1})  # fmt: skip
    image = torch.tensor(step["image"], dtype=torch.float64)[None, None].requires_grad_()
    z = conv(image)
    z.retain_grad()
    logits = rest(z)
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor([step["label"]]))
    loss.backward()
    o, (i, j) = step["channel"], step["position"]
    assert step["loss"] == pytest.approx(loss.item(), rel=1e-9)  # the file's float32 weights, in float64 on both sides
    assert step["z"] == pytest.approx(z[0, o, i, j].item(), rel=1e-9)
    assert step["a"] == pytest.approx(max(z[0, o, i, j].item(), 0.0), rel=1e-9)
    assert step["a"] == pytest.approx(max(map(max, step["pool"]["values"])), rel=1e-12)  # the pool keeps it
    np.testing.assert_allclose(step["delta"], z.grad[0, o].numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(step["kernel_grad"], conv.weight.grad[o, 0].numpy(), rtol=1e-9, atol=1e-12)
    assert step["bias_grad"] == pytest.approx(conv.bias.grad[o].item(), rel=1e-9, abs=1e-12)
    np.testing.assert_allclose(step["input_grad"], image.grad[0, 0].numpy(), rtol=1e-9, atol=1e-12)
    r, c = step["pixel"]
    assert step["pixel_grad"] == pytest.approx(image.grad[0, 0, r, c].item(), rel=1e-9, abs=1e-12)
    products = np.array(step["patch"]) * np.array(step["kernel"])
    np.testing.assert_allclose(step["products"], products)
    assert step["z"] == pytest.approx(products.sum() + step["bias"], rel=1e-12)


def test_explain_conv_draws_and_refuses_what_it_cannot_explain(trained, digits_rows):
    path, _, _ = trained
    shown = run("explain", "conv", path, "--channel", "1")
    assert shown.exit_code == 0, shown.stderr
    assert "channel 1," in shown.stdout and "∂L/∂b = Σ δ" in shown.stdout
    pixels = ",".join(map(str, digits_rows[0]))
    assert run("explain", "conv", path, "--input", pixels, "--json").exit_code == 0
    assert run("explain", "conv", path, "--input", "100000").exit_code == 2
    assert run("explain", "conv", path, "--input", "1,2").exit_code == 2
    for beyond in ("0", "4"):  # the first convolution's channels are 1 to 3
        refused = run("explain", "conv", path, "--channel", beyond)
        assert refused.exit_code == 2 and len(refused.stderr.splitlines()) == 2, refused.stderr
    assert run("train", "digits", "--epochs", "1", "-q").exit_code == 0
    dense = run("explain", "conv")
    assert dense.exit_code == 1 and "--conv" in dense.stderr


def test_explain_conv_counts_channels_rows_and_columns_from_1_while_its_json_indexes_from_0(trained):
    path, _, _ = trained
    (step,) = json_lines(run("explain", "conv", path, "--channel", "2", "--json"))
    assert step["channel"] == 1
    shown = run("explain", "conv", path, "--channel", "2", env={"COLUMNS": "400"}).stdout

    def at(position):
        return f"({position[0] + 1}, {position[1] + 1})"

    assert f"channel 2, at output position {at(step['position'])}" in shown
    assert f"δ = ∂L/∂z over channel 2 (at {at(step['position'])}:" in shown
    assert f"window from {at(step['pool']['origin'])}" in shown and f"from {at(step['pool']['winner'])}" in shown
    assert f"{step['top_terms'][0]['delta']:.4f}·patch{at(step['top_terms'][0]['position'])}" in shown
    assert f"∂L/∂x at pixel {at(step['pixel'])}" in shown


def test_replay_pages_the_kernels_and_feature_maps_of_every_snapshot(trained, tmp_path):
    path, _, _ = trained
    page = tmp_path / "replay.html"
    result = run("replay", path, "--view", "filters", "--view", "feature-maps", "--html", page)
    assert result.exit_code == 0, result.stderr
    text = page.read_text()
    assert "3 kernels of 3\\u00d73" in text and "after pool 2" in text  # the frames are JSON in the page
