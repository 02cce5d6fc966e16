"""One self-contained HTML page holding every frame of a replay, to open in any browser
offline: the pictures exactly as the terminal draws them, a play/pause button, a slider
over the epochs, and the epoch and loss of the frame shown.

Each frame is the Rich rendering of its views turned into HTML spans; styles are shared
by all frames through one stylesheet of classes, so sixty frames of a 24×24 heatmap stay
a few hundred kilobytes. The page loads nothing: no scripts, fonts or images from
anywhere, and its one script is inline.
"""

import html
import json
from io import StringIO

from rich.console import Console, Group
from rich.terminal_theme import MONOKAI

FRAME_WIDTH = 120


class StyleSheet:
    """CSS classes for the Rich styles met so far: the same style, the same class."""

    def __init__(self):
        self.classes = {}

    def class_of(self, style):
        css = style.get_html_style(MONOKAI) if style else ""
        if not css:
            return None
        return self.classes.setdefault(css, f"s{len(self.classes)}")

    def css(self):
        return "\n".join(f".{name} {{{css}}}" for css, name in self.classes.items())


def frame_html(renderables, sheet, width=FRAME_WIDTH):
    """The renderables drawn as the inner HTML of a <pre>."""
    console = Console(file=StringIO(), width=width, color_system="truecolor", force_terminal=True, legacy_windows=False)
    runs = []  # [class, text]: neighbouring segments of one style become one span
    for segment in console.render(Group(*renderables), console.options):
        name = sheet.class_of(segment.style)
        if runs and runs[-1][0] == name:
            runs[-1][1] += segment.text
        else:
            runs.append([name, segment.text])
    return "".join(
        f'<span class="{name}">{html.escape(text)}</span>' if name else html.escape(text) for name, text in runs
    )


def page(title, frames, sheet):
    """The page for `frames`: a list of {"epoch", "loss", "html"}."""
    data = json.dumps(frames).replace("</", "<\\/")  # a frame's text can never close the script
    return PAGE.format(title=html.escape(title), css=sheet.css(), frames=data)


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>{title}</title>
<style>
body {{ background: #272822; color: #d9d9d9; font-family: monospace; margin: 1.5em; }}
h1 {{ font-size: 1.1em; font-weight: normal; }}
#controls {{ display: flex; gap: 1em; align-items: center; margin: 0.5em 0 1em; }}
#slider {{ flex: 1; max-width: 40em; }}
button {{ font-family: monospace; min-width: 6em; }}
pre {{ line-height: 1.15; font-size: 13px; }}
{css}
</style>
</head>
<body>
<h1>{title}</h1>
<div id="controls">
  <button id="play" type="button">play</button>
  <input id="slider" type="range" min="0" value="0" step="1" aria-label="epoch">
  <span id="label"></span>
</div>
<pre id="frame"></pre>
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
  const loss = "  ·  training loss " + frame.loss.toPrecision(6);
  const count = "  (" + (index + 1) + "/" + frames.length + ")";
  label.textContent = "epoch " + frame.epoch.toLocaleString("en") + loss + count;
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
document.addEventListener("keydown", (event) => {{
  if (event.key === " ") {{ event.preventDefault(); button.click(); }}
  if (event.key === "ArrowRight" || event.key === "ArrowLeft") {{
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
