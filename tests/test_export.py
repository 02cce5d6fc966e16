"""`nncli export`: the PyTorch script, the ONNX graph and the JSON file give nncli's own
answers, and a bad request fails plainly without touching what the user had.

The trained models are tiny (a few epochs) and shared by the module; every exported script
runs in this process (importing torch once), so the file stays quick.
"""

import ast
import contextlib
import importlib.util
import io
import json
import runpy
import subprocess
import sys

import numpy as np
import pytest
from conftest import ON_TORCH_WORKER, json_lines, run
from test_mnist import write_mnist

from nncli import store
from nncli.activations import REGISTRY as ACTIVATIONS
from nncli.export import Exported
from nncli.session.runner import load_trained, run_config
from nncli.tasks.base import unscale_outputs

# its module fixture trains models once, and it runs PyTorch: all its tests on the worker that does
pytestmark = ON_TORCH_WORKER

TORCH_TOLERANCE = 1e-6  # float32 networks: the script against nncli
ONNX_TOLERANCE = 1e-5

# name → the command that trains it (tiny), all saved beside each other
MODELS = {
    "xor": ("train", "xor", "--epochs", "30"),
    "linreg": ("train", "linreg", "--epochs", "50"),
    "digits": ("train", "digits", "--epochs", "2", "--hidden", "16,8"),
    "approx": ("approx", "sin", "--epochs", "30", "--hidden", "8"),
    "steps": ("approx", "sin", "--method", "construct", "--activation", "step", "--hidden", "12"),
    "mnist": ("train", "mnist", "--epochs", "1", "--hidden", "16"),
    "xor64": ("train", "xor", "--epochs", "30", "--dtype", "float64", "--optimizer", "momentum"),
    "table": ("train", "linreg", "--epochs", "40"),  # --data: scaled inputs and targets
}


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Every model trained, exported three ways, with its held-out raw inputs and nncli's
    predictions for them: name → dict."""
    folder = tmp_path_factory.mktemp("export")
    write_mnist(folder / "mnist-data")
    table = folder / "table.csv"
    x = np.linspace(0, 100, 30)
    table.write_text("x,y\n" + "".join(f"{a},{3 * a + 50 + np.sin(a)}\n" for a in x.tolist()))
    extra = {"mnist": ("--data-dir", folder / "mnist-data"), "table": ("--data", table)}
    found = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NNCLI_HOME", str(folder / "store"))
        for name, args in MODELS.items():
            path = folder / f"{name}.npz"
            result = run(*args, *extra.get(name, ()), "--quiet", "--save", path)
            assert result.exit_code == 0, result.output
            task, network, meta, _ = load_trained(path)
            dataset = task.load_data(run_config(meta))
            scaling = meta["input_scaling"] or {}
            raw = dataset.X_test.astype(np.float64)
            if scaling:
                raw = raw * np.asarray(scaling["x_std"]) + np.asarray(scaling["x_mean"])
            targets = dataset.y_test if "y_mean" not in scaling else unscale_outputs(dataset.y_test, scaling)
            files = {}
            for fmt, suffix, flags in (("pytorch", ".py", ()), ("embedded", "_embedded.py", ("--embed",))):
                files[fmt] = folder / f"{name}{suffix}"
                assert run("export", path, files[fmt], *flags).exit_code == 0
            for fmt in ("onnx", "json") if has_onnx() else ("json",):
                files[fmt] = folder / f"{name}.{fmt}"
                assert run("export", path, files[fmt]).exit_code == 0
            found[name] = {
                "path": path,
                "meta": meta,
                "inputs": raw,
                "targets": targets,
                "nncli": task.predict(network, raw, meta),
                # ONNX takes the network's dtype: nncli's answers for the inputs rounded to it
                "fed": raw.astype(meta["dtype"]),
                "nncli_fed": task.predict(network, raw.astype(meta["dtype"]).astype(np.float64), meta),
                "logits": network.predict(dataset.X_test),
                **files,
            }
    return found


def has_onnx():
    try:
        import onnx  # noqa: F401
    except ImportError:
        return False
    return True


# --- the PyTorch script ------------------------------------------------------------------


def run_script(script, args, stdin=""):
    """What `python SCRIPT ARGS` does with `stdin` on its standard input, run in this process
    (PyTorch is imported once, by the worker that runs it): {"code", "stdout", "stderr"}."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        patch.setattr(sys, "argv", [str(script), *args])
        patch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            runpy.run_path(str(script), run_name="__main__")
            code = 0
        except SystemExit as exit:  # as Python ends on one: a message is printed, and exits 1
            code = 1 if isinstance(exit.code, str) else exit.code or 0
            if isinstance(exit.code, str):
                print(exit.code, file=sys.stderr)
    return {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}


def fine_tune(script, inputs, targets, epochs=5):
    """The loss before, and after each of `epochs` epochs of, the exported script's own train()."""
    spec = importlib.util.spec_from_file_location(script.stem, script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.load_model()
    inputs, targets = np.asarray(inputs).tolist(), np.asarray(targets).tolist()
    return [module.loss(model, inputs, targets), *module.train(model, inputs, targets, epochs=epochs)]


FINE_TUNED = ("xor", "digits", "table")


def csv_rows(inputs):
    return "".join(",".join(repr(float(v)) for v in row) + "\n" for row in inputs)


@pytest.fixture(scope="module")
def answers(models, deep):
    """Every exported script's answers: name → {"code", "stdout", "stderr"} when run as a
    script on held-out rows, and "train/name" → the loss before and after each of five epochs
    of its train()."""
    pytest.importorskip("torch")
    found = {}
    for name, model in {**models, "deep": deep}.items():
        for variant in ("pytorch", "embedded"):
            found[f"{name}/{variant}"] = run_script(model[variant], ["--json"], csv_rows(model["inputs"]))
    found["arguments"] = run_script(models["xor"]["pytorch"], ["0", "1", "1", "1"])
    found["bad row"] = run_script(models["xor"]["pytorch"], ["1,x"])
    for name, model in [*((name, models[name]) for name in FINE_TUNED), ("deep", deep)]:
        found[f"train/{name}"] = fine_tune(model["pytorch"], model["inputs"], model["targets"])
    return found


def difference(ours, theirs):
    """The largest absolute difference between two lists of prediction rows."""
    field = "probabilities" if "probabilities" in ours[0] else "output"
    a = np.array([row[field] for row in ours], dtype=np.float64)
    b = np.array([row[field] for row in theirs], dtype=np.float64)
    assert a.shape == b.shape
    assert [row.get("prediction") for row in ours] == [row.get("prediction") for row in theirs]
    return float(np.abs(a - b).max())


def test_the_scripts_answer_like_nncli_on_each_tasks_held_out_data(models, answers):
    for name, model in models.items():
        for variant in ("pytorch", "embedded"):
            answer = answers[f"{name}/{variant}"]
            assert answer["code"] == 0, answer["stderr"]
            rows = json_lines(answer["stdout"])
            assert {row["event"] for row in rows} == {"prediction"}
            assert [row["input"] for row in rows] == model["inputs"].tolist()
            gap = difference(rows, model["nncli"])
            print(f"pytorch {name} ({variant}): max |difference| {gap:.3g} over {len(rows)} rows")
            tolerance = 1e-12 if model["meta"]["dtype"] == "float64" else TORCH_TOLERANCE
            assert gap <= tolerance, f"{name} ({variant})"


def test_a_fine_tuning_loop_in_the_script_lowers_the_loss(answers):
    for name in (*FINE_TUNED, "deep"):
        losses = answers[f"train/{name}"]
        assert len(losses) == 6 and all(np.isfinite(losses)), name
        assert losses[-1] < losses[0], f"{name}: {losses}"


def test_a_bad_input_row_is_one_plain_line(answers):
    assert answers["bad row"]["code"] == 1
    assert answers["bad row"]["stderr"] == "arguments, line 1: expected 2 comma-separated numbers, got '1,x'\n"


def test_the_script_takes_inputs_as_nncli_predict_does(models, answers):
    expected = json_lines(run("predict", models["xor"]["path"], "0", "1", "1", "1", "--json"))
    assert answers["arguments"]["code"] == 0, answers["arguments"]["stderr"]
    assert answers["arguments"]["stdout"].splitlines() == [
        f"{x1:g}, {x2:g}  ->  {row['output']:.6g}  prediction {row['prediction']}"
        for (x1, x2), row in zip(([0, 1], [1, 1]), expected)
    ]


def test_the_script_imports_only_torch_and_numpy_and_is_tidy(models, deep):
    for script in (models["xor"]["pytorch"], models["digits"]["embedded"], models["steps"]["pytorch"], deep["pytorch"]):
        source = script.read_text()
        tree = ast.parse(source)
        imported = {
            alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
        }
        imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert imported <= {"json", "sys", "pathlib", "numpy", "torch"}, script
    assert "allow_pickle=False" in source and 'startswith("__")' in source
    scripts = [models[name][variant] for name in ("xor", "digits", "table") for variant in ("pytorch", "embedded")]
    lint = subprocess.run(
        ["ruff", "check", "--isolated", "--line-length", "120", "--select", "E,W,F,I,UP", *scripts, deep["pytorch"]],
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout


def test_the_xor_script_names_its_optimizer_and_how_it_was_made(models):
    source = models["xor"]["pytorch"].read_text()
    assert "torch.optim.SGD(model.parameters(), lr=3.0)" in source
    assert "nn.MSELoss()" in source
    assert "nncli train xor --epochs 30 --lr 3" in source
    assert 'WEIGHTS = Path(__file__).with_name("xor.npz")' in source
    assert "momentum=0.9" in models["xor64"]["pytorch"].read_text()
    assert "torch.optim.Adam" in models["digits"]["pytorch"].read_text()


def test_embedded_weights_read_back_exactly(models):
    source = models["digits"]["embedded"].read_text()
    namespace = {}
    start = source.index("WEIGHTS = {")
    exec(source[start : source.index("\n}\n", start) + 3], namespace)  # only the dict literal
    state, _ = store.load_model(models["digits"]["path"])
    assert namespace["WEIGHTS"].keys() == state.keys()
    for key, array in state.items():
        assert np.array_equal(np.array(namespace["WEIGHTS"][key], dtype=np.float32), array), key


# --- ONNX --------------------------------------------------------------------------------


def test_the_onnx_graphs_pass_the_checker_and_answer_like_nncli(models):
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    for name, model in models.items():
        graph = onnx.load(model["onnx"])
        onnx.checker.check_model(graph, full_check=True)
        assert graph.opset_import[0].version >= 17
        assert [i.name for i in graph.graph.input] == ["input"]
        session = ort.InferenceSession(str(model["onnx"]), providers=["CPUExecutionProvider"])
        assert {value.type for value in [*session.get_inputs(), *session.get_outputs()]} == {
            "tensor(float)" if model["meta"]["dtype"] == "float32" else "tensor(double)"
        }
        outputs = dict(zip([o.name for o in session.get_outputs()], session.run(None, {"input": model["fed"]})))
        assert {array.dtype for array in outputs.values()} == {np.dtype(model["meta"]["dtype"])}
        rows = model["nncli_fed"]
        if "probabilities" in rows[0]:
            assert set(outputs) == {"logits", "probabilities"}
            expected, got = np.array([row["probabilities"] for row in rows]), outputs["probabilities"]
            assert np.abs(outputs["logits"] - model["logits"]).max() <= ONNX_TOLERANCE
        else:
            assert set(outputs) == {"output"}
            expected, got = np.array([row["output"] for row in rows]), outputs["output"][:, 0]
        # a float32 output holds about 7 digits: the gap is relative to the size of the answer
        gap = float((np.abs(got - expected) / np.maximum(1.0, np.abs(expected))).max())
        print(f"onnxruntime {name}: max relative difference {gap:.3g} over {len(rows)} rows")
        assert gap <= ONNX_TOLERANCE, name


def test_the_onnx_graph_says_what_made_it(models):
    onnx = pytest.importorskip("onnx")
    graph = onnx.load(models["xor"]["onnx"])
    props = {p.key: p.value for p in graph.metadata_props}
    assert props["made_by"] == models["xor"]["meta"]["command"]
    assert props["output_kind"] == "binary" and graph.producer_name == "nncli"


# --- JSON --------------------------------------------------------------------------------


def test_the_json_file_holds_the_layers_and_weights_exactly(models):
    for name in ("digits", "table", "steps"):
        document = json.loads(models[name]["json"].read_text())
        state, meta = store.load_model(models[name]["path"])
        assert document["format"] == "nncli-json" and document["task"] == meta["task"]
        assert [layer["type"] for layer in document["layers"]] == [layer["type"] for layer in meta["layers"]]
        for layer in document["layers"]:
            for field, values in layer.get("params", {}).items():
                assert np.array_equal(np.array(values, dtype=meta["dtype"]), state[f"{layer['key']}.{field}"])
        assert document["made_by"] == meta["command"]
    table = json.loads(models["table"]["json"].read_text())
    assert table["input"]["scaling"] == _pick(models["table"]["meta"]["input_scaling"], "x_mean", "x_std")
    assert table["output"]["kind"] == "value" and table["output"]["scaling"]["y_std"]
    assert json.loads(models["digits"]["json"].read_text())["output"]["kind"] == "classes"
    assert json.loads(models["steps"]["json"].read_text())["notes"]


def _pick(scaling, *names):
    return {name: scaling[name] for name in names}


# --- layers nncli is still growing: batch norm and skip connections ----------------------

DEEP_LAYERS = [
    {"type": "linear", "in": 3, "out": 4, "bias": True},
    {"type": "batchnorm", "features": 4, "eps": 1e-5, "momentum": 0.1},
    {"type": "relu"},
    {
        "type": "residual",
        "layers": [
            {"type": "linear", "in": 4, "out": 4, "bias": True},
            {"type": "tanh"},
            {"type": "linear", "in": 4, "out": 4, "bias": False},
        ],
    },
    {"type": "dropout", "p": 0.2},
    {"type": "leaky_relu", "slope": 0.05},
    {"type": "linear", "in": 4, "out": 2, "bias": True},
]
SCALING = {"x_mean": [1.0, -2.0, 0.5], "x_std": [2.0, 0.5, 3.0], "y_mean": [10.0, -1.0], "y_std": [4.0, 0.25]}


def deep_model():
    """A hand-built spec and state dict with every layer type the conventions name."""
    rng = np.random.default_rng(7)
    shapes = {
        "0.weight": (4, 3),
        "0.bias": (4,),
        "1.weight": (4,),
        "1.bias": (4,),
        "1.running_mean": (4,),
        "3.module.0.weight": (4, 4),
        "3.module.0.bias": (4,),
        "3.module.2.weight": (4, 4),
        "6.weight": (2, 4),
        "6.bias": (2,),
    }
    state = {key: rng.normal(0, 1, shape).astype(np.float32) for key, shape in shapes.items()}
    state["1.running_var"] = rng.uniform(0.5, 2.0, 4).astype(np.float32)
    state["1.num_batches_tracked"] = np.array(12.0, dtype=np.float32)  # model files keep floats only
    meta = {
        "task": "deep",
        "layers": DEEP_LAYERS,
        "dtype": "float32",
        "seed": 0,
        "config": {"optimizer": "adam", "lr": 0.01, "batch_size": 8, "epochs": 5},
        "input_scaling": SCALING,
        "metrics": {},
        "nncli_version": "0.1.0",
    }
    return Exported(DEEP_LAYERS, state, meta, "value", "mse")


def expected_torch(model, inputs):
    """The same network built by hand in torch, and its outputs in the targets' units."""
    torch = pytest.importorskip("torch")
    nn = torch.nn

    class Residual(nn.Module):
        def __init__(self, *layers):
            super().__init__()
            self.module = nn.Sequential(*layers)

        def forward(self, x):
            return x + self.module(x)

    network = nn.Sequential(
        nn.Linear(3, 4),
        nn.BatchNorm1d(4, eps=1e-5, momentum=0.1),
        nn.ReLU(),
        Residual(nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 4, bias=False)),
        nn.Dropout(0.2),
        nn.LeakyReLU(0.05),
        nn.Linear(4, 2),
    )
    network.load_state_dict({key: torch.from_numpy(value) for key, value in model.state.items()})
    network.eval()
    x = (inputs - np.array(SCALING["x_mean"])) / np.array(SCALING["x_std"])
    with torch.no_grad():
        out = network(torch.from_numpy(x).float()).double().numpy()
    return out * np.array(SCALING["y_std"]) + np.array(SCALING["y_mean"])


@pytest.fixture(scope="module")
def deep(tmp_path_factory):
    """The hand-built network exported as a script reading its weights from an .npz beside
    it, and as one with the weights embedded; with inputs, and targets to train on."""
    from nncli.export import pytorch

    folder = tmp_path_factory.mktemp("deep")
    model = deep_model()
    (folder / "deep.py").write_text(pytorch.render(model, "deep.npz", "deep"))
    (folder / "deep_embedded.py").write_text(pytorch.render(model, None, "deep_embedded"))
    np.savez(folder / "deep.npz", **model.state, __meta__=np.frombuffer(b"{}", dtype=np.uint8))
    inputs = np.random.default_rng(8).normal(0, 3, (25, 3))
    targets = np.random.default_rng(9).normal(0, 3, (25, 2))
    return {"model": model, "pytorch": folder / "deep.py", "embedded": folder / "deep_embedded.py"} | {
        "inputs": inputs,
        "targets": targets,
    }


def test_batchnorm_and_residual_layers_export_to_torch(deep, answers):
    expected = expected_torch(deep["model"], deep["inputs"])
    source = deep["pytorch"].read_text()
    assert "nn.BatchNorm1d(4, eps=1e-05, momentum=0.1)" in source and "class Residual(nn.Module)" in source
    assert "Residual(  # 3: x + these layers of x" in source and "nn.Linear(4, 4, bias=False),  # 3.module.2" in source
    for variant in ("pytorch", "embedded"):
        got = np.array([row["output"] for row in json_lines(answers[f"deep/{variant}"]["stdout"])])
        assert np.abs(got - expected[:, 0]).max() <= TORCH_TOLERANCE * np.abs(expected).max(), variant


def test_batchnorm_and_residual_layers_export_to_onnx_and_json():
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from nncli.export import json as json_export
    from nncli.export import onnx as onnx_export

    model = deep_model()
    inputs = np.random.default_rng(9).normal(0, 3, (25, 3))
    expected = expected_torch(model, inputs)
    graph = onnx_export.render(model)
    onnx.checker.check_model(onnx.load_from_string(graph), full_check=True)
    session = ort.InferenceSession(graph, providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {"input": inputs.astype(np.float32)})
    expected = expected_torch(model, inputs.astype(np.float32).astype(np.float64))
    assert np.abs(got - expected).max() <= ONNX_TOLERANCE * np.abs(expected).max()

    document = json.loads(json_export.render(model))
    residual = document["layers"][3]
    assert residual["type"] == "residual" and [layer["key"] for layer in residual["layers"]] == [
        "3.module.0",
        "3.module.1",
        "3.module.2",
    ]
    assert np.array_equal(np.float32(residual["layers"][0]["params"]["weight"]), model.state["3.module.0.weight"])
    batchnorm = document["layers"][1]
    assert set(batchnorm["params"]) == {"weight", "bias", "running_mean", "running_var", "num_batches_tracked"}
    assert batchnorm["eps"] == 1e-5 and document["output"]["scaling"] == {"y_mean": [10.0, -1.0], "y_std": [4.0, 0.25]}


# --- the command line --------------------------------------------------------------------


def test_the_format_comes_from_to_or_the_extension(xor_model, tmp_path):
    result = run("export", xor_model, tmp_path / "out.json", "--json")
    assert result.exit_code == 0
    (event,) = json_lines(result)
    assert event["event"] == "export" and event["format"] == "json" and event["weights"] is None
    assert run("export", xor_model, "--to", "json", tmp_path / "out.txt").exit_code == 0
    assert json.loads((tmp_path / "out.txt").read_text())["task"] == "xor"


def test_the_latest_model_is_the_default_and_its_weights_go_beside_the_script(xor_model, tmp_path):
    out = tmp_path / "scripts" / "net.py"
    out.parent.mkdir()
    result = run("export", out)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "scripts" / "net.npz").read_bytes() == xor_model.read_bytes()
    assert 'with_name("net.npz")' in out.read_text()
    assert "run it: python" in result.stdout
    # a model already beside the script is used where it is, not copied
    beside = xor_model.parent / "xor_script.py"
    assert run("export", xor_model, beside).exit_code == 0
    assert 'with_name("xor.npz")' in beside.read_text()
    assert not beside.with_suffix(".npz").exists()


def test_an_unknown_format_is_a_usage_error_listing_them(xor_model, tmp_path):
    result = run("export", xor_model, "--to", "keras", tmp_path / "out.h5")
    assert result.exit_code == 2
    assert "'pytorch', 'onnx', 'json'" in result.stderr
    result = run("export", xor_model, tmp_path / "out.h5")
    assert result.exit_code == 2 and "--to (pytorch, onnx, json)" in result.stderr
    assert not (tmp_path / "out.h5").exists()
    assert run("export", xor_model, tmp_path / "a.onnx", "--embed").exit_code == 2
    assert run("export", xor_model, tmp_path / "a.py", "extra.py").exit_code == 2


def test_an_existing_file_is_kept_unless_forced(xor_model, tmp_path):
    out = tmp_path / "xor.json"
    out.write_text("mine")
    result = run("export", xor_model, out)
    assert result.exit_code == 1
    assert result.stderr == f"nncli: {out} already exists: use --force to replace it\n"
    assert out.read_text() == "mine"
    (tmp_path / "scripts").mkdir()
    beside = tmp_path / "scripts" / "other.npz"  # where the script's copy of the weights would go
    beside.write_text("mine too")
    result = run("export", xor_model, tmp_path / "scripts" / "other.py")
    assert result.exit_code == 1 and "other.npz already exists" in result.stderr
    assert beside.read_text() == "mine too" and not (tmp_path / "scripts" / "other.py").exists()
    assert run("export", xor_model, out, "--force").exit_code == 0
    assert json.loads(out.read_text())["task"] == "xor"


def test_a_failed_export_leaves_no_half_written_file(xor_model, tmp_path, monkeypatch):
    from nncli.export import json as json_export

    out = tmp_path / "xor.json"
    out.write_text("mine")

    def broken(model):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(json_export, "render", broken)
    result = run("export", xor_model, out, "--force")
    assert result.exit_code == 1 and "disk on fire" in result.stderr
    assert out.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["xor.json"]


def test_an_unwritable_path_fails_before_any_work(tmp_path, monkeypatch):
    # no model exists at all: the path is checked first, so that is what the message is about
    result = run("export", tmp_path / "missing" / "xor.py")
    assert result.exit_code == 1
    assert result.stderr.startswith("nncli: cannot write") and "does not exist" in result.stderr
    result = run("export", tmp_path, "--to", "json")
    assert result.exit_code == 1 and "it is a folder" in result.stderr
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = run("export", locked / "xor.json")
        if result.exit_code == 1 and "not writable" in result.stderr:  # (root can write anywhere)
            assert len(result.stderr.splitlines()) == 1
    finally:
        locked.chmod(0o700)


def test_a_bad_model_file_gets_the_usual_message(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a model")
    result = run("export", bad, tmp_path / "out.py")
    assert result.exit_code == 1
    assert result.stderr == f"nncli: {bad}: not a model file (not an .npz archive)\n"
    assert not (tmp_path / "out.py").exists() and not (tmp_path / "out.npz").exists()


def test_onnx_without_the_package_names_the_extra(xor_model, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now raises ImportError
    result = run("export", xor_model, tmp_path / "xor.onnx")
    assert result.exit_code == 1
    assert result.stderr == 'nncli: exporting to ONNX needs the onnx package: pip install "nncli-learn[onnx]"\n'
    assert not (tmp_path / "xor.onnx").exists()


def test_a_step_network_exports_and_says_how(tmp_path):
    model = tmp_path / "steps.npz"
    run("approx", "sin", "--method", "construct", "--activation", "step", "--hidden", "6", "-q", "--save", model)
    result = run("export", model, tmp_path / "steps.py")
    assert result.exit_code == 0
    assert "note: layer 1 (step) is exported as a Heaviside step, 1 where x > 0 else 0" in result.stderr
    source = (tmp_path / "steps.py").read_text()
    assert "class Heaviside(nn.Module)" in source and "Heaviside(),  # 1: Heaviside: no gradient" in source
    assert "nncli set these weights by hand" in source


def test_text_and_settings_from_the_model_file_never_become_code(xor_model, tmp_path):
    state, meta = store.load_model(xor_model)
    hostile = tmp_path / "hostile.npz"
    attack = 'x"""\nimport os; os.system("echo owned")\n"""'
    store.save_model(hostile, state, {**meta, "command": f"nncli train xor --data {attack}"})
    assert run("export", hostile, tmp_path / "hostile.py").exit_code == 0
    tree = ast.parse((tmp_path / "hostile.py").read_text())
    assert "import os; os.system" in ast.get_docstring(tree)  # shown, as text
    assert not any(isinstance(node, ast.Import) and node.names[0].name == "os" for node in ast.walk(tree))

    store.save_model(hostile, state, {**meta, "command": "nncli 'unbalanced"})
    assert run("export", hostile, tmp_path / "odd.py").exit_code == 0
    assert "nncli 'unbalanced" in ast.get_docstring(ast.parse((tmp_path / "odd.py").read_text()))

    for setting, value in (("batch_size", "4)\nimport os"), ("lr", -1), ("optimizer", "rmsprop")):
        bad = tmp_path / f"bad_{setting}.npz"
        store.save_model(bad, state, {**meta, "config": {**meta["config"], setting: value}})
        result = run("export", bad, tmp_path / f"bad_{setting}.py")
        assert result.exit_code == 1, setting
        assert result.stderr.startswith(f"nncli: {bad}: bad model metadata: ") and setting in result.stderr
        assert not (tmp_path / f"bad_{setting}.py").exists()


# --- every activation of the registry, through every exporter ----------------------------


def one_activation_model(name):
    """A float64 network 3 → 4 → <name> → 2 with seeded weights, as an exporter sees it."""
    layers = [
        {"type": "linear", "in": 3, "out": 4, "bias": True},
        {"type": name, **ACTIVATIONS[name].parameters},
        {"type": "linear", "in": 4, "out": 2, "bias": True},
    ]
    rng = np.random.default_rng(11)
    shapes = {"0.weight": (4, 3), "0.bias": (4,), "2.weight": (2, 4), "2.bias": (2,)}
    state = {key: rng.normal(0, 1, shape) for key, shape in shapes.items()}
    meta = {"task": "one activation", "layers": layers, "dtype": "float64", "seed": 0, "metrics": {}}
    meta |= {"config": {"optimizer": "adam", "lr": 0.01, "batch_size": 8, "epochs": 5}, "input_scaling": {}}
    return Exported(layers, state, meta, "value", "mse")


def nncli_outputs(model, inputs):
    """What nncli's own engine answers for `model` (built from its spec, weights loaded)."""
    from nncli import nn
    from nncli.autograd import Tensor, no_grad

    network = nn.from_spec(model.layers, np.float64)
    network.load_state_dict(model.state)
    with no_grad():
        return network(Tensor(inputs)).data


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_every_activation_of_the_registry_exports_to_torch_onnx_and_json(name):
    """Adding an activation to the registry is checked here with no further test: the
    PyTorch script's network, the ONNX graph and the JSON file each answer as nncli does."""
    torch = pytest.importorskip("torch")
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from nncli.export import json as json_export
    from nncli.export import onnx as onnx_export
    from nncli.export import pytorch

    model = one_activation_model(name)
    inputs = np.random.default_rng(12).normal(0, 2, (25, 3))
    inputs[0] = 0.0  # every neuron at its bias alone
    expected = nncli_outputs(model, inputs)
    scale = np.abs(expected).max()

    script = {"__name__": "exported"}
    exec(compile(pytorch.render(model, None, "exported"), "exported.py", "exec"), script)
    with torch.no_grad():
        got = script["load_model"]()(script["scale_inputs"](inputs)).numpy()
    assert np.abs(got - expected).max() <= 1e-12 * scale

    graph = onnx_export.render(model)
    onnx.checker.check_model(onnx.load_from_string(graph), full_check=True)
    (got,) = ort.InferenceSession(graph, providers=["CPUExecutionProvider"]).run(None, {"input": inputs})
    assert np.abs(got - expected).max() <= 1e-12 * scale

    layer = json.loads(json_export.render(model))["layers"][1]
    assert layer["type"] == name and layer["formula"]
