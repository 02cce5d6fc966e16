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


# --- text for an output that cannot encode it ---------------------------------------------

ASCII_FALLBACK = "nncli-ascii"  # the name of the codec error handler below
ASCII_FOR = {
    "·": "*",  # a product (m·x); as a separator (" · ") it reads as well
    "−": "-",
    "–": "-",
    "—": "-",
    "±": "+/-",
    "×": "x",
    "÷": "/",
    "…": "...",
    "⋮": ":",
    "→": "->",
    "←": "<-",
    "↑": "^",
    "↓": "v",
    "✓": "v",  # one cell, as the mark was: a table keeps its columns
    "✗": "x",
    "∂": "d",
    "Σ": "sum",
    "√": "sqrt",
    "‖": "||",
    "≈": "~",
    "≤": "<=",
    "≥": ">=",
    "°": " deg",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "•": "*",
    "●": "o",
    "○": "o",
    "◆": "*",
    "⊙": "(.)",
    "⊗": "(x)",
    "\u0302": "^",  # a combining hat: x̂, and ŷ once taken apart, become x^ and y^
    "░": ".",
    "▒": ":",
    "▓": "#",
    "█": "#",
    "▀": '"',  # the half block of a coloured heatmap
    **dict(zip("▁▂▃▄▅▆▇", "_.-=+*%")),  # a sparkline's levels, lowest first (█ is #)
}
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᵀᵢⁱʲᵏᶻ"


def ascii_equivalent(ch, before=""):
    """An ASCII stand-in for the character `ch` (σ → sigma, ₁ → 1, x² → x^2, ▓ → #, a
    braille cell → . or :, box lines → - | +); `before` is the character in front of it,
    so that a run of superscripts takes one ^."""
    import unicodedata

    if ch in ASCII_FOR:
        return ASCII_FOR[ch]
    name = unicodedata.name(ch, "")
    if 0x2800 <= ord(ch) <= 0x28FF:  # braille: as many dots as it has, roughly
        dots = bin(ord(ch) - 0x2800).count("1")
        return " " if dots == 0 else "." if dots <= 2 else ":"
    if name.startswith("BOX DRAWINGS"):
        return box_equivalent(name)
    if name.startswith(("GREEK SMALL LETTER", "GREEK CAPITAL LETTER")):
        letter = name.split()[-1].lower()
        return letter.capitalize() if "CAPITAL" in name else letter
    if name.startswith("MICRO SIGN"):
        return "u"
    if ch in SUPERSCRIPTS:
        plain = unicodedata.normalize("NFKC", ch)
        plain = ASCII_FOR.get(plain, plain)  # ⁻ is a − raised
        return plain if before in SUPERSCRIPTS else "^" + plain
    plain = unicodedata.normalize("NFKD", ch)  # ₁ → 1, ① → 1, é → e + an accent
    text = "".join(ASCII_FOR.get(part, part) for part in plain if part.isascii() or part in ASCII_FOR)
    return text or "?"


def box_equivalent(name):
    """A line of a box or a diagram, by its Unicode name: - | + / \\."""
    if "DIAGONAL UPPER RIGHT TO LOWER LEFT" in name:
        return "/"
    if "DIAGONAL" in name:
        return "\\"
    horizontal, vertical = "HORIZONTAL" in name, "VERTICAL" in name
    if horizontal and not vertical and "AND" not in name:
        return "-"
    if vertical and not horizontal and "AND" not in name:
        return "|"
    return "+"


def _ascii_fallback(error):
    """The codec error handler: what could not be encoded, in ASCII stand-ins."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object
    replaced = "".join(
        ascii_equivalent(text[i], text[i - 1] if i else "") if not 0xD800 <= ord(text[i]) <= 0xDFFF else "?"
        for i in range(error.start, error.end)
    )
    return replaced, error.end


def ascii_fallback():
    """The name of the codec error handler that writes ASCII stand-ins for characters an
    output cannot encode (registered on first use)."""
    import codecs

    codecs.register_error(ASCII_FALLBACK, _ascii_fallback)
    return ASCII_FALLBACK
