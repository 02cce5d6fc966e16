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
def bench(as_json, repeats, workloads, quick):
    """Time the engines against the NumPy floor, PyTorch and micrograd.

    One training step of the Tensor engine on four networks, next to the floor (the same
    step in hand-written NumPy) and PyTorch; the scalar engine next to micrograd on
    micrograd's demo; and `nncli --help` and `nncli train digits` from start to end.

    PyTorch and micrograd are timed when they are installed (pip install micrograd torch).
    """
    from nncli.bench import run
    from nncli.cli.output import emit_json, show

    if as_json:
        run(workloads or None, repeats, quick, emit=emit_json)
        return
    from rich.console import Console

    with Console(stderr=True).status("timing…"):
        rows = run(workloads or None, repeats, quick)
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
    steps = Table(
        title="One SGD training step, float32 (median time per step)",
        caption=f"{machine['cpus']} CPUs, {versions}, {machine['date']}",
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
    return [table for table in (steps, others) if table.row_count]
