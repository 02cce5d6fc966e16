"""The live page (`--serve`): a run's pictures in a browser as it trains, drawn by the
vector back end from the same frames the live panel draws.

`live_page` is the page itself: it holds the latest picture as plain HTML (a browser that
runs no script still shows it) and a script that takes each new frame from the server's
stream of server-sent events (`/events`), says when the run has ended, and sends the
buttons and keys — pause, one epoch, stop — back to the run (`POST /key`). Its
Content-Security-Policy lets it talk to the server it came from and to nothing else.
`frame_event` turns one frame's pictures into what the stream carries.
"""

import html

from nncli.render.vector.marks import THEME_CSS, escape
from nncli.render.vector.page import FRAME_CSS, TERMINAL_BLOCK, markup, script_json


def frame_event(pictures, label, sheet):
    """The stream's frame: `pictures` (views' Numbers) as page markup, the `label` line
    under them (the epoch and its numbers), and the CSS of the pictures that have only a
    terminal drawing (`sheet`, a render.html.StyleSheet, grows as new styles are met)."""
    return {"html": "".join(markup(picture, sheet) for picture in pictures), "label": label, "css": sheet.css()}


def live_page(title, latest=None):
    """The page of the run called `title`, showing the frame event `latest` (or a line
    saying that the first frame is coming)."""
    latest = latest or {"html": "<p>the first picture is on its way…</p>", "label": "", "css": ""}
    return PAGE.format(
        title=escape(title, 1000),
        theme=THEME_CSS,
        frame_css=FRAME_CSS,
        terminal_block=TERMINAL_BLOCK,
        terminal_css=latest["css"],
        first=latest["html"],
        label=html.escape(latest["label"]),
        keys=script_json(KEYS),
    )


# A key pressed on the page → what it asks of the run (the names the server takes).
KEYS = {" ": "pause", "n": "step", "ArrowRight": "step", "q": "quit"}

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:;
  style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
{theme}
{frame_css}
#label {{ flex: 1; font-variant-numeric: tabular-nums; min-width: 22em; }}
#state {{ font-weight: 600; }}
{terminal_block}
</style>
<style id="terminal-css">{terminal_css}</style>
</head>
<body>
<header>
  <h1>{title}</h1>
  <button type="button" data-key="pause">pause</button>
  <button type="button" data-key="step">one epoch</button>
  <button type="button" data-key="quit">stop</button>
  <span id="label">{label}</span>
  <span id="state">live</span>
  <button id="theme" type="button">light/dark</button>
</header>
<main id="frame">{first}</main>
<script>
"use strict";
const keys = {keys};
const picture = document.getElementById("frame");
const label = document.getElementById("label");
const state = document.getElementById("state");
const sheet = document.getElementById("terminal-css");
const buttons = document.querySelectorAll("button[data-key]");
let ended = false;
function press(name) {{
  if (!ended) fetch("/key", {{ method: "POST", body: name }}).catch(() => {{}});
}}
buttons.forEach((button) => button.addEventListener("click", () => press(button.dataset.key)));
document.addEventListener("keydown", (event) => {{
  if (event.key in keys) {{ event.preventDefault(); press(keys[event.key]); }}
}});
document.getElementById("theme").addEventListener("click", () => {{
  const root = document.documentElement;
  const dark = root.dataset.theme ? root.dataset.theme === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
  root.dataset.theme = dark ? "light" : "dark";
}});
const source = new EventSource("/events");
source.addEventListener("frame", (event) => {{
  const frame = JSON.parse(event.data);
  picture.innerHTML = frame.html;
  label.textContent = frame.label;
  sheet.textContent = frame.css;
}});
source.addEventListener("end", (event) => {{
  ended = true;
  source.close();
  state.textContent = "the run has ended: " + JSON.parse(event.data).ending;
  buttons.forEach((button) => {{ button.disabled = true; }});
}});
source.addEventListener("error", () => {{
  if (!ended) state.textContent = "no connection to nncli (the run may have ended)";
}});
source.addEventListener("open", () => {{ if (!ended) state.textContent = "live"; }});
</script>
</body>
</html>
"""
