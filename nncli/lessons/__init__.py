"""The lessons of `nncli learn`: the story of how networks learn, one idea at a time.

A lesson is one module in this package, written to be read by a teacher:

    NAME = "hidden-layers"                      # what `nncli learn NAME` takes
    TITLE = "Why hidden layers"
    SUMMARY = "one neuron draws one line; XOR needs more: four hidden neurons bend it"
    SCREENS = (one_line, cross_entropy, no_line_for_xor, four_neurons, the_tiles)
    TRY = (("nncli train xor --hidden 0", "one neuron, one straight line"), ...)

Each screen is a function `screen(settings) -> Screen` that computes its numbers with the
same library and views the commands use, at run time, and writes them into its text —
nothing is pre-computed, so every lesson is also a test of the tool. `settings.quick`
asks for shorter training (fewer epochs, smaller data): the same story, other numbers;
`settings.width` and `settings.height` are the room its pictures have.
The closing "try this" screen is added from TRY.

Adding a lesson is one module here and its name in LESSONS; the engine is not touched.
"""

import difflib
import importlib
import re
from dataclasses import dataclass, field

LESSONS = (
    "one_neuron",
    "two_neurons",
    "any_curve",
    "downhill",
    "backprop",
    "hidden_layers",
    "classifier",
    "overfitting",
    "deep",
    "convolution",
)


@dataclass(frozen=True)
class Settings:
    """How a lesson is run: `quick` trains less (for a quick look, and for the tests);
    `width` is the columns its pictures may take, and `height`, on a terminal, its lines
    (pictures grow with it; None: printed, they take their usual size)."""

    quick: bool = False
    width: int = 80
    height: int | None = None


@dataclass
class Screen:
    """One screen of a lesson: a title, a few short paragraphs, its pictures (Rich
    renderables) and the key numbers it states (for `--json` and the tests).

    `frames`, if given, is an iterable of pictures played before the screen settles on
    `pictures` — the moving picture, shown only on a terminal. `keys` makes the screen
    interactive: key name → (the footer's line for it, a function returning the screen it
    becomes); keys that share a line ("↑ ↓ w ± 0.5") are listed once."""

    title: str
    text: str
    pictures: list = field(default_factory=list)
    numbers: dict = field(default_factory=dict)
    frames: object = None
    keys: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Lesson:
    number: int
    module: object

    @property
    def name(self):
        return self.module.NAME

    @property
    def title(self):
        return self.module.TITLE

    @property
    def summary(self):
        return self.module.SUMMARY

    def screens(self):
        """The screen functions, the closing "try this" last."""
        return (*self.module.SCREENS, try_this(self.module.TRY))


def all_lessons():
    return [Lesson(i, importlib.import_module(f"nncli.lessons.{name}")) for i, name in enumerate(LESSONS, start=1)]


def find(text):
    """The lesson called `text`: its number or its name. LookupError, saying what there
    is (and the closest name), for anything else."""
    lessons = all_lessons()
    text = text.strip()
    if text.isdigit():
        number = int(text)
        if 1 <= number <= len(lessons):
            return lessons[number - 1]
        raise LookupError(f"there is no lesson {number}: the lessons are 1 to {len(lessons)} (see `nncli learn`)")
    names = {lesson.name: lesson for lesson in lessons}
    key = text.lower().replace("_", "-").replace(" ", "-")
    if key in names:
        return names[key]
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r} (lesson {names[close[0]].number})? " if close else ""
    raise LookupError(f"there is no lesson {text!r}: {hint}see `nncli learn` for the list")


def try_this(commands):
    """The closing screen: the exact commands to go further, each broken only before an
    option, so that it still copies and pastes whole."""

    def screen(settings):
        lines = "\n".join(
            "\n".join(command_lines(command, settings.width)) + f"\n      {what}" for command, what in commands
        )
        return Screen(
            "Try this", "Each of these runs on its own:\n\n" + lines, numbers={"commands": [c for c, _ in commands]}
        )

    return screen


def command_lines(command, width):
    """`command`, indented, as lines of at most `width` columns where it can: broken before
    an option (--name), each line but the last ending in the shell's continuation ` \\`."""
    parts = re.split(r" (?=--)", command)
    lines = ["  " + parts[0]]
    for part in parts[1:]:
        if len(lines[-1]) + 1 + len(part) + 2 <= width:
            lines[-1] += " " + part
        else:
            lines[-1] += " \\"
            lines.append("      " + part)
    return lines
