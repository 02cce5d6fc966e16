"""What a finished training run shows on stdout, per task."""

from nncli.render.tables import line_table, metrics_table


def result_view(task, outcome):
    """The renderables that show what `outcome.network` learned."""
    if task.name == "xor":
        from nncli.render.tables import xor_truth_table

        return [xor_truth_table(*task.truth_table(outcome.network))]
    if task.name == "linreg":
        return [line_table(outcome.summary)]
    if task.name == "approx":
        from nncli.render.approx import approx_view

        return approx_view(task, outcome)
    if task.name in ("digits", "mnist"):
        from nncli.render.digits import training_view

        return training_view(task, outcome)
    return [metrics_table(task.name, {k: v for k, v in outcome.summary.items() if k != "event"})]
