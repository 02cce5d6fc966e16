"""`nncli gradcheck`: the engine checks its own gradients against finite differences."""

import click


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per case, then a summary.")
def gradcheck(as_json):
    """Check every op's gradient, in both engines, against central differences in float64."""
    from nncli.autograd.gradcheck import run_suite, standard_cases
    from nncli.cli.output import emit_json, show
    from nncli.errors import NncliError
    from nncli.nn.gradchecks import layer_cases
    from nncli.render import draw
    from nncli.views.tables import GradCheck

    rows = [
        {
            "case": name,
            "engine": report.engine,
            "max_abs_error": max((r.max_abs_error for r in report.inputs), default=0.0),
            "max_rel_error": max((r.max_rel_error for r in report.inputs), default=0.0),
            "passed": report.passed,
        }
        for name, report in run_suite(standard_cases() + layer_cases())
    ]
    failed = [row["case"] for row in rows if not row["passed"]]
    if as_json:
        for row in rows:
            emit_json({"event": "gradcheck", **row})
        emit_json({"event": "summary", "cases": len(rows), "passed": len(rows) - len(failed), "failed": len(failed)})
    else:
        show(draw(GradCheck(rows)))
        click.echo(f"{len(rows) - len(failed)} of {len(rows)} cases passed", err=True)
    if failed:
        raise NncliError(f"{len(failed)} gradient check(s) failed: {', '.join(failed)}")
