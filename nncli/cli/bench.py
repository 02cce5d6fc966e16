"""`nncli bench`: how fast the engines are, against the floor, PyTorch and micrograd."""

import click

WORKLOAD_NAMES = ("xor", "sin", "digits", "mnist-shape")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per benchmark instead of a table.")
@click.option(
    "--repeats",
    type=click.IntRange(min=3),
    default=21,
    show_default=True,
    help="Timed blocks per implementation; the median is shown.",
)
@click.option(
    "--only",
    "workloads",
    type=click.Choice(WORKLOAD_NAMES),
    multiple=True,
    help="Time only these training steps (repeatable); skips the other benchmarks.",
)
@click.option("--quick", is_flag=True, help="Short timings: checks that everything runs, figures are rough.")
@click.option(
    "--grid", is_flag=True, help="Add the scaling grid: width 64–2048 × batch 1–4096 against PyTorch (minutes)."
)
@click.option(
    "--threads",
    type=click.IntRange(min=1, max=1024),
    default=None,
    help="BLAS (and PyTorch) threads  [default: 1, or OPENBLAS_NUM_THREADS/OMP_NUM_THREADS if set].",
)
def bench(as_json, repeats, workloads, quick, grid, threads):
    """Time the engines against the NumPy floor, PyTorch and micrograd.

    One training step of the Tensor engine on four networks, next to the floor (the same
    step in hand-written NumPy) and PyTorch; the scalar engine next to micrograd on
    micrograd's demo; and `nncli --help` and `nncli train digits` from start to end.

    Then whole training runs (xor, digits, approx, an MNIST-sized epoch): training time
    and time to a target, next to PyTorch and scikit-learn. With --grid, one step of wide
    and big-batch networks next to PyTorch, one thread each.

    PyTorch, micrograd and scikit-learn are timed when installed (pip install "nncli-learn[bench]").
    """
    from nncli.runtime import memory
    from nncli.runtime import threads as blas

    blas.setup(threads, (), 1)  # before NumPy loads: one thread unless told otherwise
    memory.keep_freed_memory()  # as the training commands run
    from nncli.bench.speed import run
    from nncli.cli.output import emit_json, show

    if as_json:
        run(workloads or None, repeats, quick, emit=emit_json, grid=grid)
        return
    from rich.console import Console

    with Console(stderr=True).status("timing…"):
        rows = run(workloads or None, repeats, quick, grid=grid)
    show(*bench_tables(rows))


def _duration(seconds):
    if seconds is None:
        return "—"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def _ratio(value, style=""):
    if value is None:
        return "—"
    return f"[{style}]{value:.2f}×[/]" if style else f"{value:.2f}×"


def bench_tables(rows):
    from rich.table import Table

    machine = next(row for row in rows if row["event"] == "machine")
    versions = ", ".join(
        f"{name} {machine[name]}" for name in ("python", "numpy", "torch", "micrograd") if name in machine
    )
    kernels = f"OpenBLAS kernels {machine['blas_kernels']}, " if machine.get("blas_kernels") else ""
    steps = Table(
        title="One SGD training step, float32 (median time per step)",
        caption=f"{machine['cpus']} CPUs, {machine.get('blas_threads', '?')} BLAS/PyTorch thread(s) "
        f"({machine.get('threads_from', 'not recorded')}), {kernels}{versions}, {machine['date']}",
    )
    steps.add_column("workload")
    steps.add_column("network · batch · loss")
    for name in ("nncli", "floor", "torch", "÷ floor", "torch ÷", "noise"):
        steps.add_column(name, justify="right")
    others = Table(title="Scalar engine (one step of micrograd's demo) and command line (wall time)")
    for name, justify in (("benchmark", "left"), ("nncli", "right"), ("reference", "right"), ("", "left")):
        others.add_column(name, justify=justify)
    for row in rows:
        if row.get("kind") == "step":
            spread = max(value for key, value in row.items() if key.endswith("_spread"))
            steps.add_row(
                row["name"],
                row["workload"],
                *(
                    _duration(row[f"{name}_us"] / 1e6) if f"{name}_us" in row else "—"
                    for name in ("nncli", "floor", "torch")
                ),
                _ratio(row["nncli_vs_floor"]),
                _ratio(row.get("torch_vs_nncli"), "green" if row.get("torch_vs_nncli", 0) > 1 else "red"),
                f"±{spread / 2:.0%}",
            )
        elif row.get("kind") == "scalar":
            for prefix, how in (("", "as each trains"), ("nogc_", "engine for engine, collector off")):
                theirs = row.get(f"{prefix}micrograd_ms")
                others.add_row(
                    f"{row['workload']} ({how})",
                    _duration(row[f"{prefix}nncli_ms"] / 1e3),
                    f"micrograd {_duration(theirs / 1e3)}" if theirs else "micrograd not installed",
                    f"micrograd takes {row[f'{prefix}micrograd_vs_nncli']:.1f}× as long" if theirs else "",
                )
        elif row.get("kind") == "command":
            if row["seconds"] is None or row["exit_code"] != 0:
                note = row.get("note", f"exit code {row['exit_code']}")
            elif "heavy_imports" in row:
                note = (
                    f"imports {', '.join(row['heavy_imports'])}"
                    if row["heavy_imports"]
                    else "imports no numpy, rich or torch"
                )
            else:
                note = "default settings"
            others.add_row(row["name"], _duration(row["seconds"]), "", note)
    return [table for table in (steps, others, _end_to_end_table(rows), _grid_table(rows)) if table.row_count]


def _median_and_noise(row, name):
    seconds = row.get(f"{name}_s")
    return "—" if seconds is None else f"{_duration(seconds)} ±{row[f'{name}_spread'] / 2:.0%}"


def _end_to_end_table(rows):
    from rich.table import Table

    table = Table(title="Whole training runs: training time ± half its spread, and time to the target (medians)")
    table.add_column("run")
    table.add_column("target")
    for name in ("nncli", "torch", "sklearn"):
        table.add_column(name, justify="right")
        table.add_column(f"{name} → target", justify="right")
    for row in rows:
        if row.get("kind") == "end_to_end":
            cells = []
            for name in ("nncli", "torch", "sklearn"):
                cells += [_median_and_noise(row, name), _duration(row.get(f"{name}_to_target_s"))]
            table.add_row(row["name"], row["target"], *cells)
    return table


def _grid_table(rows):
    from rich.table import Table

    cells = {(row["width"], row["batch"]): row for row in rows if row.get("kind") == "grid"}
    batches = sorted({batch for _, batch in cells})
    spreads = [value for row in cells.values() for key, value in row.items() if key.endswith("_spread")]
    machine = next((row for row in rows if row["event"] == "machine"), {})
    kernels = f"OpenBLAS kernels {machine['blas_kernels']}; " if machine.get("blas_kernels") else ""
    table = Table(
        title="Scaling grid: nncli ÷ PyTorch, one step of w-w-w-10 ReLU, float32",
        caption=f"{kernels}each library in its own process, medians of blocks taking turns; "
        f"noise up to ±{max(spreads, default=0):.0%}",
    )
    table.add_column("width \\ batch", justify="right")
    for batch in batches:
        table.add_column(str(batch), justify="right")
    for width in sorted({width for width, _ in cells}):
        ratios = [cells.get((width, batch), {}).get("nncli_vs_torch") for batch in batches]
        table.add_row(str(width), *(_ratio(r, "green" if r <= 1 else "red") if r else "—" for r in ratios))
    return table
