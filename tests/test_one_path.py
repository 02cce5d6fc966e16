"""One preprocessing path: for the same raw input, every command that runs a model and
every export answer what `nncli predict` answers.

A model of every task kind is trained (tiny), with and without input features and
scaling, float32 and float64, and each is asked about a few raw inputs by: the PyTorch
script (run with torch), the ONNX graph (under onnxruntime, fed the network's dtype), the
JSON export (re-implemented here in NumPy from the document alone), evaluate --data (its
loss against the loss of predict's own answers), explain backprop --input, inspect network
--input, inspect graph --model --input (its loss), and visualize (the boundary or the fit,
at the points it drew). One test per model and surface, so a count of passes says how
many of them agree.
"""

import importlib.util
import json

import numpy as np
import pytest
from conftest import ON_TORCH_WORKER, json_lines, run
from test_export import csv_rows, run_script

from nncli import data, store
from nncli.nn import parameter_count

# its module fixture trains models once, and it runs PyTorch: all its tests on the worker that does
pytestmark = ON_TORCH_WORKER

POINTS = [[4.5, 0.0], [0.25, -1.5], [-2.0, 3.0]]  # exact in float32, so ONNX is fed the same numbers
TABLE = "a,b,y,kind\n" + "".join(
    f"{a},{b},{2 * a - b + 0.5 * a * b},{'hot' if a + b > 0.3 else 'cold'}\n"
    for a, b in np.random.default_rng(3).normal(0, 1.5, (80, 2)).round(3).tolist()
)
LINE = "x,y\n" + "".join(f"{x},{3 * x + 50 + np.sin(x)}\n" for x in np.linspace(0, 100, 30).tolist())

# name → (the command that trains it, its raw inputs, targets for evaluate: labels or values)
MODELS = {
    "xor": (("train", "xor", "--epochs", "20"), [[0, 1], [1, 1], [0.5, 0.25]], [1, 0, 1]),
    "xor features": (
        ("train", "xor", "--hidden", "0", "--features", "x1,x2,x1*x2", "--epochs", "20"),
        [[0, 1], [1, 1], [0.5, 0.25]],
        [1, 0, 1],
    ),
    "circle": (("train", "circle", "--epochs", "10"), POINTS, [0, 1, 0]),
    "circle features": (
        ("train", "circle", "--hidden", "0", "--features", "x1^2,x2^2", "--epochs", "20"),
        POINTS,
        [0, 1, 0],
    ),
    "circle features float64 leaky": (
        (
            "train",
            "circle",
            "--features",
            "x1,x2,x1*x2",
            "--activation",
            "leaky_relu",
            "--dtype",
            "float64",
            "--epochs",
            "5",
        ),
        POINTS,
        [0, 1, 1],
    ),
    "circle deep float64": (
        ("train", "circle", "--hidden", "4,4", "--batchnorm", "--residual", "--dtype", "float64", "--epochs", "3"),
        POINTS,
        [0, 1, 0],
    ),
    "spiral features": (
        ("train", "spiral", "--features", "x1,x2,sin(x1),sin(x2)", "--hidden", "6", "--epochs", "5"),
        POINTS,
        [0, 2, 1],
    ),
    "linreg": (("train", "linreg", "--epochs", "20"), [[0.5], [2.0], [-1.25]], [2.0, 5.0, -1.5]),
    "linreg file": (
        ("train", "linreg", "--data", "line.csv", "--epochs", "20"),
        [[0.5], [20.0], [75.0]],
        [51, 110, 275],
    ),
    "approx": (("approx", "sin", "--hidden", "6", "--epochs", "20"), [[0.5], [-1.25], [2.0]], [0.5, -1.0, 0.9]),
    "csv values": (
        ("train", "csv", "--data", "table.csv", "--target", "y", "--inputs", "a,b", "--hidden", "4", "--epochs", "5"),
        [[0.5, -1.0], [1.25, 0.75], [-2.0, 0.25]],
        [2.0, 2.25, -4.5],
    ),
    "csv classes": (
        (
            "train",
            "csv",
            "--data",
            "table.csv",
            "--target",
            "kind",
            "--inputs",
            "a,b",
            "--hidden",
            "4",
            "--epochs",
            "5",
        ),
        [[0.5, -1.0], [1.25, 0.75], [-2.0, 0.25]],
        ["cold", "hot", "cold"],
    ),
    "digits": (("train", "digits", "--epochs", "1", "--hidden", "8"), "digits", [0, 1, 2]),
}
SURFACES = ("pytorch", "onnx", "json", "evaluate", "explain", "inspect network", "inspect graph", "visualize")
MAX_GRAPH_PARAMETERS = 200  # inspect graph --model draws networks up to this size


def agree(got, expected, dtype):
    """Equal to the precision of the network's dtype (relative to the size of the answer)."""
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    assert got.shape == expected.shape
    gap = float((np.abs(got - expected) / np.maximum(1.0, np.abs(expected))).max())
    assert gap <= (1e-12 if dtype == "float64" else 1e-5), f"relative gap {gap:.3g}"


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Every model trained and exported three ways, with predict's answers for its raw inputs."""
    folder = tmp_path_factory.mktemp("one-path")
    (folder / "table.csv").write_text(TABLE)
    (folder / "line.csv").write_text(LINE)
    found = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NNCLI_HOME", str(folder / "store"))
        patch.chdir(folder)
        for index, (name, (command, inputs, targets)) in enumerate(MODELS.items()):
            path = folder / f"model{index}.npz"
            result = run(*command, "--quiet", "--save", path)
            assert result.exit_code == 0, result.output
            if inputs == "digits":
                inputs = data.load_digits()[0][:3].tolist()
            raw = np.array(inputs, dtype=np.float64)
            answers = json_lines(run("predict", path, "--json", input=csv_rows(raw)))
            meta = store.load_model(path)[1]
            files = {fmt: folder / f"model{index}.{suffix}" for fmt, suffix in (("pytorch", "py"), ("json", "json"))}
            if importlib.util.find_spec("onnx"):  # the onnx extra: without it, the ONNX checks skip
                files["onnx"] = folder / f"model{index}.onnx"
            for file in files.values():
                assert run("export", path, file).exit_code == 0
            found[name] = {"path": path, "raw": raw, "targets": targets, "answers": answers, "meta": meta, **files}
    return found


def script_answers(script, raw):
    """The exported script's JSON answers for rows of raw inputs on its stdin, as
    `python SCRIPT --json` gives them."""
    pytest.importorskip("torch")
    ran = run_script(script, ["--json"], csv_rows(raw))
    assert ran["code"] == 0, ran["stderr"]
    return json_lines(ran["stdout"])


def outputs_of(rows):
    """What predict-like rows say: every class's probability, or the one output."""
    return [row["probabilities"] if "probabilities" in row else [row["output"]] for row in rows]


# --- the JSON export, read by a NumPy program that knows nothing of nncli ----------------

FEATURES = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1**2,
    "x2^2": lambda x1, x2: x2**2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}
ACTIVATIONS = {
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
    "relu": lambda x: np.maximum(x, 0),
    "identity": lambda x: x,
    "dropout": lambda x: x,  # only while training
}


def run_json(document, raw):
    """The outputs the JSON document describes for rows of raw inputs, per row as predict gives them."""
    dtype = np.dtype(document["dtype"])
    x = raw
    if document["input"]["features"]:
        x = np.column_stack([FEATURES[f["name"]](raw[:, 0], raw[:, 1]) for f in document["input"]["features"]])
    if document["input"]["scaling"]:
        x = (x - np.array(document["input"]["scaling"]["x_mean"])) / np.array(document["input"]["scaling"]["x_std"])
    x = run_layers(document["layers"], x.astype(dtype), dtype)
    x = x.astype(np.float64)
    if document["output"]["kind"] == "classes":
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    scaling = document["output"]["scaling"]
    return x * np.array(scaling["y_std"]) + np.array(scaling["y_mean"]) if scaling else x


def run_layers(layers, x, dtype):
    for layer in layers:
        params = {name: np.array(values, dtype=dtype) for name, values in layer.get("params", {}).items()}
        if layer["type"] == "linear":
            x = x @ params["weight"].T + (params["bias"] if layer["bias"] else 0)
        elif layer["type"] == "batchnorm":
            sigma = np.sqrt(params["running_var"] + dtype.type(layer["eps"]))
            x = (x - params["running_mean"]) / sigma * params["weight"] + params["bias"]
        elif layer["type"] == "residual":
            x = x + run_layers(layer["layers"], x, dtype)
        elif layer["type"] == "leaky_relu":
            x = np.where(x > 0, x, x * dtype.type(layer["slope"]))
        else:
            x = ACTIVATIONS[layer["type"]](x)
    return x


# --- the losses, from predict's own answers ------------------------------------------------


def expected_losses(model):
    """Each row's loss, as training measured it, computed from predict's answers and the targets."""
    meta, rows, targets = model["meta"], model["answers"], model["targets"]
    loss = meta["loss"]
    if loss == "cross_entropy":
        return [-np.log(row["probabilities"][label_index(model, t)]) for row, t in zip(rows, targets)]
    outputs = np.array([row["output"] for row in rows])
    if loss == "bce":
        y = np.array([label_index(model, t) for t in targets], dtype=np.float64)
        return -(y * np.log(outputs) + (1 - y) * np.log(1 - outputs))
    y_std = (scaling(model).get("y_std") or [1.0])[0]  # the loss is in the network's units
    return ((outputs - np.array(targets, dtype=np.float64)) / y_std) ** 2


def scaling(model):
    return model["meta"]["input_scaling"] or {}


def classes(model):
    """A csv classifier's class names, or None."""
    return (model["meta"].get("table") or {}).get("classes")


def label_index(model, target):
    return classes(model).index(target) if classes(model) else int(target)


def evaluate_file(model, folder):
    """A labelled file of the model's raw inputs and targets, as evaluate --data reads it."""
    table = model["meta"].get("table")
    lines = [",".join(repr(float(v)) for v in row) + f",{t}" for row, t in zip(model["raw"], model["targets"])]
    header = ",".join([*table["inputs"], table["target"]]) + "\n" if table else ""
    path = folder / "labelled.csv"
    path.write_text(header + "\n".join(lines) + "\n")
    return path


def network_target(model, target):
    """--target as explain and inspect take it: a class label (its index) or a value."""
    return classes(model).index(target) if classes(model) else target


# --- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("name", MODELS)
def test_every_surface_answers_like_predict(models, name, surface, tmp_path):
    model = models[name]
    dtype = model["meta"]["dtype"]
    expected = outputs_of(model["answers"])
    if surface == "pytorch":
        agree(outputs_of(script_answers(model["pytorch"], model["raw"])), expected, dtype)
    elif surface == "onnx":
        ort = pytest.importorskip("onnxruntime")
        session = ort.InferenceSession(str(model["onnx"]), providers=["CPUExecutionProvider"])
        results = dict(
            zip([o.name for o in session.get_outputs()], session.run(None, {"input": model["raw"].astype(dtype)}))
        )
        got = results.get("probabilities", results.get("output"))
        assert got.dtype == np.dtype(dtype)
        agree(got, expected, dtype)
    elif surface == "json":
        agree(run_json(json.loads(model["json"].read_text()), model["raw"]), expected, dtype)
    elif surface == "evaluate":
        result = run("evaluate", model["path"], "--data", evaluate_file(model, tmp_path), "--json")
        assert result.exit_code == 0, result.output
        (event,) = json_lines(result)
        assert event["examples"] == len(model["raw"])
        agree(event["loss"], np.mean(expected_losses(model)), dtype)
    elif surface in ("explain", "inspect network", "inspect graph"):
        for row, target, answer, loss in zip(model["raw"], model["targets"], expected, expected_losses(model)):
            given = ("--input", ",".join(repr(float(v)) for v in row), "--target", network_target(model, target))
            if surface == "inspect graph":
                if parameter_count(model["meta"]["layers"]) > MAX_GRAPH_PARAMETERS:
                    pytest.skip("too large a network for inspect graph")
                result = run("inspect", "graph", "--model", model["path"], *given, "--json")
                assert result.exit_code == 0, result.output
                (event,) = json_lines(result)
                node = next(n for n in event["nodes"] if n["id"] == event["output"])
                agree(node["data"], loss, "float32")  # the scalar engine runs float32 weights in float64
                continue
            if surface == "explain":
                result = run("explain", "backprop", model["path"], *given, "--json")
                assert result.exit_code == 0, result.output
                output = json_lines(result)[0]["output"]  # probabilities, for several classes
            else:
                result = run("inspect", "network", model["path"], *given, "--json", env={"LINES": "60"})
                assert result.exit_code == 0, result.output
                column = json_lines(result)[0]["columns"][-1]
                assert column["shown"] == list(range(len(column["value"])))
                output = softmax(column["value"]) if len(column["value"]) > 1 else column["value"]
            agree(in_user_terms(model, output), answer, dtype)
    else:
        task = model["meta"]["task"]
        view = "boundary" if task in POINT_TASKS else "fit" if task == "approx" else None
        if view is None or (view == "boundary" and len(expected[0]) > 1):
            pytest.skip("no picture of the outputs themselves")
        result = run("visualize", model["path"], "--view", view, "--json")
        assert result.exit_code == 0, result.output
        picture = json_lines(result)[0]
        if view == "boundary":
            grid = [[x, y] for y in picture["y"] for x in picture["x"]]
            drawn = [z for row in picture["z"] for z in row]
        else:
            grid = [[x] for x in picture["x"][::250]]
            drawn = picture["output"][::250]
        asked = json_lines(run("predict", model["path"], "--json", input=csv_rows(np.array(grid))))
        agree(drawn, [row["output"] for row in asked], dtype)


POINT_TASKS = ("xor", "circle", "gauss", "moons", "spiral")


def softmax(logits):
    e = np.exp(np.asarray(logits, dtype=np.float64) - max(logits))
    return e / e.sum()


def in_user_terms(model, output):
    """A network's output (explain, inspect) as predict gives it: a regression's unscaled."""
    output = np.asarray(output, dtype=np.float64)
    y = scaling(model)
    return output * np.array(y["y_std"]) + np.array(y["y_mean"]) if "y_mean" in y else output


# --- evaluate takes any labelled file of raw inputs; hints name only options the command has


def with_a_gap(path, rows):
    """`rows` of a labelled file, and the same with a row whose first input is missing."""
    text = path.read_text()
    lines = text.splitlines()
    gap = ",".join(["NA", *lines[-1].split(",")[1:]])
    gapped = path.with_name("gapped.csv")
    gapped.write_text("\n".join([*lines[:-1], gap, lines[-1]]) + "\n")
    return gapped


@pytest.mark.parametrize("name", ["circle features", "csv classes"])
def test_evaluate_leaves_out_rows_with_missing_values_only_when_asked(models, name, tmp_path):
    model = models[name]
    complete = evaluate_file(model, tmp_path)
    gapped = with_a_gap(complete, model["raw"])
    refused = run("evaluate", model["path"], "--data", gapped)
    assert refused.exit_code == 1 and "--drop-missing" in refused.stderr and len(refused.stderr.splitlines()) <= 2
    (whole,) = json_lines(run("evaluate", model["path"], "--data", complete, "--json"))
    (kept,) = json_lines(run("evaluate", model["path"], "--data", gapped, "--drop-missing", "--json"))
    assert kept["examples"] == whole["examples"] == len(model["raw"])
    assert kept["loss"] == whole["loss"]


def test_drop_missing_without_a_file_is_a_usage_error(models):
    result = run("evaluate", models["circle"]["path"], "--drop-missing")
    assert result.exit_code == 2 and "--data" in result.stderr


def test_predict_on_a_table_with_a_missing_input_advises_only_what_predict_can_do(models, tmp_path):
    table = tmp_path / "ask.csv"
    table.write_text("a,b\n1,NA\n")
    result = run("predict", models["csv values"]["path"], input=table.read_text())
    assert result.exit_code == 1 and "missing value" in result.stderr
    assert "--drop-missing" not in result.stderr


def test_a_csv_model_is_explained_from_the_rows_its_file_keeps_never_from_a_file_it_names(
    models, tmp_path, monkeypatch
):
    """Elsewhere, with a different table.csv at hand (or none), explain and inspect use the
    model's kept rows — and no hint names an option they do not have."""
    (tmp_path / "table.csv").write_text("a,b,y,kind\nnot,numbers,at,all\n")
    monkeypatch.chdir(tmp_path)
    model = models["csv values"]
    for command in (("explain", "backprop"), ("inspect", "network")):
        result = run(*command, model["path"], "--json")
        assert result.exit_code == 0, result.output
        assert "--data" not in result.stderr
    (event,) = json_lines(run("explain", "backprop", model["path"], "--json"))
    assert event["example"] == "the first example of its data"


# --- ONNX: the network's dtype in and out, and a doc string that says what goes in --------


def test_the_onnx_graph_says_its_inputs_name_shape_and_meaning(models):
    onnx = pytest.importorskip("onnx")
    for name, words in (
        ("circle features", "points (x1, x2), from which the graph computes the features x1^2, x2^2"),
        ("csv values", "the columns a, b"),
        ("digits", "raw inputs"),
    ):
        graph = onnx.load(models[name]["onnx"]).graph
        dtype = models[name]["meta"]["dtype"]
        width = models[name]["raw"].shape[1]
        assert f'Input "input" ({dtype}, rows × {width}): {words}' in graph.doc_string
        assert graph.input[0].doc_string in graph.doc_string
        assert [d.dim_param or d.dim_value for d in graph.input[0].type.tensor_type.shape.dim] == ["rows", width]


def test_a_float64_leaky_relu_keeps_its_exact_slope_in_onnx(models):
    onnx = pytest.importorskip("onnx")
    from onnx import numpy_helper

    graph = onnx.load(models["circle features float64 leaky"]["onnx"]).graph
    assert "LeakyRelu" not in {node.op_type for node in graph.node}
    slopes = [numpy_helper.to_array(t) for t in graph.initializer if t.name.endswith(".slope")]
    assert slopes and all(s.dtype == np.float64 and s == 0.01 for s in slopes)


def test_a_model_whose_file_lost_its_data_gets_advice_each_command_can_follow(models, tmp_path):
    """A linreg model trained on a file, its kept points removed: evaluate advises --data,
    explain --input, visualize and replay (which have neither) to train again."""
    with np.load(models["linreg file"]["path"]) as arrays:
        kept = {key: arrays[key] for key in arrays.files if key not in ("__train_points", "__held_out_points")}
    bare = tmp_path / "bare.npz"
    np.savez(bare, **kept)
    advice = {
        ("evaluate",): "--data FILE",
        ("explain", "backprop"): "--input",
        ("visualize",): "train it again",
        ("replay",): "train it again",
    }
    for command, words in advice.items():
        result = run(*command, bare)
        assert result.exit_code == 1, command
        lines = result.stderr.splitlines()
        assert len(lines) == 2 and words in lines[1], (command, result.stderr)
        assert ("--data" in result.stderr) == (command == ("evaluate",)), command
