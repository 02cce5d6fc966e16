"""How nncli writes numbers, everywhere a person reads them (panel, log, tables, ticks).

One format: general notation with a fixed count of significant digits — LOSS_DIGITS for
losses and other measured values, TICK_DIGITS for axis ticks — trailing zeros dropped,
and an exponent written short (1.466e-6, never 1.466e-06) once a value is below 1e-4 or
at least 1e6. Shares are percentages with two decimals. So the same loss reads the same
in the live panel, the log, the summary and the result table.
"""

LOSS_DIGITS = 4
TICK_DIGITS = 3


def counted(n: int, noun: str) -> str:
    """ "1 epoch", "2,000 epochs": a count and its noun, singular for one."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


METRICS = (  # what a logged epoch or a summary may hold, and how it is named on screen
    ("loss", "loss", "value"),
    ("val_loss", "val loss", "value"),
    ("accuracy", "accuracy", "percent"),
    ("train_accuracy", "train accuracy", "percent"),
    ("val_accuracy", "val accuracy", "percent"),
    ("r2", "R²", "value"),
    ("train_r2", "train R²", "value"),
)


def format_number(v: float, digits=TICK_DIGITS) -> str:
    """`v` to `digits` significant digits: 0.003616, 12.5, 1.466e-6, 2e3 (for ticks, which
    have room for little), "0" for zero (also −0.0)."""
    if v == 0:
        return "0"
    mantissa, _, exponent = f"{v:.{digits}g}".partition("e")
    return mantissa + (f"e{int(exponent)}" if exponent else "")


def format_value(v: float) -> str:
    """A loss or other measured value, as everywhere on screen."""
    return format_number(v, LOSS_DIGITS)


def format_percent(v: float) -> str:
    return f"{v:.2%}"


def format_metrics(numbers, separator="  ") -> str:
    """ "loss 0.003616  val loss 0.004122  train accuracy 98.61%  val accuracy 97.22%": the known
    metrics of an epoch event or a summary, in one order."""
    parts = []
    for key, name, kind in METRICS:
        value = numbers.get(key)
        if isinstance(value, (int, float)):
            parts.append(f"{name} {format_percent(value) if kind == 'percent' else format_value(value)}")
    return separator.join(parts)
