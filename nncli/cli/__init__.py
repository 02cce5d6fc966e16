"""The `nncli` command line.

Commands are thin: they parse options, call the library and hand its events to a sink.
Command modules import only click at module level — NumPy and Rich are imported inside the
command bodies — so `nncli --help` starts instantly.
"""

import click

from nncli import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="nncli")
def main():
    """See how neural networks learn: train, evaluate, explain and draw them.

    \b
    Start with:
      nncli train xor          learn XOR with a 2-4-1 network
      nncli inspect weights    look at what it learned
    """
