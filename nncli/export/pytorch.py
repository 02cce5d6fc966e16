"""A trained model as one readable PyTorch script.

The script is written from a template: the network's layers spelled out as a
torch.nn.Sequential (same order, so the state-dict keys are nncli's own), the input
scaling, and the functions `load_model`, `predict` and `train`. Run, it answers like
`nncli predict`; imported, it keeps training with the loss, optimizer and learning rate
nncli used. It needs torch and numpy, nothing else (and not nncli).
"""

import json
import re
import shlex
import textwrap
from string import Template

from nncli.command import recorded_command
from nncli.export import OUTPUT_KINDS, inert, literal, notes
from nncli.layer_types import REGISTRY as LAYER_TYPES
from nncli.layer_types import every_layer

LOSSES = {"mse": "nn.MSELoss()", "bce": "nn.BCELoss()", "cross_entropy": "nn.CrossEntropyLoss()"}
OPTIMIZERS = {  # nncli's optimizer names, as torch.optim calls them
    "sgd": ("SGD", "plain SGD", ""),
    "momentum": ("SGD", "SGD with momentum 0.9", ", momentum=0.9"),
    "adam": ("Adam", "Adam", ""),
}
WRAP = 100
SKIP_SINGLE = """
            if len(batch) == 1:  # batch norm cannot normalise a single example while training
                continue"""  # embedded numbers: characters per line

LOAD_BESIDE = '''

# The trained weights: the nncli model file beside this script. Its arrays are the state
# dict (keys "0.weight", "0.bias", ...); entries starting with "__" are nncli's metadata.
WEIGHTS = Path(__file__).with_name($weights_name)


def load_model():
    """The network with nncli's trained weights, ready to predict (evaluation mode)."""
    model = build_model().to(DTYPE)
    with np.load(WEIGHTS, allow_pickle=False) as arrays:
        state = {key: torch.from_numpy(arrays[key]) for key in arrays.files if not key.startswith("__")}
    model.load_state_dict(state)
    return model.eval()
'''

LOAD_EMBEDDED = '''

def load_model():
    """The network with nncli's trained weights, ready to predict (evaluation mode)."""
    model = build_model().to(DTYPE)
    model.load_state_dict({key: torch.tensor(values, dtype=DTYPE) for key, values in WEIGHTS.items()})
    return model.eval()
'''

FEATURES = """

# nncli feeds the network features computed from each raw point (x1, x2), in this order:
FEATURES = $names


def features(x):
    \"\"\"The FEATURES of rows of raw points (x1, x2), one column each.\"\"\"
    x1, x2 = x[:, 0], x[:, 1]
    return np.column_stack([$columns])
"""

SCALING = """

# nncli trained on scaled inputs, x_net = (x - X_MEAN) / X_STD; they are scaled the same way here.
X_MEAN = np.array($x_mean)
X_STD = np.array($x_std)
"""

SCALE_INPUTS = '''

def scale_inputs(inputs):
    """Rows of raw inputs as the network's input tensor$words."""
    x = np.asarray(inputs, dtype=np.float64)$steps
    return torch.from_numpy(x).to(DTYPE)
'''
FEATURE_CODE = {"column": "{0}", "product": "{0} * {1}", "sin": "np.sin({0})"}  # a recipe as NumPy code

SCALE_TARGETS = {
    "classes": '''

def scale_targets(targets):
    """Class numbers (0, 1, ...) as the loss wants them."""
    return torch.as_tensor(np.asarray(targets)).long().reshape(-1)
''',
    "binary": '''

def scale_targets(targets):
    """Targets (0 or 1 per output) as a tensor shaped like the network's output."""
    return torch.from_numpy(np.asarray(targets, dtype=np.float64).reshape(len(targets), -1)).to(DTYPE)
''',
    "value": '''

def scale_targets(targets):
    """Targets in their own units as a tensor shaped like the network's output."""
    return torch.from_numpy(np.asarray(targets, dtype=np.float64).reshape(len(targets), -1)).to(DTYPE)
''',
    "value_scaled": '''

# The network's outputs are scaled targets: y = y_net * Y_STD + Y_MEAN in the targets' units.
Y_MEAN = np.array($y_mean)
Y_STD = np.array($y_std)


def scale_targets(targets):
    """Targets in their own units, scaled as nncli trained on them."""
    y = (np.asarray(targets, dtype=np.float64).reshape(len(targets), -1) - Y_MEAN) / Y_STD
    return torch.from_numpy(y).to(DTYPE)
''',
}

PREDICT = {
    "binary": '''

def predict(model, inputs):
    """What the network says about each row of raw inputs, as `nncli predict --json` says it."""
    inputs = np.asarray(inputs, dtype=np.float64)
    with torch.no_grad():
        outputs = model(scale_inputs(inputs)).double().numpy()
    return [
        {"input": row.tolist(), "output": float(out[0]), "prediction": int(out[0] > 0.5)}
        for row, out in zip(inputs, outputs)
    ]


def describe(result):
    return f"{result['output']:.6g}  prediction {result['prediction']}"
''',
    "classes": '''

def softmax(logits):
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def predict(model, inputs):
    """What the network says about each row of raw inputs, as `nncli predict --json` says it."""
    inputs = np.asarray(inputs, dtype=np.float64)
    with torch.no_grad():
        probabilities = softmax(model(scale_inputs(inputs)).double().numpy())
    return [
        {
            "input": row.tolist(),
            "prediction": int(p.argmax()),
            "confidence": float(p.max()),
            "probabilities": p.tolist(),
        }
        for row, p in zip(inputs, probabilities)
    ]


def describe(result):
    return f"prediction {result['prediction']}  confidence {result['confidence']:.1%}"
''',
    "value": '''

def predict(model, inputs):
    """What the network says about each row of raw inputs, as `nncli predict --json` says it."""
    inputs = np.asarray(inputs, dtype=np.float64)
    with torch.no_grad():
        outputs = model(scale_inputs(inputs)).double().numpy()$unscale
    return [{"input": row.tolist(), "output": float(out[0])} for row, out in zip(inputs, outputs)]


def describe(result):
    return f"{result['output']:.6g}"
''',
}

TRAIN = '''

# --- keep training it in PyTorch --------------------------------------------------------
#
# $history
# train() below does the same in PyTorch, on raw inputs and targets like nncli's: for example
#
#     import numpy as np, torch
#     from $module import load_model, train, predict$rename
#
#     model = load_model()
#     inputs = np.array(...)   # rows of $inputs raw numbers
#     targets = np.array(...)  # $targets
#     losses = train(model, inputs, targets, epochs=100)
#     torch.save(model.state_dict(), "$stem.pt")
#
# The optimizer starts afresh: its state (momentum, Adam's averages) is not in the model
# file. From here on it is ordinary PyTorch:
# a DataLoader for data that does not fit in memory, model.to("cuda") for a GPU, a wider or
# deeper build_model().

LOSS = $loss


def make_optimizer(model):
    """The optimizer nncli trained with: $optimizer_words, learning rate $lr."""
    return torch.optim.$optimizer(model.parameters(), lr=$lr$extra)


def loss(model, inputs, targets):
    """The loss on raw inputs and targets, with dropout off (evaluation mode)."""
    model.eval()
    with torch.no_grad():
        return LOSS(model(scale_inputs(inputs)), scale_targets(targets)).item()


def train(model, inputs, targets, epochs=1, batch_size=$batch_size, seed=0):
    """Train on raw inputs and targets with nncli's loss, optimizer and learning rate, in
    shuffled batches; returns the loss on all of them after each epoch."""
    x, y = scale_inputs(inputs), scale_targets(targets)
    optimizer = make_optimizer(model)
    shuffle = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(epochs):
        model.train()
        for batch in torch.randperm(len(x), generator=shuffle).split(batch_size or len(x)):$skip_single
            optimizer.zero_grad()
            LOSS(model(x[batch]), y[batch]).backward()
            optimizer.step()
        losses.append(loss(model, inputs, targets))
    model.eval()
    return losses
'''

MAIN = '''

# --- as a script: `nncli predict` ---------------------------------------------------------


def read_rows(lines, source):
    """Rows of INPUTS comma-separated numbers; blank lines and a header line are skipped."""
    rows = []
    for number, line in enumerate(lines, 1):
        cells = line.strip().split(",")
        if cells == [""] or (number == 1 and not any(is_number(cell) for cell in cells)):
            continue
        if len(cells) != INPUTS or not all(is_number(cell) for cell in cells):
            sys.exit(f"{source}, line {number}: expected {INPUTS} comma-separated numbers, got {line.strip()!r}")
        rows.append([float(cell) for cell in cells])
    if not rows:
        sys.exit(f"{source}: no rows of numbers")
    return rows


def is_number(text):
    try:
        return np.isfinite(float(text))
    except ValueError:
        return False


def main(args):
    if "-h" in args or "--help" in args:
        print(__doc__)
        return
    as_json = "--json" in args
    values = [arg for arg in args if arg != "--json"]
    if values and all("," not in value for value in values) and INPUTS > 1:  # 0 1 1 1: rows of INPUTS
        if len(values) % INPUTS:
            sys.exit(f"the model takes {INPUTS} inputs per row; got {len(values)} values")
        values = [",".join(values[i : i + INPUTS]) for i in range(0, len(values), INPUTS)]
    if values:
        rows = read_rows(values, "arguments")
    elif not sys.stdin.isatty():
        rows = read_rows(sys.stdin, "stdin")
    else:
        sys.exit(f"give rows of {INPUTS} comma-separated inputs as arguments or on stdin (--help says more)")
    for result in predict(load_model(), rows):
        if as_json:
            print(json.dumps({"event": "prediction", **result}))
        else:
            print(", ".join(f"{v:g}" for v in result["input"]) + "  ->  " + describe(result))


if __name__ == "__main__":
    main(sys.argv[1:])
'''


def render(model, weights_name=None, module="model"):
    """The script's text. `weights_name`: the model file beside the script to load the
    weights from, or None to embed them. `module`: the script's name, for the example."""
    meta = model.meta
    kinds = {entry["type"] for entry in every_layer(model.layers)}
    parts = [
        _docstring(model, weights_name, module),
        "\nimport json\nimport sys\n" + ("from pathlib import Path\n" if weights_name else "") + "\n",
        "import numpy as np\nimport torch\nfrom torch import nn\n",
        f"\nDTYPE = torch.{meta['dtype']}\nINPUTS = {model.inputs}\n",
        *(LAYER_TYPES[kind].torch_class for kind in sorted(kinds)),
        _build_model(model.layers),
        _embedded(model) if weights_name is None else "",
        Template(LOAD_BESIDE).substitute(weights_name=json.dumps(weights_name)) if weights_name else LOAD_EMBEDDED,
        _scale_inputs(model),
        _scale_targets(model),
        _predict(model),
        _train(model, module),
        MAIN,
    ]
    return "".join(parts)


def _scale_inputs(model):
    """The code taking raw inputs to the network's: features (if any), then scaling (if any)."""
    parts, steps, words = [], "", []
    if model.features:
        columns = (
            FEATURE_CODE[operation].format(*(("x1", "x2")[i] for i in where))
            for operation, *where in model.features.values()
        )
        names = "[" + ", ".join(json.dumps(name) for name in model.features) + "]"
        parts.append(Template(FEATURES).substitute(names=names, columns=", ".join(columns)))
        steps += "\n    x = features(x)"
        words.append("their features")
    if "x_mean" in model.scaling:
        x_mean, x_std = _numbers(model.scaling["x_mean"]), _numbers(model.scaling["x_std"])
        parts.append(Template(SCALING).substitute(x_mean=x_mean, x_std=x_std))
        steps += "\n    x = (x - X_MEAN) / X_STD"
        words.append("scaled")
    words = ": " + ", ".join(words) if words else " (nncli trained on them as they are)"
    return "".join(parts) + Template(SCALE_INPUTS).substitute(words=words, steps=steps)


def _docstring(model, weights_name, module):
    """The script's docstring: what it is, how it was made, how to ask it. Text from the
    model file and file names pass through `inert`, so none can end the string."""
    meta, script = model.meta, inert(f"{module}.py")
    weights = (
        f"{inert(weights_name)}, the nncli model file beside this script" if weights_name else "embedded (WEIGHTS)"
    )
    row, other = (",".join("01"[(i + k) % 2] for i in range(model.inputs)) for k in (0, 1))
    if model.inputs > 4:
        row, other = "ROW", "ROW"
    usage = [
        (f"python {script} {row.replace(',', ' ')}", f"one row of {_count(model.inputs, 'input')}"),
        (f"python {script} {row} {other}", "one comma-separated row per argument"),
        (f"cat rows.csv | python {script}", "CSV rows on stdin"),
        (f"python {script} {row} --json", "one JSON object per row, as `nncli predict --json`"),
    ]
    width = max(len(command) for command, _ in usage) + 3
    lines = [
        f'"""The {inert(meta["task"])} model trained with nncli, as a standalone PyTorch program.',
        "",
        f"Made with nncli {inert(meta.get('nncli_version', '?'))} by:",
        *_shell_lines(recorded_command(meta)),
        "",
        *textwrap.wrap(
            f"Network:  {_count(model.inputs, 'input')} -> {_features_summary(model)}{_summary(model.layers)}",
            92,
            subsequent_indent=" " * 10,
        ),
        f"Outputs:  {OUTPUT_KINDS[model.output]}",
        f"Weights:  {weights}",
        "",
        "Ask it, as you would ask `nncli predict`:",
        *(f"    {command.ljust(width)}{words}" for command, words in usage),
        "",
        "It needs only PyTorch and NumPy. Import it to keep training it: see train() below.",
    ]
    for note in notes(model.layers):
        lines += ["", *textwrap.wrap(f"Note: {note}.", 90)]
    return "\n".join(lines) + '\n"""\n'


def _count(number, noun):
    return f"{number} {noun}" + ("s" if number != 1 else "")


def _shell_lines(command, width=88):
    """A long command as indented shell lines, each but the last ending in a backslash
    (which, inside the docstring, also joins them back into one line in __doc__). A flag
    and its value stay on one line."""
    try:
        words, quote = shlex.split(command), shlex.quote
    except ValueError:  # not a shell line (a model file's text can be anything): keep it as it is
        words, quote = command.split(), str
    pieces = []
    for word in words:
        if pieces and pieces[-1].startswith("--") and " " not in pieces[-1] and not word.startswith("--"):
            pieces[-1] += " " + quote(word)
        else:
            pieces.append(quote(word))
    pieces = [inert(piece) for piece in pieces]
    lines, line = [], "   "
    for piece in pieces:
        if len(line) + len(piece) > width:
            lines.append(line + " \\")
            line = "       "
        line += " " + piece
    return lines + [line]


def _features_summary(model):
    """ "features(x1^2, x2^2) -> " for a model fed features of its raw inputs, else ""."""
    return f"features({', '.join(model.features)}) -> " if model.features else ""


def _summary(layers):
    """The network in one line: 2 -> Linear(2, 4) -> Sigmoid -> ..."""
    names = []
    for entry in layers:
        if entry["type"] == "linear":
            names.append(f"Linear({entry['in']}, {entry['out']})")
        else:
            names.append(_torch_layer(entry)[0].removeprefix("nn.").split("(")[0])
        if LAYER_TYPES[entry["type"]].block:
            names[-1] += "(" + _summary(entry["layers"]) + ")"
    return " -> ".join(names)


def _build_model(layers):
    lines = [
        "",
        "",
        "def build_model():",
        '    """The network, layer by layer as nncli built it (the state-dict keys are the',
        '    positions: "0.weight" is the first layer\'s weight)."""',
        "    return nn.Sequential(",
        *_layer_lines(layers, "", 8),
        "    )",
    ]
    return "\n".join(lines) + "\n"


def _layer_lines(layers, prefix, indent):
    """One line per layer (a residual block: its layers inside), each commented with its key."""
    pad = " " * indent
    lines = []
    for index, entry in enumerate(layers):
        key = f"{prefix}{index}"
        code, comment = _torch_layer(entry)
        if LAYER_TYPES[entry["type"]].block:
            lines.append(f"{pad}{code}  # {key}: {comment}")
            lines += _layer_lines(entry["layers"], f"{key}.module.", indent + 4)
            lines.append(f"{pad}),")
            continue
        lines.append(f"{pad}{code},  # {key}" + (f": {comment}" if comment else ""))
    return lines


def _torch_layer(entry):
    """(the torch.nn code for one layer, a comment on it)."""
    return LAYER_TYPES[entry["type"]].torch(entry)


def _embedded(model):
    """WEIGHTS = {key: nested lists}, each number written so it reads back exactly."""
    lines = ["", "", "# The trained weights (nncli export --embed): state-dict key -> numbers.", "WEIGHTS = {"]
    for key, array in model.state.items():
        lines.append(f"    {json.dumps(key)}: " + _nested(array, model.meta["dtype"], 4) + ",")
    return "\n".join(lines) + "\n}\n"


def _nested(array, dtype, indent):
    if array.ndim == 0:
        return literal(array, dtype)
    if array.ndim == 1:
        return "[" + _wrapped([literal(v, dtype) for v in array], indent + 1) + "]"
    pad = " " * (indent + 4)
    rows = [pad + _nested(row, dtype, indent + 4) for row in array]
    return "[\n" + ",\n".join(rows) + ",\n" + " " * indent + "]"


def _wrapped(words, indent):
    """Comma-separated words, broken into lines of about WRAP characters."""
    lines, line = [], ""
    for word in words:
        if line and len(line) + len(word) > WRAP:
            lines.append(line.rstrip())
            line = ""
        line += word + ", "
    lines.append(line.rstrip(", "))
    return ("\n" + " " * indent).join(lines)


def _numbers(values):
    return None if values is None else "[" + ", ".join(repr(float(v)) for v in values) + "]"


def _scale_targets(model):
    if model.output == "value" and "y_mean" in model.scaling:
        return Template(SCALE_TARGETS["value_scaled"]).substitute(
            y_mean=_numbers(model.scaling["y_mean"]), y_std=_numbers(model.scaling["y_std"])
        )
    return SCALE_TARGETS[model.output]


def _predict(model):
    unscale = ""
    if model.output == "value" and "y_mean" in model.scaling:
        unscale = "\n    outputs = outputs * Y_STD + Y_MEAN  # back into the targets' units"
    return Template(PREDICT[model.output]).safe_substitute(unscale=unscale)


def _train(model, module):
    training = model.training
    name, words, extra = OPTIMIZERS[training["optimizer"]]
    if training["weight_decay"]:
        extra += f", weight_decay={training['weight_decay']!r}"
    lr, batch_size = training["lr"], training["batch_size"]
    batches = f"batches of {batch_size}" if batch_size else "all the data in every step"
    if training["constructed"]:
        history = (
            f"nncli set these weights by hand (no training). To train on from them, nncli's defaults for\n"
            f"# this task are {words} with learning rate {lr!r} on the {_loss_words(model.loss)}."
        )
    else:
        history = (
            f"nncli trained this network with {words}, learning rate {lr!r}, {batches},\n"
            f"# on the {_loss_words(model.loss)}, for {training['epochs']} epochs."
        )
    targets = {
        "binary": "one target per row, 0 or 1",
        "classes": "one class number per row",
        "value": "one target per row, in its own units",
    }[model.output]
    importable = re.sub(r"\W", "_", module)
    rename = "" if importable == module else f"  # once this file is renamed {importable}.py"
    return Template(TRAIN).substitute(
        history=history,
        module=importable,
        rename=inert(rename),
        stem=inert(module),
        inputs=model.inputs,
        targets=targets,
        loss=LOSSES[model.loss],
        optimizer=name,
        optimizer_words=words,
        lr=repr(lr),
        extra=extra,
        batch_size=batch_size,
        skip_single=SKIP_SINGLE if any(entry["type"] == "batchnorm" for entry in every_layer(model.layers)) else "",
    )


def _loss_words(loss):
    return {"mse": "mean squared error", "bce": "binary cross-entropy", "cross_entropy": "cross-entropy"}[loss]
