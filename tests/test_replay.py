"""Snapshots through training, visualize --epoch, and nncli replay (terminal, piped, JSON,
and the HTML page, which a real headless browser opens where one is installed)."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import ON_TORCH_WORKER, browser, json_lines, probe_in_browser, run

from nncli import store
from nncli.store import snapshots


def rewrite(path, change):
    """Rewrite the model file at `path` with `change(arrays)` applied to its raw entries."""
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    change(arrays)
    np.savez(path, **arrays)


def test_a_model_keeps_log_spaced_snapshots_from_the_start_to_the_end(xor_model):
    epochs, states = store.load_snapshots(xor_model)
    assert epochs[0] == 0 and epochs[-1] == 300
    assert 50 <= len(epochs) <= snapshots.TARGET
    gaps = np.diff(epochs)
    assert gaps[0] == 1 and gaps[-1] > 10  # dense at the start, where learning is fastest
    final, _ = store.load_model(xor_model)
    for key in final:
        np.testing.assert_array_equal(states[-1][key], final[key])
        assert not np.array_equal(states[0][key], final[key])


@ON_TORCH_WORKER
def test_the_state_dict_loads_into_torch_once_double_underscore_entries_are_skipped(xor_model):
    torch = pytest.importorskip("torch")
    weights = {k: torch.from_numpy(v) for k, v in np.load(xor_model).items() if not k.startswith("__")}
    net = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Sigmoid(), torch.nn.Linear(4, 1), torch.nn.Sigmoid())
    net.load_state_dict(weights)  # strict: no missing or unexpected keys


def test_snapshot_counts_keep_a_file_within_its_budget():
    assert snapshots.how_many(68) == snapshots.TARGET
    mnist_bytes = 4 * (784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10)
    count = snapshots.how_many(mnist_bytes)
    assert (count + 1) * mnist_bytes <= max(snapshots.MIN_BUDGET_BYTES, snapshots.BUDGET_FACTOR * mnist_bytes)
    assert snapshots.planned_epochs(5, 60) == [0, 1, 2, 3, 4, 5]
    assert len(snapshots.planned_epochs(100_000, 60)) == 60


def test_an_early_stopped_run_ends_its_snapshots_at_the_epoch_it_kept(tmp_path):
    path = tmp_path / "digits.npz"
    args = ("train", "digits", "-q", "--epochs", "40", "--patience", "2", "--lr", "0.05", "--save", path)
    assert run(*args).exit_code == 0
    meta = store.read_meta(path)
    epochs, states = store.load_snapshots(path)
    final, _ = store.load_model(path)
    assert meta["epochs_run"] > epochs[-1] or meta["epochs_run"] == 40
    np.testing.assert_array_equal(states[-1]["0.weight"], final["0.weight"])


def test_visualize_at_an_epoch_draws_the_nearest_snapshot(xor_model):
    start = json_lines(run("visualize", xor_model, "--view", "boundary", "--epoch", "0", "--json"))[0]
    end = json_lines(run("visualize", xor_model, "--view", "boundary", "--json"))[0]
    assert start["epoch"] == 0 and end["epoch"] == 300
    assert np.ptp(start["z"]) < np.ptp(end["z"])  # the boundary forms as it learns
    result = run("visualize", xor_model, "--view", "boundary", "--epoch", "45")
    assert result.exit_code == 0
    assert re.search(r"drawn at epoch \d+ \(the snapshot nearest epoch 45\)", result.stderr)


def test_visualize_beyond_the_run_is_a_usage_error(xor_model):
    result = run("visualize", xor_model, "--epoch", "301")
    assert result.exit_code == 2 and "trained for 300 epochs" in result.stderr


def test_replay_piped_lists_every_frame_then_draws_the_last(xor_model):
    result = run("replay", xor_model)
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("epoch")]
    epochs, _ = store.load_snapshots(xor_model)
    assert [int(line.split()[1].replace(",", "")) for line in lines[: len(epochs)]] == epochs
    assert "Decision boundary" in result.stdout


def test_replay_json_gives_each_frames_numbers(xor_model):
    events = json_lines(run("replay", xor_model, "--view", "boundary", "--json"))
    epochs, states = store.load_snapshots(xor_model)
    assert [e["epoch"] for e in events] == epochs
    assert all(e["event"] == "frame" and e["view"] == "boundary" and "z" in e for e in events)
    assert events[0]["loss"] > events[-1]["loss"]


def test_replay_and_epoch_on_a_model_without_snapshots_say_so(xor_model):
    rewrite(xor_model, lambda arrays: [arrays.pop(k) for k in list(arrays) if k.startswith("__snap")])
    for args in (("replay", xor_model), ("visualize", xor_model, "--epoch", "3")):
        result = run(*args)
        assert result.exit_code == 1 and "has no snapshots" in result.stderr
    assert run("visualize", xor_model, "--view", "boundary").exit_code == 0


def _drop_last_row(arrays):
    arrays["__snap__0.weight"] = arrays["__snap__0.weight"][:-1]


def _nan(arrays):
    arrays["__snap__0.bias"][3, 0] = np.nan


def _backwards(arrays):
    arrays["__snap_epochs__"] = arrays["__snap_epochs__"][::-1].copy()


def _beyond(arrays):
    arrays["__snap_epochs__"][-1] = 10**9


def _object(arrays):
    arrays["__snap__0.bias"] = np.array([{"a": 1}] * len(arrays["__snap_epochs__"]), dtype=object)


def _float_epochs(arrays):
    arrays["__snap_epochs__"] = arrays["__snap_epochs__"].astype(float)


def _absurd_count(arrays):
    arrays["__snap_epochs__"] = np.arange(snapshots.MAX_SNAPSHOTS + 1)


def _stray(arrays):
    arrays["__snap__9.weight"] = arrays["__snap__0.weight"]


HOSTILE = {
    "shape": _drop_last_row,
    "NaN": _nan,
    "epochs backwards": _backwards,
    "epoch beyond the run": _beyond,
    "object array": _object,
    "float epochs": _float_epochs,
    "absurd count": _absurd_count,
    "stray entry": _stray,
}


@pytest.mark.parametrize("change", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_snapshot_is_refused_like_any_bad_model_file(xor_model, change):
    rewrite(xor_model, change)
    result = run("replay", xor_model)
    assert result.exit_code == 1, result.stdout
    assert len(result.stderr.strip().splitlines()) <= 2 and str(xor_model) in result.stderr


def test_replay_bad_options_are_usage_errors(xor_model):
    assert run("replay", xor_model, "--fps", "0").exit_code == 2
    assert run("replay", xor_model, "--fps", "nan").exit_code == 2
    result = run("replay", xor_model, "--view", "landscape")
    assert result.exit_code == 2 and "boundary" in result.stderr


def test_replay_html_to_an_unwritable_place_fails_before_any_work(xor_model, tmp_path):
    result = run("replay", xor_model, "--html", tmp_path / "no" / "such" / "folder" / "page.html")
    assert result.exit_code == 1 and "does not exist" in result.stderr
    result = run("replay", xor_model, "--html", tmp_path)
    assert result.exit_code == 1 and "folder" in result.stderr


def test_replay_html_is_one_self_contained_page(xor_model, tmp_path):
    page = tmp_path / "replay.html"
    result = run("replay", xor_model, "--html", page)
    assert result.exit_code == 0, result.stderr
    text = page.read_text()
    assert not re.search(r"src\s*=|https?://|@import|url\(", text.replace("http-equiv", ""))
    targets = re.findall(r'href=\\?"(.{22})', text)  # in the page, or in a frame's JSON
    assert targets and set(targets) == {"data:image/png;base64,"} and len(targets) == text.count("href=")
    frames = json.loads(re.search(r"const frames = (\[.*?\]);\n", text, re.S).group(1).replace("<\\/", "</"))
    epochs, _ = store.load_snapshots(xor_model)
    assert [f["epoch"] for f in frames] == epochs
    assert frames[0]["html"] != frames[-1]["html"]
    assert not list(tmp_path.glob(".replay.html.*"))  # no temporary file left behind


# Injected into a copy of the page, first in <head>: records script errors, then moves the
# slider as a person would and writes what it saw into the DOM for --dump-dom to print.
PROBE = """<script>
window.__errors = [];
window.addEventListener("error", (e) => window.__errors.push(String(e.message)));
window.addEventListener("load", () => {
  const before = document.getElementById("frame").innerHTML;
  const label = document.getElementById("label").textContent;
  const slider = document.getElementById("slider");
  slider.value = slider.max;
  slider.dispatchEvent(new Event("input"));
  const out = document.createElement("output");
  out.id = "probe";
  out.textContent = JSON.stringify({
    errors: window.__errors, frames: Number(slider.max) + 1, label_before: label,
    label_after: document.getElementById("label").textContent,
    changed: before !== document.getElementById("frame").innerHTML, length: before.length,
  });
  document.body.appendChild(out);
});
</script>"""


@pytest.mark.skipif(browser() is None, reason="no Chromium installed")
def test_the_page_plays_in_a_real_browser(xor_model, tmp_path):
    page = tmp_path / "replay.html"
    assert run("replay", xor_model, "--html", page).exit_code == 0
    probe = probe_in_browser(page, PROBE, tmp_path)
    epochs, _ = store.load_snapshots(xor_model)
    assert probe["errors"] == []
    assert probe["frames"] == len(epochs) and probe["length"] > 1000
    assert probe["label_before"].startswith("epoch 0 ") and probe["label_after"].startswith("epoch 300 ")
    assert probe["changed"]


def test_the_state_of_a_model_saved_with_snapshots_reads_back_unchanged(xor_model):
    state, meta = store.load_model(xor_model)
    assert set(state) == {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert Path(xor_model).stat().st_size < snapshots.MIN_BUDGET_BYTES


def test_the_loss_view_at_an_epoch_stops_at_that_epoch(xor_model):
    event = json_lines(run("visualize", xor_model, "--view", "loss", "--epoch", "50", "--json"))[0]
    epochs = event["series"][0]["epochs"]
    assert event["epoch"] <= 50 and epochs and max(epochs) <= event["epoch"]
