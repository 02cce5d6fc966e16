"""`nncli inspect weights` drawn (numbers from nncli.views.weights): a table of every
tensor's statistics with its histogram, and a tiny network's weights themselves."""

from rich.columns import Columns
from rich.console import Group
from rich.table import Table
from rich.text import Text

from nncli.data.tables import count
from nncli.render import draws
from nncli.render.explain import numbered, sub
from nncli.render.sparkline import histogram_bar
from nncli.views.weights import Matrices, WeightTable


def weights_table(title, tensors, leave_out=()):
    table = Table(title=title)
    table.add_column("tensor", no_wrap=True)
    table.add_column("shape", no_wrap=True)
    shown = [name for name in ("mean", "std", "min", "max", "norm") if name not in leave_out]
    for name in shown:
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("histogram", no_wrap=True, min_width=10)  # its blank bins are not places to wrap
    for row in tensors:
        table.add_row(
            row["name"],
            "×".join(map(str, row["shape"])),
            *(f"{row[key]:.4f}" for key in shown),
            histogram_bar(row["histogram"]),
        )
    return table


@draws(WeightTable)
class FittedWeightsTable:
    """`weights_table` at the width it is given: when the screen is too narrow, first the
    table's outer border goes, then the norm, the std and the mean columns (`--json` still
    has them) — rather than a column cut or wrapped."""

    LAYOUTS = ((True, ()), (False, ()), (False, ("norm",)), (False, ("norm", "std")), (False, ("norm", "std", "mean")))

    def __init__(self, numbers, width):
        self.numbers = numbers

    def __rich_console__(self, console, options):
        for edge, leave_out in self.LAYOUTS:
            table = weights_table(self.numbers.title, self.numbers.tensors, leave_out)
            table.show_edge = edge
            natural = console.measure(table, options=options.update_width(10_000)).maximum
            if natural <= options.max_width:
                break
        yield table


@draws(Matrices)
def draw_matrices(numbers, width):
    """Each Linear layer's weights and biases themselves, a row per neuron (the weight on each
    input, then the bias), side by side where they fit. Positive numbers red, negative blue."""
    tables = []
    for layer in numbers.layers:
        weight, bias = layer["weight"], layer["bias"]
        inputs = len(weight[0]) if weight else 0
        table = Table(title=f"{layer['name']}: {count(len(weight), 'neuron')} × {count(inputs, 'input')}")
        table.add_column("neuron", justify="right", style="dim")
        for i in range(inputs):
            table.add_column(f"x{sub(i)}", justify="right")
        if bias is not None:
            table.add_column("bias", justify="right")
        for j, row in enumerate(weight):
            cells = [_signed(w) for w in row] + ([_signed(bias[j])] if bias is not None else [])
            table.add_row(numbered(j), *cells)
        tables.append(table)
    key = Text("a row per neuron: the weight on each input x, then its bias", style="dim")
    return Group(Columns(tables, padding=(0, 2)), key)


def _signed(value):
    return Text(f"{value:.4f}", style="red" if value > 0 else "blue" if value < 0 else "")
