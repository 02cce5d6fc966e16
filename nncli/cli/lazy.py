"""Commands made or imported only when they are asked for (click's lazy group pattern), so
that `nncli train xor` loads what training needs and `nncli --help` stays instant."""

import importlib

import click


class LazyGroup(click.Group):
    """A group whose commands are named by "module:attribute" and imported when one is
    invoked or its summary is listed (`lazy`); each gets its first sentence as its summary."""

    def __init__(self, *args, lazy=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx):
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx, name):
        if name not in self.commands and name in self.lazy:
            module, attribute = self.lazy[name].split(":")
            command = getattr(importlib.import_module(module), attribute)
            self.commands[name] = summarised(command, self.list_commands(ctx))
        return self.commands.get(name)


HELP_COLUMNS = 80  # every command's summary fits on its line of the listing at this width


def summarised(command, names):
    """`command` with its first sentence as its summary in its group's listing (beside
    `names`, the group's commands), on one line of HELP_COLUMNS: click would cut it at 45
    characters ("Pictures of MODEL (a path or stored name; …..."), or wrap it."""
    room = HELP_COLUMNS - 4 - min(max(map(len, names), default=0), 30)  # click's indent and gap
    if command.short_help is None and command.help:
        command.short_help = fit(first_sentence(command.help), room)
    elif command.short_help:  # one given by hand: set like the others, without its full stop
        command.short_help = fit(command.short_help.rstrip("."), room)
    if isinstance(command, click.Group):
        for subcommand in command.commands.values():
            summarised(subcommand, command.commands)
    return command


def fit(summary, room):
    """`summary` within `room` characters: whole if it fits, else without its asides in
    brackets, else up to the last ", " or "; " that fits, else cut at a word with "…"."""
    import re

    if len(summary) > room:
        summary = re.sub(r" \([^()]*\)", "", summary)
    while len(summary) > room and re.search(r"[,;] ", summary):
        summary = re.split(r"[,;] (?!.*[,;] )", summary)[0]
    if len(summary) > room:
        summary = summary[: room - 1].rsplit(" ", 1)[0] + "…"
    return summary


def first_sentence(text):
    """`text` up to its first full stop or colon outside brackets."""
    depth = 0
    text = " ".join(text.split("\b")[0].split())
    for i, ch in enumerate(text):
        depth += (ch in "([") - (ch in ")]")
        if depth == 0 and ch in ".:" and (i + 1 == len(text) or text[i + 1] == " "):
            return text[:i]
    return text
