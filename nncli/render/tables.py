"""Tables of results: what a trained network says, what it is made of, how it checks out."""

from rich.table import Table

from nncli.nn.layers import output_shapes, parameter_count
from nncli.render import draws
from nncli.views.tables import Answers, Metrics


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


IMAGE_LAYER_NAMES = {
    "unflatten": lambda layer: "Unflatten(" + "×".join(map(str, layer["shape"])) + ")",
    "conv2d": lambda layer: (
        f"Conv2d({layer['in']} → {layer['out']}, {layer['kernel']}×{layer['kernel']}"
        + (f", stride {layer['stride']}" if layer["stride"] != 1 else "")
        + (f", padding {layer['padding']}" if layer["padding"] else "")
        + ("" if layer["bias"] else ", no bias")
        + ")"
    ),
    "maxpool2d": lambda layer: (
        f"MaxPool2d({layer['kernel']}×{layer['kernel']}"
        + (f", stride {layer['stride']}" if layer["stride"] != layer["kernel"] else "")
        + ")"
    ),
    "flatten": lambda layer: "Flatten()",
}


def model_table(title, layers):
    """A Keras-style summary: one row per layer, its output shape and parameter count; each
    row keyed by its state-dict prefix (its tensors are "0.weight", "0.bias", …)."""
    table = Table(title=title)
    table.add_column("key", justify="right")
    table.add_column("layer")
    table.add_column("output shape")
    table.add_column("parameters", justify="right")
    total = 0
    for index, (layer, shape) in enumerate(zip(layers, output_shapes(layers))):
        if layer["type"] == "linear":
            count = layer["in"] * layer["out"] + (layer["out"] if layer["bias"] else 0)
            name = f"Linear({layer['in']} → {layer['out']})"
        elif layer["type"] in IMAGE_LAYER_NAMES:
            count, name = parameter_count([layer]), IMAGE_LAYER_NAMES[layer["type"]](layer)
        else:
            count = parameter_count([layer])  # batch norm's weight and bias, a residual block's layers
            extra = {
                "dropout": f"p={layer.get('p')}",
                "batchnorm": str(layer.get("features")),
                "residual": "x + " + " → ".join(entry["type"] for entry in layer.get("layers", [])),
            }.get(layer["type"], "")
            name = f"{layer['type']}({extra})"
        total += count
        dims = shape if isinstance(shape, tuple) else (shape,)
        table.add_row(str(index), name, "(batch, " + ", ".join(map(str, dims)) + ")", f"{count:,}")
    table.add_section()
    table.add_row("", "[bold]total[/]", "", f"[bold]{total:,}[/]")
    return table


def gradcheck_table(results):
    table = Table(title="Gradients checked against central differences (float64)")
    table.add_column("case")
    table.add_column("engine")
    table.add_column("max abs error", justify="right")
    table.add_column("max rel error", justify="right")
    table.add_column("", justify="center")
    for row in results:
        mark = "[green]✓[/]" if row["passed"] else "[red]✗[/]"
        table.add_row(row["case"], row["engine"], f"{row['max_abs_error']:.1e}", f"{row['max_rel_error']:.1e}", mark)
    return table
