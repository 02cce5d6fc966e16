"""Pages and files of vector pictures: the replay page (every frame, play/pause, a slider,
arrow keys, the epoch and the loss) and a standalone SVG file of several pictures.

A page loads nothing: its Content-Security-Policy allows no request at all (images only
from data: URIs inside it, its one script and style inline). Its pictures scale with the
window. The first frame and every frame's epoch and loss are in the page as plain HTML, so
a browser that runs no script (or a script error) still shows pictures and numbers.
"""

import html
import json
import re

from nncli.render.vector import svg
from nncli.render.vector.marks import THEME_CSS, Figure, escape


def script_json(value):
    """`value` as JSON that can sit inside a <script>: no <, > or & in it to close it."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def replay_page(title, frames, terminal_css=""):
    """The page for `frames`: a list of {"epoch", "loss", "html"} (the frame's pictures as
    markup). `terminal_css` styles pictures that have only a terminal drawing."""
    rows = "".join(
        f"<tr><td>{frame['epoch']:,}</td><td>{frame['loss']:.6g}</td></tr>" for frame in frames
    )  # fmt: skip
    first = frames[0] if frames else {"epoch": 0, "loss": float("nan"), "html": ""}
    return PAGE.format(
        title=escape(title, 1000),
        theme=THEME_CSS,
        frame_css=FRAME_CSS,
        terminal_block=TERMINAL_BLOCK,
        terminal_css=terminal_css,
        frames=script_json(frames),
        first=first["html"],
        label=html.escape(f"epoch {first['epoch']:,}  ·  training loss {first['loss']:.6g}"),
        rows=rows,
        count=len(frames),
    )


def markup(picture, sheet, width=100):
    """A picture as page markup: `picture` is a view's Numbers, a renderable that keeps its
    view's `numbers`, or any Rich renderable. Drawn as shapes where the view has a vector
    drawing; otherwise as the terminal draws it, in true colour on a dark block whatever
    the terminal running nncli (its styles collected in `sheet`, a render.html.StyleSheet)."""
    from nncli.render.html import frame_html

    drawn = vector(picture)
    if drawn is not None:
        return drawn
    return f'<pre class="terminal">{frame_html([terminal(picture, width)], sheet, width)}</pre>'


def picture_svg(picture, width=100):
    """A picture (as `markup` takes it) as one `<svg>` element: shapes where the view has a
    vector drawing, else the terminal's picture recorded as SVG."""
    from nncli.render.svg import to_svg

    drawn = vector(picture)
    return drawn if drawn is not None else to_svg([terminal(picture, width)], title="", width=max(width, 100))


def vector(picture):
    """The vector drawing of a picture's numbers, or None."""
    from nncli.views import Numbers

    numbers = picture if isinstance(picture, Numbers) else getattr(picture, "numbers", None)
    return svg(numbers) if numbers is not None else None


def terminal(picture, width):
    """A picture as a Rich renderable."""
    from nncli.render import draw
    from nncli.views import Numbers

    return draw(picture, width) if isinstance(picture, Numbers) else picture


def svg_file(pictures, title):
    """One standalone SVG document holding `pictures` (`<svg>` elements with a viewBox,
    vector or a terminal's) one under another, in the theme of the system it is opened on."""
    placed, top, width = [], 40, 0
    for picture in pictures:
        w, h = (float(n) for n in re.match(r'<svg class="[\w-]+" viewBox="0 0 ([\d.]+) ([\d.]+)"', picture).groups())
        placed.append(picture.replace("<svg ", f'<svg x="0" y="{top:g}" width="{w:g}" height="{h:g}" ', 1))
        top, width = top + h + 20, max(width, w)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="nncli-theme" viewBox="0 0 {width:g} {top:g}"'
        f' width="{width:g}" height="{top:g}"><style>{THEME_CSS}</style>'
        f'<rect width="100%" height="100%" fill="var(--paper)"/>'
        '<text x="10" y="26" font-size="18" fill="var(--ink)" font-family="system-ui, sans-serif">'
        f"{escape(title, 1000)}</text>" + "".join(placed) + "</svg>\n"
    )


# A terminal's picture in a page: dark, as on the terminal it was drawn for, so its
# palette's near-white middle stays visible whatever the page's theme.
# The layout every page of frames shares (a replay, the live page): a header over the
# pictures, the first picture the widest, every picture scaled to its share of the window.
FRAME_CSS = """html, body { margin: 0; height: 100%; background: var(--paper); color: var(--ink);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
body { display: flex; flex-direction: column; padding: 0 1.5vw; box-sizing: border-box; }
header { display: flex; flex-wrap: wrap; gap: 0.6em 1.2em; align-items: center; padding: 0.6em 0; }
h1 { font-size: 1.1em; font-weight: 600; margin: 0; }
button { font: inherit; min-width: 5.5em; padding: 0.2em 0.6em; }
#frame { flex: 1; min-height: 0; display: flex; gap: 1.5vw; align-items: stretch; }
#frame > * { flex: 1 1 0; min-width: 0; min-height: 0; }
#frame > :first-child { flex-grow: 1.5; }  /* the main picture: the others are its details */
#frame svg { width: 100%; height: 100%; display: block; }"""


TERMINAL_BLOCK = """pre.terminal { overflow: auto; margin: 0; background: #272822; color: #d9d9d9;
  padding: 0.5em; font-size: 12px; line-height: 1.15;
  font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
{theme}
{frame_css}
#slider {{ flex: 1; min-width: 12em; }}
#label {{ font-variant-numeric: tabular-nums; min-width: 22em; }}
{terminal_block}
details {{ padding: 0.5em 0 1em; }}
table {{ border-collapse: collapse; font-variant-numeric: tabular-nums; }}
td, th {{ padding: 0.1em 1em; text-align: right; }}
{terminal_css}
</style>
</head>
<body>
<header>
  <h1>{title}</h1>
  <button id="play" type="button">play</button>
  <input id="slider" type="range" min="0" max="{count}" value="0" step="1" aria-label="frame">
  <span id="label">{label}</span>
  <button id="theme" type="button">light/dark</button>
</header>
<main id="frame">{first}</main>
<details><summary>Every frame's numbers ({count} frames; space plays and pauses, ← → step)</summary>
<table><thead><tr><th>epoch</th><th>training loss</th></tr></thead><tbody>{rows}</tbody></table>
</details>
<script>
"use strict";
const frames = {frames};
const slider = document.getElementById("slider");
const label = document.getElementById("label");
const picture = document.getElementById("frame");
const button = document.getElementById("play");
let timer = null;
function show(index) {{
  const frame = frames[index];
  picture.innerHTML = frame.html;
  label.textContent = "epoch " + frame.epoch.toLocaleString("en") + "  \\u00b7  training loss "
    + frame.loss.toPrecision(6) + "  (" + (index + 1) + "/" + frames.length + ")";
}}
function stop() {{ clearInterval(timer); timer = null; button.textContent = "play"; }}
function play() {{
  if (Number(slider.value) >= frames.length - 1) slider.value = 0;
  button.textContent = "pause";
  timer = setInterval(() => {{
    const next = Number(slider.value) + 1;
    if (next >= frames.length) {{ stop(); return; }}
    slider.value = next; show(next);
  }}, 1000 / 8);
}}
slider.max = frames.length - 1;
slider.addEventListener("input", () => {{ stop(); show(Number(slider.value)); }});
button.addEventListener("click", () => (timer === null ? play() : stop()));
document.getElementById("theme").addEventListener("click", () => {{
  const root = document.documentElement;
  const dark = root.dataset.theme ? root.dataset.theme === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
  root.dataset.theme = dark ? "light" : "dark";
}});
document.addEventListener("keydown", (event) => {{
  if (event.key === " ") {{ event.preventDefault(); button.click(); }}
  if (event.key === "ArrowRight" || event.key === "ArrowLeft") {{
    event.preventDefault();
    stop();
    const step = event.key === "ArrowRight" ? 1 : -1;
    slider.value = Math.min(frames.length - 1, Math.max(0, Number(slider.value) + step));
    show(Number(slider.value));
  }}
}});
show(0);
</script>
</body>
</html>
"""


KEY_NAMES = {"up": "↑", "down": "↓", "left": "←", "right": "→", "space": "space", "enter": "enter"}
ASKS_FOR_KEYS = "Press the keys"


def lesson_parts(screens):
    """A lesson's screens as a static page or file shows them: per screen, its heading, its
    text without the lines asking for keys, its pictures, and for a screen that takes keys
    what each key did — (what was pressed, the pictures it made) — pressed once."""
    for index, screen in enumerate(screens):
        paragraphs = [p for p in screen.text.split("\n\n") if not p.startswith(ASKS_FOR_KEYS)]
        lines = {}  # a line of the footer → the first key it names
        for key, (line, _) in screen.keys.items():
            lines.setdefault(line, key)
        pressed = []
        for line, key in lines.items():
            after = screen.keys[key][1]()
            said = ", ".join(f"{name} = {value_text(value)}" for name, value in after.numbers.items())
            pressed.append((f"On a terminal, {KEY_NAMES.get(key, key)} ({line}) makes it: {said}", after.pictures))
        yield f"{index + 1}/{len(screens)} · {screen.title}", "\n\n".join(paragraphs), screen.pictures, pressed


def lesson_page(title, screens, width=100):
    """A lesson as one static page: every screen's text and pictures, and for a screen that
    takes keys, what each key did instead of asking for them."""
    from nncli.render.html import StyleSheet

    sheet = StyleSheet()
    sections = []
    for heading, text, pictures, pressed in lesson_parts(screens):
        parts = [
            f"<h2>{escape(heading)}</h2>",
            f'<div class="text">{escape_lines(text)}</div>',
            '<div class="pictures">' + "".join(markup(p, sheet, width) for p in pictures) + "</div>",
        ]
        for said, after in pressed:
            parts.append(f"<h3>{escape(said, 2000)}</h3>")
            parts.append('<div class="pictures">' + "".join(markup(p, sheet, width) for p in after) + "</div>")
        sections.append("<section>" + "".join(parts) + "</section>")
    return STATIC_PAGE.format(
        title=escape(title, 1000), theme=THEME_CSS, terminal_block=TERMINAL_BLOCK, terminal_css=sheet.css(),
        sections="".join(sections),
    )  # fmt: skip


def lesson_svg(title, screens, width=100):
    """A lesson as one SVG file: what its page shows, screen under screen."""
    drawn = []
    for heading, text, pictures, pressed in lesson_parts(screens):
        drawn.append(text_block(heading, text))
        drawn += [picture_svg(p, width) for p in pictures]
        for said, after in pressed:
            drawn.append(text_block(said, ""))
            drawn += [picture_svg(p, width) for p in after]
    return svg_file(drawn, title)


def text_block(heading, text, columns=100):
    """A heading and text as an `<svg>` of lines, wrapped at `columns` characters; lines
    that start with spaces (a formula written out) keep them."""
    import textwrap

    lines = []
    for line in text.split("\n"):
        indent = len(line) - len(line.lstrip(" "))
        lines += textwrap.wrap(line, columns, subsequent_indent=" " * indent, drop_whitespace=False) or [""]
    figure = Figure(1000, 50 + 24 * len(lines), heading)
    figure.text(10, 28, heading, 21)
    for k, line in enumerate(lines):
        figure.text(10, 60 + 24 * k, line.rstrip(), 17, cls="pre")
    return figure.svg()


def pictures_page(title, pictures, width=100):
    """A static page of pictures (views' Numbers or renderables), one under another, each
    as wide as the window allows and whole in its height."""
    from nncli.render.html import StyleSheet

    sheet = StyleSheet()
    sections = "".join(f'<div class="pictures">{markup(p, sheet, width)}</div>' for p in pictures)
    return STATIC_PAGE.format(
        title=escape(title, 1000), theme=THEME_CSS, terminal_block=TERMINAL_BLOCK, terminal_css=sheet.css(),
        sections=sections,
    )  # fmt: skip


def escape_lines(text):
    """`text` escaped line by line, its line breaks kept (the page shows them)."""
    return "\n".join(escape(line, 2000) for line in text.split("\n"))


def value_text(value):
    return f"{value:.4g}" if isinstance(value, float) else str(value)


STATIC_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
{theme}
html, body {{ margin: 0; background: var(--paper); color: var(--ink);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }}
body {{ padding: 0 2vw 2em; font-size: clamp(15px, 1.3vw, 24px); }}
h1 {{ font-size: 1.4em; }}
h2 {{ font-size: 1.2em; border-top: 1px solid var(--faint); padding-top: 0.8em; }}
h3 {{ font-size: 1em; font-weight: 600; }}
.text {{ white-space: pre-wrap; line-height: 1.45; max-width: 70em; }}
.pictures {{ display: flex; flex-wrap: wrap; gap: 1.5vw; align-items: flex-start; margin: 1em 0; }}
.pictures > svg {{ flex: 1 1 40em; max-height: 88vh; }}
.pictures > pre {{ max-width: 100%; }}
{terminal_block}
{terminal_css}
</style>
</head>
<body>
<h1>{title}</h1>
{sections}
</body>
</html>
"""
