"""The health view, as numbers: how each layer's gradient changed through training, and the
layers' final profile (activations, saturation, update sizes).

Computed from layer_stats — the events of a run as it trains, or the thinned list kept in a
model file (meta["layer_stats"]), both reaching the view as `history.layer_stats` — so the
same function serves a finished run, `visualize` and `--json`. A model file is not trusted:
anything malformed is refused as a bad model file.
"""

import math
from dataclasses import dataclass, field

from nncli.errors import ModelFileError
from nncli.views import Numbers

MAX_EPOCHS = 100_000
MAX_LAYERS = 10_000
PROFILE_KEYS = ("act_mean", "act_std", "saturated", "grad_std", "update_ratio")
HEALTHY_RATIO = -3.0  # log10 of a healthy step's size against the weights' (the update ratio)


@dataclass
class HealthView(Numbers):
    epochs: list  # the measured epochs, in order (empty: nothing was measured)
    layers: list  # the layers' names ("0.weight", …), input first
    activations: list  # each layer's activation ("sigmoid", …, "identity")
    grad_std: list  # [layer][epoch]: the weight gradient's std, None where not finite
    log_range: tuple  # (low, high): the log10 span of the finite grad_std values, for the colour scale
    final: list = field(default_factory=list)  # per layer, the last epoch's statistics (PROFILE_KEYS)
    gradient_ratio: float | None = None  # first layer's grad_std over the last's, at the last epoch


def layers(network, dataset, config, history):
    """The health view of a run: from the layer statistics measured while it trained."""
    if not history.layer_stats:  # the scalar engine, or a model from before they were measured
        return HealthView([], [], [], [], (0.0, 0.0))
    try:
        return health_view(history.layer_stats)
    except ValueError as error:
        raise ModelFileError(f"the model's layer statistics are damaged: {error}") from None


def health_view(layer_stats):
    """The HealthView of a list of {"epoch", "layers": [per-layer statistics]} records;
    ValueError if they are malformed."""
    if not isinstance(layer_stats, list) or not layer_stats:
        raise ValueError("no layer statistics")
    if len(layer_stats) > MAX_EPOCHS:
        raise ValueError(f"more than {MAX_EPOCHS:,} epochs of layer statistics")
    epochs, rows = [], []
    for record in layer_stats:
        if (
            not isinstance(record, dict)
            or not _is_int(record.get("epoch"))
            or not isinstance(record.get("layers"), list)
        ):
            raise ValueError("each layer_stats entry needs an integer 'epoch' and a list of 'layers'")
        epochs.append(record["epoch"])
        rows.append([_layer(entry) for entry in record["layers"]])
    names = [entry["name"] for entry in rows[0]]
    if not names or len(names) > MAX_LAYERS or any([e["name"] for e in row] != names for row in rows):
        raise ValueError("every layer_stats entry must describe the same layers")
    if epochs != sorted(epochs):
        raise ValueError("layer_stats epochs must come in order")
    grad_std = [[_finite(row[i]["grad_std"]) for row in rows] for i in range(len(names))]
    logs = [math.log10(g) for line in grad_std for g in line if g is not None and g > 0]
    last = rows[-1]
    first_grad, last_grad = _finite(last[0]["grad_std"]), _finite(last[-1]["grad_std"])
    return HealthView(
        epochs=epochs,
        layers=names,
        activations=[entry["activation"] for entry in last],
        grad_std=grad_std,
        log_range=(min(logs), max(logs)) if logs else (0.0, 0.0),
        final=[{key: _finite(entry[key]) for key in PROFILE_KEYS} for entry in last],
        gradient_ratio=first_grad / last_grad if first_grad is not None and last_grad else None,
    )


def _layer(entry):
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or len(entry["name"]) > 200:
        raise ValueError("each layer's statistics need a 'name'")
    activation = entry.get("activation", "identity")
    if not isinstance(activation, str) or len(activation) > 40:
        raise ValueError(f"layer {entry['name']!r}: 'activation' must be a name")
    for key in PROFILE_KEYS:
        value = entry.get(key)
        if value is not None and not (isinstance(value, (int, float)) and not isinstance(value, bool)):
            raise ValueError(f"layer {entry['name']!r}: {key!r} must be a number or null")
    return {**entry, "activation": activation}


def _finite(value):
    return float(value) if value is not None and math.isfinite(value) else None


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)
