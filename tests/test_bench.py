"""The benchmark runner: its rows, and the floor it measures against. Timings are never
asserted here, only that everything runs and that the floor computes what the engine does."""

import gc
import json

import numpy as np
import pytest
from conftest import run

from nncli.bench import speed as bench

WORKLOADS = {w.name: w for w in bench.WORKLOADS}


@pytest.mark.parametrize("name", sorted(WORKLOADS))
@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-10), ("float32", 2e-4)])
def test_the_floor_computes_the_engines_loss_and_gradients(name, dtype, rtol):
    workload = WORKLOADS[name]
    network = bench.nncli_network(workload, seed=3, dtype=dtype)
    X, y = bench.workload_batch(workload, seed=4)
    X = X.astype(dtype)
    y = y.astype(dtype) if workload.loss == "mse" else y
    floor = bench.Floor(workload, bench.network_weights(network))
    floor_loss, floor_grads = floor.gradients(X, y)
    loss = network.loss(X, y)
    loss.backward()
    assert floor_loss == pytest.approx(loss.item(), rel=rtol)
    params = network.parameters()
    assert len(params) == 2 * len(floor_grads)
    for (dW, db), weight, bias in zip(floor_grads, params[::2], params[1::2]):
        assert dW.dtype == weight.dtype and db.dtype == bias.dtype
        np.testing.assert_allclose(dW, weight.grad, rtol=rtol, atol=rtol * np.abs(weight.grad).max())
        np.testing.assert_allclose(db, bias.grad, rtol=rtol, atol=rtol * np.abs(bias.grad).max())


def test_a_floor_step_moves_the_weights_as_sgd_does():
    workload = WORKLOADS["xor"]
    network = bench.nncli_network(workload, dtype="float64")
    floor = bench.Floor(workload, bench.network_weights(network))
    X, y = bench.workload_batch(workload)
    _, grads = floor.gradients(X, y)
    before = [W.copy() for W, _ in floor.weights]
    floor.step(X, y, 0.5)
    for start, (W, _), (dW, _) in zip(before, floor.weights, grads):
        np.testing.assert_allclose(W, start - 0.5 * dW, rtol=1e-12)


def test_step_rows_have_every_field():
    row = bench.step_row(WORKLOADS["digits"], repeats=3, warmup=0, block=0, torch=False)
    assert row["event"] == "bench" and row["kind"] == "step" and row["name"] == "digits"
    assert row["workload"] == "64-128-64-10 relu · 32 · CE"
    for key in ("nncli_us", "floor_us", "nncli_vs_floor"):
        assert row[key] > 0
    assert "torch_us" not in row


@pytest.mark.parametrize("collector", [False, True])
def test_steps_are_timed_with_the_collector_off_unless_asked_and_it_is_put_back(collector):
    seen = []
    step = lambda: seen.append(gc.isenabled())  # noqa: E731
    timed = bench.time_interleaved({"a": step, "b": step}, repeats=3, warmup=0.0, block=0.0, collector=collector)
    assert set(timed) == {"a", "b"} and all(median >= 0 for median, _ in timed.values())
    assert len(seen) == 2 * (3 + 3)  # three warm-up calls and three timed blocks of one call, each
    assert seen[-6:] == [collector] * 6 and gc.isenabled()
    gc.disable()
    try:
        bench.time_interleaved({"a": step}, repeats=1, warmup=0.0, block=0.0, collector=collector)
        assert not gc.isenabled()  # the caller's choice, left as it was
    finally:
        gc.enable()


def test_the_scalar_demo_is_the_same_computation_in_both_engines():
    micrograd_engine = pytest.importorskip("micrograd.engine")
    from nncli.autograd import Value

    ours, theirs = bench.scalar_models()
    X, y = bench.two_moons()
    assert len(X) == len(y) == 100 and sorted(set(y)) == [-1.0, 1.0]
    # Every fifth point, both moons: the step is the same code whatever the batch, and a
    # fifth of the graph is a fifth of the time.
    X, y = X[::5], y[::5]
    assert sorted(set(y)) == [-1.0, 1.0]
    for _ in range(2):  # the second step starts from the weights the first one left
        loss = bench.moons_step(Value, ours, X, y)
        assert loss == pytest.approx(bench.moons_step(micrograd_engine.Value, theirs, X, y), rel=1e-12)


def test_bench_command_writes_json_lines(monkeypatch):
    monkeypatch.setattr(bench, "torch_available", lambda: False)
    result = run("bench", "--only", "xor", "--only", "sin", "--quick", "--repeats", "3", "--json")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["event"] for row in rows] == ["machine", "bench", "bench"]
    assert [row["name"] for row in rows[1:]] == ["xor", "sin"]


def test_bench_tables_show_every_row():
    from nncli.cli.bench import bench_tables

    rows = [
        {"event": "machine", "python": "3.11", "numpy": "2", "cpus": 2, "date": "2026-11-21"},
        {
            "event": "bench",
            "kind": "step",
            "name": "xor",
            "workload": "2-4-1 sigmoid · 4 · MSE",
            "nncli_us": 40.0,
            "nncli_spread": 0.02,
            "floor_us": 25.0,
            "floor_spread": 0.01,
            "nncli_vs_floor": 1.6,
        },
        {
            "event": "bench",
            "kind": "command",
            "name": "nncli --help",
            "seconds": 0.1,
            "spread": 0.1,
            "exit_code": 0,
            "heavy_imports": [],
        },
    ]
    steps, others = bench_tables(rows)
    assert steps.row_count == 1 and others.row_count == 1


def test_end_to_end_rows_time_whole_runs(monkeypatch):
    monkeypatch.setattr(bench, "torch_available", lambda: False)
    monkeypatch.setattr(bench, "sklearn_available", lambda: False)
    row = bench.end_to_end_row(bench.RUNS[0], repeats=1, quick=True)
    assert (row["kind"], row["name"], row["epochs"]) == ("end_to_end", "xor", 2)
    assert row["nncli_s"] > 0 and "torch_s" not in row
    assert row["nncli_to_target_s"] is None  # two epochs of XOR reach nothing


@pytest.mark.parametrize("job", bench.RUNS, ids=lambda job: job.name)
def test_the_target_is_judged_on_held_out_outputs(job):
    X, y, X_test, y_test = bench.run_data(job, quick=True)
    assert X.dtype == np.float32 and len(X) == len(y)
    if job.name == "xor":
        assert bench.reached(job, y_test * 0.8 + 0.1, y_test) and not bench.reached(job, 1 - y_test, y_test)
    elif job.name == "digits":
        assert bench.reached(job, np.eye(10)[y_test], y_test) and not bench.reached(job, np.eye(10)[y_test * 0], y_test)
    elif job.name == "approx":
        assert bench.reached(job, y_test + 0.01, y_test) and not bench.reached(job, y_test + 0.1, y_test)


def test_bench_grid_json(monkeypatch):
    monkeypatch.setattr(bench, "torch_available", lambda: False)
    result = run("bench", "--only", "xor", "--quick", "--repeats", "3", "--grid", "--json")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0]["event"] == "machine" and rows[0]["blas_threads"] >= 1
    grid = [(row["width"], row["batch"]) for row in rows if row.get("kind") == "grid"]
    assert grid == [(64, 1), (64, 8), (128, 1), (128, 8)]
    assert all(row["nncli_ms"] > 0 for row in rows if row.get("kind") == "grid")
