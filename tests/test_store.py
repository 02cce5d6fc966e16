"""Model files: round trips, atomic saves, every way a file is refused, the model store."""

import io
import json
import os
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nncli import __version__, store
from nncli.errors import ModelFileError, NncliError
from nncli.text import message_lines

LAYERS = [
    {"type": "linear", "in": 2, "out": 4, "bias": True},
    {"type": "sigmoid"},
    {"type": "linear", "in": 4, "out": 1, "bias": True},
    {"type": "sigmoid"},
]


def make_state(dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    shapes = {"0.weight": (4, 2), "0.bias": (4,), "2.weight": (1, 4), "2.bias": (1,)}
    return {key: rng.standard_normal(shape).astype(dtype) for key, shape in shapes.items()}


def make_meta(**changes):
    meta = {
        "task": "xor",
        "layers": LAYERS,
        "dtype": "float32",
        "seed": 0,
        "config": {"epochs": 10, "lr": 0.5, "hidden": [4]},
        "input_scaling": None,
        "metrics": {"loss": 0.01, "accuracy": 1.0},
        "history": {"loss": [0.7, 0.3, 0.01], "val_loss": []},
    }
    meta.update(changes)
    return meta


def full_meta(**changes):
    """Metadata as save_model writes it, for files built by hand."""
    return {
        "format": store.FORMAT_NAME,
        "format_version": store.FORMAT_VERSION,
        "nncli_version": __version__,
        **make_meta(**changes),
    }


def meta_entry(meta):
    text = meta if isinstance(meta, (str, bytes)) else json.dumps(meta)
    raw = text if isinstance(text, bytes) else text.encode("utf-8")
    return np.frombuffer(raw, dtype=np.uint8)


def write_npz(path, arrays, meta=None):
    """An .npz written directly with NumPy, bypassing save_model's checks."""
    if meta is not None:
        arrays = {**arrays, "__meta__": meta_entry(meta)}
    np.savez(path, **arrays)
    return path


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    """Every test gets its own model store."""
    home = tmp_path / "home"
    monkeypatch.setenv("NNCLI_HOME", str(home))
    return home


@pytest.fixture
def saved(tmp_path):
    return store.save_model(tmp_path / "model.npz", make_state(), make_meta())


# --- saving and loading ------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_is_exact(tmp_path, dtype):
    state = make_state(dtype)
    meta = make_meta(dtype=np.dtype(dtype).name, target={"name": "sin", "formula": "sin(x)", "domain": [-3.0, 3.0]})
    path = store.save_model(tmp_path / "m.npz", state, meta)

    loaded, loaded_meta = store.load_model(path)

    assert list(loaded) == list(state)
    for key in state:
        assert loaded[key].dtype == dtype
        np.testing.assert_array_equal(loaded[key], state[key])
    assert loaded_meta == {"format": "nncli-model", "format_version": 1, "nncli_version": __version__, **meta}
    assert store.read_meta(path) == loaded_meta


def test_save_returns_the_absolute_path_and_creates_nothing_else(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = store.save_model("m.npz", make_state(), make_meta())
    assert path == tmp_path / "m.npz"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "m.npz"]
    assert os.listdir(tmp_path / "home") == ["latest"]


def test_save_replaces_an_existing_model(saved):
    state = make_state(seed=1)
    store.save_model(saved, state, make_meta())
    np.testing.assert_array_equal(store.load_model(saved)[0]["0.weight"], state["0.weight"])


def test_saved_model_is_readable_by_others(saved):
    assert saved.stat().st_mode & 0o044  # not left private like the temporary file


def test_meta_is_stored_as_plain_json(tmp_path):
    meta = make_meta(
        metrics={"loss": np.float32(0.5), "diverged": float("nan")},
        config={"hidden": (4,), "count": np.int64(3), "data": Path("/x")},
    )
    _, loaded = store.load_model(store.save_model(tmp_path / "m.npz", make_state(), meta))
    assert loaded["metrics"] == {"loss": 0.5, "diverged": None}
    assert loaded["config"] == {"hidden": [4], "count": 3, "data": "/x"}


def test_optional_fields_get_defaults(tmp_path):
    meta = {"task": "xor", "layers": LAYERS, "dtype": "float32"}
    _, loaded = store.load_model(store.save_model(tmp_path / "m.npz", make_state(), meta))
    assert loaded["seed"] is None and loaded["input_scaling"] is None
    assert loaded["config"] == loaded["metrics"] == loaded["history"] == {}


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda s, m: s.pop("2.bias"), "do not match the layers"),
        (lambda s, m: s.update(extra=np.zeros(1, np.float32)), "do not match the layers"),
        (lambda s, m: s.update({"0.bias": np.zeros(3, np.float32)}), "shaped"),
        (lambda s, m: s.update({"0.bias": np.zeros(4)}), "float64"),
        (lambda s, m: s["0.bias"].__setitem__(0, np.nan), "NaN"),
        (lambda s, m: m.update(dtype="int8"), "dtype"),
        (lambda s, m: m.update(task=""), "task"),
        (lambda s, m: m["layers"][2].update({"in": 3}), "takes 3 inputs"),
    ],
)
def test_save_refuses_inconsistent_state(tmp_path, change, match):
    state, meta = make_state(), make_meta(layers=json.loads(json.dumps(LAYERS)))
    change(state, meta)
    with pytest.raises(ValueError, match=match):
        store.save_model(tmp_path / "m.npz", state, meta)
    assert not (tmp_path / "m.npz").exists()


# --- atomicity ---------------------------------------------------------------------------


def half_write_then(exc):
    def savez(file, **arrays):
        file.write(b"PK\x03\x04 half a model")
        raise exc

    return savez


@pytest.mark.parametrize("exc", [RuntimeError("crash"), KeyboardInterrupt()])
def test_failed_save_leaves_the_old_model_and_no_temporary_file(saved, monkeypatch, exc):
    before = saved.read_bytes()
    listing = sorted(os.listdir(saved.parent))
    monkeypatch.setattr(store.np, "savez", half_write_then(exc))

    with pytest.raises(type(exc)):
        store.save_model(saved, make_state(seed=1), make_meta())

    assert saved.read_bytes() == before
    assert sorted(os.listdir(saved.parent)) == listing


def test_disk_errors_while_saving_become_nncli_errors(tmp_path, monkeypatch):
    monkeypatch.setattr(store.np, "savez", half_write_then(OSError(28, "No space left on device")))
    with pytest.raises(NncliError, match="cannot save the model to .*No space left"):
        store.save_model(tmp_path / "m.npz", make_state(), make_meta())
    assert sorted(os.listdir(tmp_path)) == []


# --- refusing bad files ------------------------------------------------------------------


def good_arrays():
    return make_state()


def pickle_marker():
    """Called only if something unpickles the hostile array below."""
    Path(os.environ["NNCLI_HOME"]).mkdir(parents=True, exist_ok=True)
    (Path(os.environ["NNCLI_HOME"]) / "pwned").write_text("code ran")


class Hostile:
    def __reduce__(self):
        return (pickle_marker, ())


def write_raw_zip(path, members):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def npy_header_only(shape, descr="<f4"):
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def npy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def bad_layers(spec_changes):
    layers = json.loads(json.dumps(LAYERS))
    layers[2].update(spec_changes)
    return layers


CASES = {
    "missing": (lambda p: p, "no such file"),
    "folder": (lambda p: (p.mkdir(), p)[1], "is a folder"),
    "empty": (lambda p: (p.write_bytes(b""), p)[1], "the file is empty"),
    "random bytes": (
        lambda p: (p.write_bytes(np.random.default_rng(0).bytes(500)), p)[1],
        r"not a model file \(not an .npz archive\)",
    ),
    "plain pickle": (lambda p: (p.write_bytes(b"\x80\x04K\x01."), p)[1], "not an .npz archive"),
    "plain .npy": (lambda p: (p.write_bytes(npy_bytes(np.zeros(3))), p)[1], "not an .npz"),
    "truncated": (
        lambda p: (
            store.save_model(p, make_state(), make_meta()),
            p.write_bytes(p.read_bytes()[:700]),
            p,
        )[-1],
        "damaged",
    ),
    "no __meta__": (lambda p: write_npz(p, good_arrays()), "was not written by nncli"),
    "foreign npz": (
        lambda p: write_npz(p, {"images": np.zeros((2, 2))}),
        r"was not written by nncli \(it has no __meta__ entry\)",
    ),
    "other format": (
        lambda p: write_npz(p, good_arrays(), {**full_meta(), "format": "keras"}),
        r"was not written by nncli \(format 'keras'\)",
    ),
    "meta not json": (lambda p: write_npz(p, good_arrays(), "{not json"), "not valid JSON"),
    "meta not utf-8": (lambda p: write_npz(p, good_arrays(), b"\xff\xfe"), "not valid JSON"),
    "meta with NaN": (
        lambda p: write_npz(p, good_arrays(), json.dumps(full_meta(seed=float("nan")))),
        "not valid JSON",
    ),
    "meta a list": (lambda p: write_npz(p, good_arrays(), "[1, 2]"), "not a JSON object"),
    "meta not bytes": (
        lambda p: write_npz(p, {**good_arrays(), "__meta__": np.zeros(3)}),
        "not a block of UTF-8 bytes",
    ),
    "newer format": (
        lambda p: write_npz(p, good_arrays(), full_meta(format_version=2)),
        r"was written by a newer nncli \(format 2\); upgrade nncli",
    ),
    "bad version": (
        lambda p: write_npz(p, good_arrays(), full_meta(format_version="1")),
        "no valid format_version",
    ),
    "unknown layer": (
        lambda p: write_npz(p, good_arrays(), full_meta(layers=[{"type": "conv"}])),
        "bad model metadata: layer 0: unknown type 'conv'",
    ),
    "layers do not chain": (
        lambda p: write_npz(p, good_arrays(), full_meta(layers=bad_layers({"in": 5}))),
        "layer 2 .linear. takes 5 inputs but the linear layer before it gives 4",
    ),
    "negative size": (
        lambda p: write_npz(p, good_arrays(), full_meta(layers=bad_layers({"out": -1}))),
        "'out' must be a whole number from 1",
    ),
    "no layers": (lambda p: write_npz(p, good_arrays(), full_meta(layers=[])), "empty"),
    "bad dtype name": (lambda p: write_npz(p, good_arrays(), full_meta(dtype="float16")), "'dtype' must be"),
    "missing key": (
        lambda p: write_npz(p, {k: v for k, v in good_arrays().items() if k != "2.bias"}, full_meta()),
        r"do not match its layers \(missing arrays: 2.bias\)",
    ),
    "unexpected key": (
        lambda p: write_npz(p, {**good_arrays(), "extra": np.zeros(1, np.float32)}, full_meta()),
        r"unexpected arrays: extra",
    ),
    "wrong shape": (
        lambda p: write_npz(p, {**good_arrays(), "0.weight": np.zeros((2, 4), np.float32)}, full_meta()),
        r"array '0.weight' has shape \(2, 4\), but its layer needs \(4, 2\)",
    ),
    "wrong dtype": (
        lambda p: write_npz(p, {**good_arrays(), "0.bias": np.zeros(4, np.int64)}, full_meta()),
        "array '0.bias' is int64, but the model says float32",
    ),
    "float64 in a float32 model": (
        lambda p: write_npz(p, {**good_arrays(), "0.bias": np.zeros(4)}, full_meta()),
        "is float64, but the model says float32",
    ),
    "NaN values": (
        lambda p: write_npz(p, {**good_arrays(), "2.weight": np.full((1, 4), np.nan, np.float32)}, full_meta()),
        "array '2.weight' contains NaN or infinite values",
    ),
    "infinite values": (
        lambda p: write_npz(p, {**good_arrays(), "0.bias": np.full(4, np.inf, np.float32)}, full_meta()),
        "NaN or infinite",
    ),
    "pickled object": (
        lambda p: write_npz(p, {**good_arrays(), "0.bias": np.array([Hostile()] * 4)}, full_meta()),
        "entry '0.bias' holds a pickled Python object; refused",
    ),
    "not an array entry": (
        lambda p: write_raw_zip(p, {"__meta__.npy": npy_bytes(meta_entry(full_meta())), "notes.txt": "hello"}),
        "unexpected entry 'notes.txt'",
    ),
    "member not npy": (lambda p: write_raw_zip(p, {"__meta__.npy": b"just some bytes"}), "damaged"),
    "zip bomb header": (
        lambda p: write_raw_zip(
            p, {"__meta__.npy": npy_bytes(meta_entry(full_meta())), "0.weight.npy": npy_header_only((300_000_000,))}
        ),
        "larger than 60,000,000 numbers; refused",
    ),
    "huge meta": (
        lambda p: write_raw_zip(p, {"__meta__.npy": npy_header_only((10**9,), "|u1")}),
        "larger than|not a block",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_load_refuses_bad_files_with_a_clear_message(tmp_path, home, case):
    make, match = CASES[case]
    path = make(tmp_path / "model.npz")

    with pytest.raises(ModelFileError, match=match) as caught:
        store.load_model(path)

    message = str(caught.value)
    assert str(path) in message
    assert message.count("\n") <= 1
    assert not (home / "pwned").exists()


def test_read_meta_refuses_the_same_way(tmp_path):
    path = CASES["newer format"][0](tmp_path / "m.npz")
    with pytest.raises(ModelFileError, match="newer nncli"):
        store.read_meta(path)


def test_big_endian_arrays_load_in_native_order(tmp_path):
    arrays = {k: v.astype(">f4") for k, v in make_state().items()}
    state, _ = store.load_model(write_npz(tmp_path / "m.npz", arrays, full_meta()))
    assert state["0.weight"].dtype == np.float32
    np.testing.assert_array_equal(state["0.weight"], make_state()["0.weight"])


@pytest.fixture(scope="module")
def valid_model_bytes():
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "m.npz"
        write_npz(path, make_state(), full_meta())
        return path.read_bytes()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_files_load_or_raise_model_file_error(valid_model_bytes, data):
    raw = bytearray(valid_model_bytes)
    for _ in range(data.draw(st.integers(1, 8))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "m.npz"
        path.write_bytes(bytes(raw))
        try:
            state, meta = store.load_model(path)
        except ModelFileError as exc:
            assert str(exc).count("\n") <= 1
        else:
            assert set(state) == set(store.state_shapes(meta["layers"]))
            assert all(np.isfinite(a).all() for a in state.values())


# --- the model store ---------------------------------------------------------------------


def test_model_home_follows_nncli_home(home):
    assert store.model_home() == home
    assert store.default_model_path("digits") == home / "digits.npz"


@pytest.mark.parametrize(
    "platform, env, expected",
    [
        ("linux", {"XDG_DATA_HOME": "/data"}, "/data/nncli"),
        ("linux", {}, "{home}/.local/share/nncli"),
        ("linux", {"XDG_DATA_HOME": "relative"}, "{home}/.local/share/nncli"),
        ("darwin", {}, "{home}/Library/Application Support/nncli"),
        ("win32", {"APPDATA": "/appdata"}, "/appdata/nncli"),
    ],
)
def test_model_home_without_nncli_home(tmp_path, monkeypatch, platform, env, expected):
    for name in ("NNCLI_HOME", "XDG_DATA_HOME", "APPDATA"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(store.sys, "platform", platform)
    assert store.model_home() == Path(expected.format(home=tmp_path))


def test_no_model_yet():
    with pytest.raises(ModelFileError, match=r"no trained model yet: run `nncli train xor`"):
        store.resolve_model(None)


def test_latest_is_the_last_saved(tmp_path, home):
    first = store.save_model(store.default_model_path("xor"), make_state(), make_meta())
    second = store.save_model(tmp_path / "elsewhere.npz", make_state(), make_meta())
    assert store.resolve_model(None) == second
    assert (home / "latest").read_text() == str(second)
    second.unlink()  # stale pointer: fall back to the newest model in the store
    assert store.resolve_model(None) == first


def test_without_pointer_the_newest_stored_model_wins(home):
    old = store.save_model(home / "old.npz", make_state(), make_meta())
    new = store.save_model(home / "new.npz", make_state(), make_meta())
    os.utime(old, (1_000, 1_000))
    os.utime(new, (2_000, 2_000))
    (home / "latest").unlink()
    (home / ".new.npz.abc.tmp").write_bytes(b"leftover")
    assert store.resolve_model(None) == new


def test_resolve_paths_and_stored_names(tmp_path, home, monkeypatch):
    stored = store.save_model(store.default_model_path("xor"), make_state(), make_meta())
    assert store.resolve_model("xor") == stored
    assert store.resolve_model("xor.npz") == stored
    monkeypatch.chdir(tmp_path)
    local = store.save_model("mine.npz", make_state(), make_meta())
    assert store.resolve_model("mine.npz").absolute() == local
    assert store.resolve_model(str(stored)) == stored


def test_resolve_unknown_name(home):
    with pytest.raises(ModelFileError, match="no model 'nope'") as caught:
        store.resolve_model("nope")
    assert "nope.npz" in str(caught.value) and str(home) in str(caught.value)


def test_check_writable_creates_the_store(home):
    store.check_writable(store.default_model_path("xor"))
    assert home.is_dir()


def test_check_writable_refuses_a_missing_folder(tmp_path):
    with pytest.raises(NncliError, match="does not exist"):
        store.check_writable(tmp_path / "no" / "such" / "m.npz")


def test_a_long_path_still_leaves_room_for_the_reason(tmp_path):
    """An error line is cut at 240 characters: the reason must fit beside a path of 160
    (named once: named twice, the path and its folder, it did not)."""
    missing = tmp_path / ("a" * max(1, 150 - len(str(tmp_path)))) / "m.npz"
    with pytest.raises(NncliError) as refused:
        store.check_writable(missing)
    assert "does not exist" in message_lines(f"nncli: {refused.value}")


def test_check_writable_refuses_a_folder_as_the_file(tmp_path):
    with pytest.raises(NncliError, match="it is a folder"):
        store.check_writable(tmp_path)


def test_check_writable_refuses_an_unwritable_folder(tmp_path, monkeypatch):
    def refuse(**kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(store.tempfile, "TemporaryFile", refuse)
    with pytest.raises(NncliError, match="is not writable .Permission denied."):
        store.check_writable(tmp_path / "m.npz")


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="permissions do not bind here")
def test_check_writable_refuses_a_read_only_store(home):
    home.mkdir()
    home.chmod(0o555)
    try:
        with pytest.raises(NncliError, match="not writable"):
            store.check_writable(store.default_model_path("xor"))
    finally:
        home.chmod(0o755)
