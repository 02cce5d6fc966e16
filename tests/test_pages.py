"""The vector pictures and the pages drawn from them: shapes from the views' numbers, text
escaped, and — in a real headless Chromium where one is installed — pages that fill the
window, run without script errors and make no request."""

import re
import shutil
import struct
import xml.dom.minidom
import zlib
from pathlib import Path

import numpy as np
import pytest
from conftest import browser, probe_in_browser, run

from nncli.render.vector import svg
from nncli.render.vector.marks import DIVERGING, colours, png, round_ticks
from nncli.render.vector.page import replay_page, svg_file
from nncli.tasks import get_task
from nncli.views.loss import LossHistory
from nncli.views.plane import Boundary, NeuronTiles

HOSTILE = "\"'><img src=x onerror=alert(1)><svg onload=alert(2)>&amp;"


def tiles(inputs=("x1", "x2")):
    grid = [[0.0, 0.5], [-0.5, 1.0]]
    return NeuronTiles([0.0, 1.0], [1.0, 0.0], "tanh", [{"weight": [1.0, -2.0], "bias": 0.5, "output": grid}], inputs)


def read_png(data):
    """(rows, cols, RGB array) of a PNG written by `png`: unfiltered 8-bit truecolour rows."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    cols, rows = struct.unpack(">II", data[16:24])
    start = data.index(b"IDAT") + 4
    length = struct.unpack(">I", data[start - 8 : start - 4])[0]
    raw = zlib.decompress(data[start : start + length])
    lines = [raw[i * (3 * cols + 1) : (i + 1) * (3 * cols + 1)] for i in range(rows)]
    assert all(line[0] == 0 for line in lines)
    return np.frombuffer(b"".join(line[1:] for line in lines), np.uint8).reshape(rows, cols, 3)


def test_a_png_holds_the_colours_it_was_given():
    rgb = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3) * 13
    assert np.array_equal(read_png(png(rgb)), rgb)


def test_the_diverging_scale_is_grey_in_the_middle_and_runs_blue_to_orange():
    low, middle, high = colours([0.0, 0.5, 1.0])
    assert tuple(low) == DIVERGING[0] and tuple(high) == DIVERGING[-1]
    assert len(set(middle.tolist())) == 1 and 100 <= middle[0] <= 200  # grey, seen on white and on black


@pytest.mark.parametrize(("low", "high"), [(0, 1), (-0.83, 0.83), (3e-4, 2.7), (1, 300), (-5, -4.99)])
def test_ticks_are_round_and_inside_the_range(low, high):
    ticks = round_ticks(low, high)
    assert 2 <= len(ticks) <= 7 and all(low - 1e-12 <= t <= high + 1e-12 for t in ticks)
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0])
    mantissa = steps[0] / 10 ** np.floor(np.log10(steps[0]))
    assert any(np.isclose(mantissa, m) for m in (1, 2, 5))


def test_the_boundary_is_an_image_of_its_grid_with_the_half_line_and_marked_points():
    z = [[0.0, 0.2, 1.0], [0.1, 0.6, 0.9], [0.0, 0.5, 0.4]]
    drawn = svg(Boundary([0.0, 0.5, 1.0], [1.0, 0.5, 0.0], z, [[0.0, 1.0, 0, 0], [1.0, 0.0, 1, 1]]))
    data = re.search(r'href="data:image/png;base64,([^"]+)"', drawn).group(1)
    import base64

    assert np.array_equal(read_png(base64.b64decode(data)), colours(np.asarray(z)))
    assert re.search(r'class="contour" d="M[\d.]+,[\d.]+L', drawn)  # where the output crosses 0.5
    assert "<circle" in drawn and "mark hollow" in drawn  # a class-0 point; a held-out one hollow
    xml.dom.minidom.parseString(svg_file([drawn], "t"))


def test_text_from_outside_is_escaped_in_pictures_and_files():
    drawn = svg(tiles([HOSTILE, "x2"]))
    assert "<img" not in drawn and "<svg onload" not in drawn and "onerror=alert(1)&gt;" in drawn
    document = svg_file([drawn, svg(LossHistory([]))], HOSTILE + "\x1b[31m")
    parsed = xml.dom.minidom.parseString(document)  # well-formed: no control character, no break-out
    assert not parsed.getElementsByTagName("img") and len(parsed.getElementsByTagName("svg")) == 3


def test_visualize_svg_draws_shapes_and_asks_for_nothing_from_the_network(xor_model, tmp_path):
    target = tmp_path / "xor.svg"
    assert run("visualize", xor_model, "--svg", target).exit_code == 0
    text = target.read_text()
    assert "https://" not in text and "@font-face" not in text
    assert "data:image/png;base64," in text and "<polyline" in text  # the boundary's image, the loss's line
    xml.dom.minidom.parseString(text)


# Put first in <head> of a copy of a page: records script errors and blocked requests,
# measures what the pictures cover, and writes it into the DOM for --dump-dom to print.
PROBE = """<script>
window.__errors = [];
window.addEventListener("error", (e) => window.__errors.push(String(e.message)));
document.addEventListener("securitypolicyviolation", (e) => window.__errors.push("blocked " + e.blockedURI));
window.addEventListener("load", () => {
  let left = Infinity, right = -Infinity, top = Infinity, bottom = -Infinity;
  const first = document.querySelector(".pictures:has(svg)");  // a lesson's first picture
  for (const shape of document.querySelectorAll("#frame svg > *, .pictures:has(svg) svg > *")) {
    if (shape.closest(".pictures") && shape.closest(".pictures") !== first) continue;
    const box = shape.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    left = Math.min(left, box.left); right = Math.max(right, box.right);
    top = Math.min(top, box.top); bottom = Math.max(bottom, box.bottom);
  }
  const out = document.createElement("output");
  out.id = "probe";
  out.textContent = JSON.stringify({
    errors: window.__errors, width: window.innerWidth, height: window.innerHeight,
    left, right, top, bottom, title: document.querySelector("h1").textContent,
    scripts: document.scripts.length, images: document.querySelectorAll("img").length,
    handlers: document.querySelectorAll("[onload], [onerror]").length,
  });
  document.body.appendChild(out);
});
</script>"""


def open_in_browser(page, tmp_path, size):
    """What PROBE saw of `page` in headless Chromium at `size` (width, height)."""
    return probe_in_browser(page, PROBE, tmp_path, size)


@pytest.mark.skipif(browser() is None, reason="no Chromium installed")
@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_a_replay_page_fills_the_window_offline_without_errors(xor_model, tmp_path, size):
    named = Path(shutil.copy(xor_model, tmp_path / (HOSTILE + ".npz")))
    page = tmp_path / "replay.html"
    assert run("replay", named, "--html", page).exit_code == 0
    seen = open_in_browser(page, tmp_path, size)
    assert seen["errors"] == []
    assert seen["width"] == size[0]
    assert (seen["right"] - seen["left"]) / seen["width"] > 0.8  # the pictures span most of the width …
    assert seen["bottom"] <= seen["height"] and (seen["bottom"] - seen["top"]) / seen["height"] > 0.6  # … on screen
    assert HOSTILE in seen["title"]  # the file's name shown as text …
    assert seen["scripts"] == 2 and seen["images"] == 0 and seen["handlers"] == 0  # … never as markup


@pytest.mark.skipif(browser() is None, reason="no Chromium installed")
def test_a_page_shows_its_first_frame_and_numbers_without_scripts(tmp_path):
    frames = [{"epoch": e, "loss": 1.0 / (e + 1), "html": svg(tiles([HOSTILE, "x2"]))} for e in range(3)]
    text = replay_page("t", frames)
    page = tmp_path / "page.html"
    page.write_text(re.sub(r"<script>.*?</script>", "", text, flags=re.S))  # as if scripts were off
    assert "<svg" in page.read_text().split('<main id="frame">')[1].split("</main>")[0]
    assert "<td>2</td><td>0.333333</td>" in text
    seen = open_in_browser(page, tmp_path, (1280, 720))
    assert seen["errors"] == [] and seen["right"] - seen["left"] > 0 and seen["images"] == 0


@pytest.fixture(scope="module")
def lesson_pages(tmp_path_factory):
    """Lessons 1 and 6 (quick) written as pages, with stdout not a terminal."""
    folder = tmp_path_factory.mktemp("lessons")
    for number in ("1", "6"):
        result = run("learn", number, "--quick", "--html", folder / f"{number}.html", "--svg", folder / f"{number}.svg")
        assert result.exit_code == 0, result.stderr
    return folder


def test_a_static_lesson_page_says_what_the_keys_did_instead_of_asking(lesson_pages):
    text = (lesson_pages / "1.html").read_text()
    assert "Press the keys" not in text
    assert "On a terminal, ↑ (↑ ↓ w ± 0.5) makes it: w = 1.5" in text  # w starts at 1
    assert re.search(r"\.s\d+ \{[^}]*color: #[0-9a-f]{6}", text)  # in colour, though stdout is no terminal
    assert not re.search(r"src\s*=|https?://|@import|url\(", text.replace("http-equiv", ""))


def test_a_lesson_s_svg_draws_its_views_through_the_vector_back_end(lesson_pages):
    document = xml.dom.minidom.parse(str(lesson_pages / "6.svg"))
    labels = [s.getAttribute("aria-label") for s in document.getElementsByTagName("svg")]
    page = (lesson_pages / "6.html").read_text()
    boundaries = labels.count("Decision boundary: the network's output over the input plane")
    assert boundaries == page.count('aria-label="Decision boundary') >= 2  # as shapes, as on the page
    texts = "".join(node.data for t in document.getElementsByTagName("text") for node in t.childNodes)
    assert "1/7 · One neuron draws one line" in texts and "Press the keys" not in texts


@pytest.mark.skipif(browser() is None, reason="no Chromium installed")
def test_lesson_6_draws_its_boundaries_as_shapes_across_the_page(lesson_pages, tmp_path):
    page = lesson_pages / "6.html"
    assert page.read_text().count('<svg class="view"') >= 3
    seen = open_in_browser(page, tmp_path, (1280, 720))
    assert seen["errors"] == [] and seen["images"] == 0
    # The first boundary is shown whole in the window's height; a window is wider than the
    # picture (square plot, key beside it), so that spans more than half its width, not all.
    assert seen["bottom"] - seen["top"] <= seen["height"] and (seen["right"] - seen["left"]) / seen["width"] > 0.5


@pytest.mark.parametrize(
    "command",
    [
        ["train", "linreg", "--epochs", "20"],  # the fit, the landscape, the loss, the health
        ["train", "spiral", "--epochs", "5"],  # the class map, the neuron tiles, the hidden space, …
        ["approx", "sin", "--epochs", "20"],  # the curve, the neurons' curves, …
        ["train", "digits", "--epochs", "2"],  # the digits, the confusion matrix, the filters, …
        ["train", "digits", "--conv", "2,4", "--epochs", "1"],  # … the kernels and the feature maps
    ],
    ids=["linreg", "spiral", "approx", "digits", "conv"],
)
def test_every_view_of_every_task_is_drawn_as_shapes_in_its_svg(tmp_path, command):
    model = tmp_path / "m.npz"
    assert run(*command, "-q", "--save", model).exit_code == 0
    target = tmp_path / "m.svg"
    drawn = run("visualize", model, "--svg", target)
    assert drawn.exit_code == 0, drawn.stderr
    text = target.read_text()
    document = xml.dom.minidom.parseString(text)
    views = [s for s in document.getElementsByTagName("svg") if s.getAttribute("class") == "view"]
    task = get_task("approx" if command[0] == "approx" else command[1])
    assert len(views) == len(task.views) and "https://" not in text  # none left as a terminal's glyphs


def test_a_flat_output_draws_no_boundary_line_and_says_so():
    flat = [[0.5 + 1e-7 * (i - j) for j in range(4)] for i in range(4)]  # rounding noise about 0.5
    drawn = svg(Boundary([0, 1, 2, 3], [3, 2, 1, 0], flat, []))
    assert 'class="contour"' not in drawn and "output ≈ 0.5 everywhere" in drawn


@pytest.mark.skipif(browser() is None, reason="no Chromium installed")
def test_visualize_html_is_a_page_of_the_views_that_opens_offline(xor_model, tmp_path):
    page = tmp_path / "xor.html"
    drawn = run("visualize", xor_model, "--html", page)
    assert drawn.exit_code == 0, drawn.stderr
    text = page.read_text()
    assert text.count('<svg class="view"') == len(get_task("xor").views)  # every view drawn as shapes
    assert not re.search(r"src\s*=|https?://|@import|url\(", text.replace("http-equiv", ""))
    seen = open_in_browser(page, tmp_path, (1280, 720))
    assert seen["errors"] == [] and (seen["right"] - seen["left"]) / seen["width"] > 0.5
