"""`nncli export`: take a trained model to PyTorch, ONNX or JSON."""

import click

FORMATS = ("pytorch", "onnx", "json")  # nncli.export.FORMATS, here without importing NumPy


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="[MODEL] FILE")
@click.option(
    "--to",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="The format  [default: from FILE's extension: .py, .onnx or .json].",
)
@click.option(
    "--embed", is_flag=True, help="pytorch: write the weights into the script instead of a model file beside it."
)
@click.option("--force", is_flag=True, help="Replace FILE (and the weights beside it) if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def export(paths, fmt, embed, force, as_json):
    """Write MODEL (a path or stored name; default: the latest) as a PyTorch script, an ONNX
    graph or JSON, for going on without nncli.

    \b
      nncli export --to pytorch xor.py       a script: `python xor.py 0,1`
                                             answers like nncli predict
      nncli export xor model.onnx            a graph for onnxruntime,
                                             or to look at in Netron
      nncli export digits --to json d.json   layers and weights as nested lists
      nncli export xor --to json - | jq .    FILE - writes to stdout
    """
    from pathlib import Path

    from nncli.cli.output import emit_json
    from nncli.export import SUFFIXES, export_model

    if len(paths) > 2:
        raise click.UsageError(f"give at most a MODEL and a FILE, not {len(paths)} paths")
    model, file = (None, paths[0]) if len(paths) == 1 else paths
    fmt = fmt or SUFFIXES.get(Path(file).suffix.lower())
    if fmt is None:
        raise click.UsageError(f"say which format with --to ({', '.join(FORMATS)}), or end FILE in .py, .onnx or .json")
    if embed and fmt != "pytorch":
        raise click.UsageError("--embed is for --to pytorch: ONNX and JSON files always carry their weights")
    if file == "-" and as_json:
        raise click.UsageError("FILE - and --json would both write to stdout: give a FILE, or leave out --json")
    done = export_model(model, fmt, file, embed=embed, force=force)
    if as_json:
        emit_json({"event": "export", **done})
        return
    from nncli.text import inert

    for note in done["notes"]:
        click.echo(f"note: {note}", err=True)
    # file names are the user's text (or a model file's): shown inert, in full
    shown_model = inert(done["model"], 4096)
    if file == "-":
        from nncli.cli.streams import write_out_bytes

        write_out_bytes(done["contents"])
        click.echo(f"exported {shown_model} as {fmt} to stdout", err=True)
        return
    file, weights = (inert(done[key], 4096) if done[key] else None for key in ("file", "weights"))
    beside = f" (weights: {weights})" if weights else ""
    click.echo(f"exported {shown_model} as {fmt} to {file}{beside}")
    if fmt == "pytorch":
        click.echo(f"run it: python {file} --help")
