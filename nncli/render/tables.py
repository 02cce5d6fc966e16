"""Tables of results: what a trained network says, what it is made of, how it checks out."""

from rich.table import Table

from nncli.render import draws
from nncli.views.tables import Answers, GradCheck, Metrics, ModelSummary


def metrics_table(title, metrics):
    table = Table(title=title, show_header=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in metrics.items():
        if isinstance(value, float):
            text = f"{value:.2%}" if name.endswith("accuracy") else f"{value:.6g}"
        else:
            text = str(value)
        table.add_row(name.replace("_", " "), text)
    return table


@draws(Metrics)
def draw_metrics(numbers, width):
    return metrics_table(numbers.title, numbers.values)


@draws(Answers)
def draw_answers(numbers, width):
    return predictions_table(numbers.rows)


def predictions_table(rows):
    table = Table()
    table.add_column("input")
    table.add_column("output", justify="right")
    if rows and "prediction" in rows[0]:
        table.add_column("prediction", justify="right")
    for row in rows:
        cells = [", ".join(f"{v:g}" for v in row["input"]), f"{row['output']:.6g}"]
        if "prediction" in row:
            cells.append(str(row["prediction"]))
        table.add_row(*cells)
    return table


@draws(ModelSummary)
def draw_model_summary(numbers, width):
    """A Keras-style summary: one row per layer, its output shape and parameter count; each
    row keyed by its state-dict prefix (its tensors are "0.weight", "0.bias", …)."""
    table = Table(title=numbers.title)
    table.add_column("key", justify="right")
    table.add_column("layer")
    table.add_column("output shape")
    table.add_column("parameters", justify="right")
    for row in numbers.rows:
        table.add_row(
            row["key"], row["layer"], "(batch, " + ", ".join(map(str, row["shape"])) + ")", f"{row['parameters']:,}"
        )
    table.add_section()
    table.add_row("", "[bold]total[/]", "", f"[bold]{numbers.total:,}[/]")
    return table


@draws(GradCheck)
def draw_gradcheck(numbers, width):
    table = Table(title="Gradients checked against central differences (float64)")
    table.add_column("case")
    table.add_column("engine")
    table.add_column("max abs error", justify="right")
    table.add_column("max rel error", justify="right")
    table.add_column("", justify="center")
    for row in numbers.rows:
        mark = "[green]✓[/]" if row["passed"] else "[red]✗[/]"
        table.add_row(row["case"], row["engine"], f"{row['max_abs_error']:.1e}", f"{row['max_rel_error']:.1e}", mark)
    return table
