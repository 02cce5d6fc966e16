"""The command reference, docs/commands.md, written from the commands' own `--help`.

    python -m nncli.cli.reference > docs/commands.md

Every command's help, as `nncli COMMAND --help` prints it, at a fixed width of WIDTH
columns whatever the terminal, so the page is the same wherever it is made with the same
click (whose version the page names: another may wrap help differently). The suite checks
that the page in docs/ is what this prints (tests/test_docs.py).
"""

import sys

import click

WIDTH = 80  # the width the help is wrapped to, as on an 80-column terminal

INTRO = """\
# Command reference

Every command's `--help`, at 80 columns, generated from the commands themselves (with
click {click_version}). Do not edit it by hand: after changing a command, run

    python -m nncli.cli.reference > docs/commands.md
"""


def commands(command=None, parent=None, name="nncli"):
    """(context, command) for `command` and every visible command under it, depth first,
    each group's commands in its own listing order."""
    if command is None:
        from nncli.cli import main as command
    settings = {**command.context_settings, "terminal_width": WIDTH, "max_content_width": WIDTH}
    ctx = click.Context(command, info_name=name, parent=parent, **settings)  # as click makes it, at WIDTH
    yield ctx, command
    if isinstance(command, click.Group):
        for sub_name in command.list_commands(ctx):
            sub = command.get_command(ctx, sub_name)
            if sub is not None and not sub.hidden:
                yield from commands(sub, ctx, sub_name)


def reference():
    """The whole page: a heading and the help text of every command."""
    from importlib.metadata import version

    parts = [INTRO.format(click_version=version("click"))]
    for ctx, command in commands():
        parts.append(f"## {ctx.command_path}\n\n```text\n{command.get_help(ctx)}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    sys.stdout.buffer.write(reference().encode("utf-8"))
