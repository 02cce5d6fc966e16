"""Text from outside — a model file, a file name, an argument — shown as inert text.

Anything nncli did not write itself may hold escape sequences (which retitle or clear a
terminal), Rich markup (which restyles the output, makes links, or breaks the drawing half
way) or be megabytes long. Every such string goes through `inert` before it is printed
plainly, and through `markup_safe` before it is handed to Rich.
"""

SHOWN_CHARACTERS = 120  # of one string from outside: room for the message around it


def inert(text, limit=SHOWN_CHARACTERS):
    """`text` as it can be shown literally: control and invisible formatting characters
    written as escapes (ESC becomes \\x1b), cut to `limit` characters with an ellipsis."""
    text = str(text)
    cut = len(text) > limit
    shown = "".join(ch if ch.isprintable() else _escape(ch) for ch in text[:limit])
    return shown + "…" if cut else shown


def markup_safe(text, limit=SHOWN_CHARACTERS):
    """`inert(text)` with Rich markup escaped, so "[red]" is shown as typed."""
    from rich.markup import escape

    return escape(inert(text, limit))


def message_lines(message, lines=2, width=240):
    """An error message fit for stderr: at most `lines` lines of at most `width`
    characters each, every one inert."""
    return "\n".join(inert(line, width) for line in str(message).splitlines()[:lines])


def _escape(ch):
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
