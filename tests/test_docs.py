"""The documentation follows the commands: docs/commands.md is what the commands' own
`--help` prints today, and every `nncli …` line in a code block of the README or docs/
names a command that exists, with options it has."""

import re
import shlex
from importlib.metadata import version
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from nncli.cli import main
from nncli.cli.reference import reference

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"
REFERENCE = DOCS / "commands.md"
SHELL_BLOCKS = ("bash", "sh", "shell", "console", "powershell")
SHELL_OPERATORS = set("|;&<>()")


def documents():
    """The README and every page of docs/ but the generated reference."""
    return [ROOT / "README.md", *sorted(page for page in DOCS.glob("*.md") if page != REFERENCE)]


def shell_lines(text):
    """The command lines of the shell code blocks in Markdown `text`: in a console block
    only those after a "$ " prompt, continuation lines (ending in a backslash) joined."""
    lines = []
    for language, body in re.findall(r"^```(\w*)\n(.*?)^```", text, re.M | re.S):
        if language not in SHELL_BLOCKS:
            continue
        body = body.replace("\\\n", " ")
        for line in body.splitlines():
            if language == "console":
                if not line.startswith("$ "):
                    continue
                line = line[2:]
            lines.append(line)
    return lines


def nncli_calls(line):
    """The argument lists of every `nncli` run in a shell line (several where it pipes)."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    calls, current = [], None
    for token in lexer:
        if set(token) <= SHELL_OPERATORS:
            current = None
        elif current is not None:
            current.append(token)
        elif token == "nncli":
            current = []
            calls.append(current)
    return calls


def check_call(args):
    """None if `nncli ARGS` names a command that exists and options it has; else what is wrong."""
    # Each context as click makes it, with its command's settings: a command keeps the help
    # option it first makes, and one made under a bare context would lose its -h for good.
    command, ctx = main, click.Context(main, info_name="nncli", **main.context_settings)
    args = list(args)
    while isinstance(command, click.Group) and args:
        while args and args[0].startswith("-"):  # the group's own options, as --version
            option = args.pop(0).split("=", 1)[0]
            if option not in {name for param in command.params for name in param.opts + param.secondary_opts}:
                return f"{ctx.command_path} has no option {option}"
        if not args:
            return None
        name = args.pop(0)
        sub = command.get_command(ctx, name)
        if sub is None:
            return f"{ctx.command_path} has no command {name!r}"
        command, ctx = sub, click.Context(sub, info_name=name, parent=ctx, **sub.context_settings)
    try:  # click reads every option before it checks a value: a file need not exist here
        command.make_context(ctx.info_name, args, parent=ctx.parent)
    except (click.NoSuchOption, click.BadOptionUsage) as error:
        return f"{ctx.command_path}: {error.format_message()}"
    except (click.UsageError, click.exceptions.Exit):  # a value or an argument, not a name
        pass
    return None


def test_the_command_reference_is_what_the_commands_print():
    made_with = re.search(r"with\s+click (\S+)\)", REFERENCE.read_text(encoding="utf-8"))[1]
    if made_with != version("click"):  # another click wraps the same help differently
        pytest.skip(f"docs/commands.md was made with click {made_with}; this is click {version('click')}")
    assert REFERENCE.read_text(encoding="utf-8") == reference(), (
        "docs/commands.md is stale: run `python -m nncli.cli.reference > docs/commands.md`"
    )


@pytest.mark.parametrize("command", ["", "train xor", "inspect graph", "compare linreg"])
def test_the_reference_is_what_help_prints_on_an_80_column_terminal(command):
    printed = CliRunner().invoke(main, [*command.split(), "--help"], prog_name="nncli", env={"COLUMNS": "80"})
    assert f"## {' '.join(['nncli', *command.split()])}\n\n```text\n{printed.stdout}```\n" in reference()


def test_the_reference_has_every_command_and_the_docs_have_their_pages():
    text = REFERENCE.read_text(encoding="utf-8")
    for name in ("nncli train xor", "nncli inspect graph", "nncli explain backprop", "nncli compare linreg"):
        assert f"\n## {name}\n" in text
    for page in re.findall(r"\]\(docs/([\w.-]+\.md)", (ROOT / "README.md").read_text(encoding="utf-8")):
        assert (DOCS / page).is_file(), f"the README links to docs/{page}, which does not exist"


@pytest.mark.parametrize("document", documents(), ids=lambda path: path.name)
def test_every_documented_command_and_option_exists(document):
    calls = [args for line in shell_lines(document.read_text(encoding="utf-8")) for args in nncli_calls(line)]
    problems = [f"nncli {shlex.join(args)}: {problem}" for args in calls if (problem := check_call(args))]
    assert not problems, "\n".join(problems)


def test_the_checks_catch_a_command_or_an_option_that_does_not_exist():
    text = """```bash
nncli train xor --epochs 5 | jq .   # fine
nncli compare linreg --vary lr=0.1,1 \\
    --no-such-option 3
nncli no-such-command
```

```console
$ nncli inspect graph "tanh(x)" x=1 --dot
$ nncli train nonesuch
nncli train xor --not-a-command-line-in-a-console-block
```
"""
    calls = [args for line in shell_lines(text) for args in nncli_calls(line)]
    assert [check_call(args) is None for args in calls] == [True, False, False, True, False]
    assert "No such option '--no-such-option'" in check_call(calls[1])
    assert "no command 'nonesuch'" in check_call(calls[4])
