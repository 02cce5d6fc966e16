"""Errors a user can act on.

The library raises these instead of printing; the CLI turns each into one or two plain
lines on stderr and the exit code it carries (see docs/reliability.md, "Exit codes").
"""


class NncliError(Exception):
    """Something the user can fix: a missing file, bad data, a bad model file (exit 1)."""

    exit_code = 1


class DataError(NncliError):
    """A data file or input that cannot be used as given."""


class ModelFileError(NncliError):
    """A model file that is missing, unreadable, corrupt, hostile or from elsewhere."""


class DataNotKept(ModelFileError):
    """A model trained on a file whose model file does not keep that data (nncli never
    reopens a file a model names): the command says what it can do instead."""


class OptionError(NncliError):
    """Options that cannot be honoured together, found once their effect is known (exit 2)."""

    exit_code = 2


class DivergedError(NncliError):
    """Training produced a non-finite loss (exit 3)."""

    exit_code = 3

    def __init__(self, message, epoch=None):
        super().__init__(message)
        self.epoch = epoch
