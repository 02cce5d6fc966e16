"""`nncli inspect`: look inside a trained model."""

import click


@click.group()
def inspect():
    """Look inside a model: its weights, its layers."""


@inspect.command()
@click.argument("model", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--neurons",
    type=click.IntRange(min=1),
    default=None,
    help="Digit models: draw only the first N first-layer neurons  [default: all].",
)
def weights(model, as_json, neurons):
    """Statistics and a histogram of every weight and bias tensor in MODEL (default: the
    latest); for a digit model, also each first-layer neuron's weights as an image."""
    from nncli import store
    from nncli.cli.output import emit_json, show
    from nncli.render.tables import weight_stats, weights_table
    from nncli.text import markup_safe

    path = store.resolve_model(model)
    state, meta = store.load_model(path)
    stats = weight_stats(state)
    if as_json:
        emit_json({"event": "weights", "task": meta["task"], "model": str(path), "tensors": stats})
    else:
        show(weights_table(f"{meta['task']} model {markup_safe(path.name)}", stats, state))
        if meta["task"] in ("digits", "mnist"):
            from nncli.render.digits import filters_view

            show(*filters_view(state["0.weight"], neurons))


@inspect.command("model")
@click.argument("model", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def model_summary(model, as_json):
    """Layers, output shapes and parameter counts of MODEL (default: the latest)."""
    from nncli import store
    from nncli.cli.output import emit_json, show
    from nncli.render.tables import metrics_table, model_table
    from nncli.tasks.runner import parameter_count
    from nncli.text import markup_safe

    path = store.resolve_model(model)
    state, meta = store.load_model(path)
    info = {
        "task": meta["task"],
        "model": str(path),
        "layers": meta["layers"],
        "parameters": parameter_count(meta["layers"]),
        "dtype": meta["dtype"],
        "seed": meta["seed"],
        "config": meta["config"],
        "metrics": meta["metrics"],
        "nncli_version": meta.get("nncli_version"),
    }
    if as_json:
        emit_json({"event": "model", **info})
    else:
        show(
            model_table(f"{meta['task']} model {markup_safe(path.name)} ({meta['dtype']})", meta["layers"]),
            metrics_table("final metrics", meta["metrics"]),
        )
