"""The terminal-input module: keys and mouse reports named, both platforms' readers, and
the terminal always given back."""

import io
import os
import sys

import pytest

from nncli.cli.terminal import MOUSE_OFF, MOUSE_ON, Mouse, Reader, WindowsReader, events, open_input


def test_keys_are_named_and_an_escape_sequence_is_one_key():
    named = ["space", "enter", "up", "down", "q", "+", "backspace", "backspace", "é"]
    assert events(" \r\x1b[A\x1bOBq+\x7f\x08é") == named


def test_sgr_mouse_reports_press_drag_release_and_scroll():
    text = "\x1b[<0;1;1M" + "\x1b[<32;5;3M" + "\x1b[<0;12;7m" + "\x1b[<2;80;24M" + "\x1b[<65;3;4M" + "\x1b[<64;3;4M"
    assert events(text) == [
        Mouse("press", "left", 0, 0),  # cells count from 0 at the top left; the report from 1
        Mouse("drag", "left", 4, 2),
        Mouse("release", "left", 11, 6),
        Mouse("press", "right", 79, 23),
        Mouse("scroll", "down", 2, 3),
        Mouse("scroll", "up", 2, 3),
    ]


def test_mouse_modifiers_do_not_change_the_button_and_keys_between_reports_stay():
    # 4 shift, 8 meta, 16 ctrl: a ctrl-drag with the middle button, then a key
    assert events("\x1b[<49;10;2Mq\x1b[<1;10;2m") == [
        Mouse("drag", "middle", 9, 1),
        "q",
        Mouse("release", "middle", 9, 1),
    ]


class Bursts(Reader):
    """A reader whose terminal hands over these pieces, one per read."""

    def __init__(self, *pieces):
        self.pieces = list(pieces)

    def read_some(self, timeout):
        return self.pieces.pop(0) if self.pieces else ""


def test_a_sequence_split_between_reads_is_read_whole():
    assert Bursts("x\x1b[<0;1", "2;3M").events() == ["x", Mouse("press", "left", 11, 2)]
    assert Bursts("\x1b", "[C").events() == ["right"]
    assert Bursts("\x1b").events() == ["\x1b"]  # Escape alone: nothing more came


class FakeMsvcrt:
    """msvcrt as the Windows console fills it: `typed` characters, read one at a time."""

    def __init__(self, typed):
        self.typed = list(typed)

    def kbhit(self):
        return bool(self.typed)

    def getwch(self):
        return self.typed.pop(0)


def test_the_windows_reader_turns_console_codes_into_xterm_keys():
    reader = WindowsReader(FakeMsvcrt("a\xe0H\x00M\xe0K\xe0P \r"), mouse=False)
    assert reader.events(0.0) == ["a", "up", "right", "left", "down", "space", "enter"]
    assert reader.pressed(0.02) == ""  # nothing more typed: the wait ends
    reader.restore()


def test_the_windows_reader_hands_ctrl_c_on_as_an_interrupt():
    with pytest.raises(KeyboardInterrupt):
        WindowsReader(FakeMsvcrt("\x03"), mouse=False).pressed(0.0)


@pytest.mark.parametrize("prefix", ["\x00", "\xe0"])  # the number pad's keys, and the grey keys beside it
def test_the_windows_reader_names_every_special_key_after_either_prefix(prefix):
    names = {"H": "up", "P": "down", "M": "right", "K": "left", "I": "pageup", "Q": "pagedown", "G": "home", "O": "end"}
    assert set(names) == set(WindowsReader.SPECIAL)
    typed = "".join(prefix + code for code in names)
    assert WindowsReader(FakeMsvcrt(typed), mouse=False).events(0.0) == list(names.values())


def test_the_windows_reader_drops_a_special_key_it_has_no_name_for_and_reads_on():
    # F1 (";" after the prefix) and Insert ("R") mean nothing to nncli; the keys after them still count
    reader = WindowsReader(FakeMsvcrt("\x00;q\xe0Rn\x08\x1b"), mouse=False)
    assert reader.events(0.0) == ["q", "n", "backspace", "\x1b"]


def test_the_windows_reader_hands_ctrl_c_on_even_after_other_keys():
    reader = WindowsReader(FakeMsvcrt("ab\x03c"), mouse=False)
    with pytest.raises(KeyboardInterrupt):
        reader.pressed(0.0)


def test_the_windows_reader_waits_for_a_key_and_reads_mouse_reports_as_an_xterm_sends_them():
    class Later(FakeMsvcrt):
        """Nothing typed for the first few looks, as while the user reaches for the keyboard."""

        def __init__(self, typed, looks):
            super().__init__(typed)
            self.looks = looks

        def kbhit(self):
            self.looks -= 1
            return self.looks < 0 and super().kbhit()

    reader = WindowsReader(Later("\r\x1b[<2;10;5M", looks=3), mouse=False)
    assert reader.events(None) == ["enter", Mouse("press", "right", 9, 4)]  # the console's VT input
    assert reader.events(0.0) == []


def test_where_msvcrt_imports_the_windows_reader_is_chosen_and_works_without_the_console_mode(terminal, monkeypatch):
    stream, _ = terminal
    monkeypatch.setitem(sys.modules, "msvcrt", FakeMsvcrt(" q"))
    with open_input(stream, io.StringIO(), mouse=True) as reader:  # no console to switch: keys without the mouse
        assert isinstance(reader, WindowsReader) and reader.console is None
        assert reader.events(0.0) == ["space", "q"]


def test_no_terminal_no_reader(tmp_path):
    with open(tmp_path / "typed", "w+") as stream, open_input(stream) as reader:
        assert reader is None


@pytest.fixture
def terminal():
    """A pseudo-terminal: (the program's side as a file, the user's side's descriptor)."""
    pty = pytest.importorskip("pty")
    leader, follower = pty.openpty()
    stream = os.fdopen(follower, "r")
    yield stream, leader
    stream.close()
    os.close(leader)


def test_the_posix_reader_reads_keys_and_mouse_and_restores_the_terminal(terminal, tmp_path):
    import termios

    stream, user = terminal
    before = termios.tcgetattr(stream.fileno())
    with open(tmp_path / "out", "w") as out:
        with open_input(stream, out, mouse=True) as reader:
            assert termios.tcgetattr(stream.fileno())[3] & termios.ECHO == 0  # keys are not echoed
            os.write(user, b"q\x1b[<0;3;4M")
            assert reader.events(1.0) == ["q", Mouse("press", "left", 2, 3)]
            assert reader.events(0.0) == []
    assert termios.tcgetattr(stream.fileno()) == before
    assert (tmp_path / "out").read_text() == MOUSE_ON + MOUSE_OFF


def test_the_terminal_is_restored_when_the_block_fails(terminal, tmp_path):
    import termios

    stream, _ = terminal
    before = termios.tcgetattr(stream.fileno())
    with pytest.raises(KeyboardInterrupt), open_input(stream, sys.stderr) as reader:
        assert reader is not None
        raise KeyboardInterrupt
    assert termios.tcgetattr(stream.fileno()) == before


def test_without_termios_or_msvcrt_there_is_no_input(terminal, monkeypatch):
    stream, _ = terminal
    monkeypatch.setitem(sys.modules, "termios", None)  # what Windows has of it: an ImportError
    monkeypatch.setitem(sys.modules, "tty", None)
    with open_input(stream) as reader:
        assert reader is None
