"""The vector drawings of the views that once had only a terminal picture: each SVG parses,
holds the shapes its numbers call for (a square per confusion cell, a point per curve
sample, a line per weight), escapes text from outside, and opens in a browser cleanly."""

import base64
import json
import re
import xml.dom.minidom

import numpy as np
import pytest
from conftest import browser, probe_in_browser, run
from test_pages import HOSTILE, read_png

from nncli.render.vector import svg
from nncli.render.vector.marks import colours
from nncli.render.vector.page import pictures_page, svg_file
from nncli.views.conv import FeatureMaps, Kernels
from nncli.views.curve import NeuronCurves
from nncli.views.diagram import RankedFilters
from nncli.views.digits import Evaluation, Filters, Samples
from nncli.views.health import health_view
from nncli.views.hidden import HiddenSpace
from nncli.views.probe import Fooled, NeuronProbe, Saliency


def parsed(drawn):
    """The drawing as a DOM, after checking it is well-formed inside a standalone file."""
    xml.dom.minidom.parseString(svg_file([drawn], "t"))
    return xml.dom.minidom.parseString(drawn)


def polylines(document):
    return [[tuple(map(float, p.split(","))) for p in line.getAttribute("points").split()]
            for line in document.getElementsByTagName("polyline")]  # fmt: skip


def images(drawn):
    """The PNG images of a drawing, decoded."""
    return [read_png(base64.b64decode(data)) for data in re.findall(r'href="data:image/png;base64,([^"]+)"', drawn)]


def test_the_confusion_matrix_is_a_square_per_cell_shaded_by_its_share_of_the_row():
    confusion = [[8, 2, 0], [1, 9, 0], [0, 5, 5]]
    drawn = svg(Evaluation({"accuracy": 0.733, "loss": 0.61}, confusion, [0.9, 0.5, 1.0], [0.8, 0.9, 0.5], 8, []))
    cells = [r for r in parsed(drawn).getElementsByTagName("rect") if "fill-opacity" in r.getAttribute("style")]
    assert len(cells) == 9
    opacity = [float(re.search(r"fill-opacity: ([\d.]+)", c.getAttribute("style")).group(1)) for c in cells]
    assert opacity[0] > opacity[1] > opacity[2]  # 8 of 10, 2 of 10, none: row 0, left to right
    assert opacity[7] == opacity[8]  # 5 and 5 of row 2: the same share
    assert "73.30%" in drawn and drawn.count('text-anchor="middle">5<') == 2  # each cell's count written in it


def test_digits_are_images_of_their_pixels_captioned_right_or_wrong():
    pixels = np.linspace(0, 1, 16).reshape(4, 4)
    drawn = svg(Samples(4, [pixels.ravel().tolist()] * 2, [3, 5], [3, 8], [0.97, 0.6]))
    decoded = images(drawn)
    assert len(decoded) == 2 and np.array_equal(decoded[0], colours(pixels, "grey"))
    assert "✓ 3 97%" in drawn and "✗ 8 60%, is 5" in drawn


def test_filters_draw_each_neuron_on_its_own_scale():
    weights = [[0.0, 1.0, -1.0, 0.5], [0.0, 10.0, -10.0, 5.0]]  # the same pattern, ten times larger
    decoded = images(svg(Filters(2, 7, weights)))
    assert np.array_equal(decoded[0], decoded[1]) and decoded[0].shape == (2, 2, 3)
    assert "the first 2 of 7" in svg(Filters(2, 7, weights))


def neuron_curves(samples=50):
    x = np.linspace(-3, 3, samples)
    curves = [np.tanh(x + b).tolist() for b in (-1.0, 0.0, 1.0)]
    sums = [np.sum(curves[:n], axis=0).tolist() for n in (1, 2, 3)]
    return NeuronCurves(x.tolist(), np.sin(x).tolist(), True, 3, "switch", [0, 1, 2], curves, [1, 2, 3], sums,
                        [0.9, 0.5, 0.2], [])  # fmt: skip


def test_neuron_curves_are_polylines_of_every_sample():
    numbers = neuron_curves()
    lines = polylines(parsed(svg(numbers)))
    assert len(lines) == 3 + 1 + 3  # the neurons, the target, the sum at each stage
    assert all(len(line) == 50 for line in lines)
    drawn = svg(numbers)
    assert "3 neurons: max error 0.2" in drawn and "left to right by switch point" in drawn


def test_the_health_view_is_a_line_per_layer_with_a_point_per_epoch():
    layers = [
        {"name": name, "activation": "tanh", "grad_std": 0.1 / (k + 1) / epoch, "act_mean": 0.0, "act_std": 1.0,
         "saturated": 0.1, "update_ratio": -3.2}
        for k, name in enumerate(("0.weight", "2.weight", "4.weight"))
        for epoch in [1]
    ]  # fmt: skip
    stats = [{"epoch": e, "layers": [{**layer, "grad_std": layer["grad_std"] / e} for layer in layers]}
             for e in (1, 2, 5, 9)]  # fmt: skip
    document = parsed(svg(health_view(stats)))
    lines = polylines(document)
    assert len(lines) == 3 and all(len(line) == 4 for line in lines)
    assert all(all(a[1] < b[1] for a, b in zip(line, line[1:])) for line in lines)  # falling: lower on the page
    assert len([c for c in document.getElementsByTagName("circle")]) == 3  # each layer's update ratio on its bar


def test_the_hidden_space_draws_every_grid_line_and_the_decision_line():
    grid = [[[a, b] for a in np.linspace(0, 1, 6)] for b in (0.0, 0.5, 1.0)]
    numbers = HiddenSpace(1, 2, "neurons", ["h₁", "h₂"], [0.0, 0.0], [[1, 0], [0, 1]], 1.0,
                          [[0.2, 0.3, 0, False], [0.8, 0.7, 1, True]], grid,
                          [{"classes": [0, 1], "segment": [[0.0, 1.0], [1.0, 0.0]]}], [0.0, 1.0, 0.0, 1.0])  # fmt: skip
    document = parsed(svg(numbers))
    lines = polylines(document)
    assert [len(line) for line in lines] == [6, 6, 6, 2]  # the grid lines, then the decision line
    assert "hollow: held out" in svg(numbers)


def test_kernels_and_feature_maps_are_one_image_each():
    kernels = Kernels([{"key": "1", "in": 1, "out": 2, "kernel": 3, "kernels": np.ones((2, 1, 3, 3)).tolist()}])
    assert [k.shape for k in images(svg(kernels))][:2] == [(3, 3, 3)] * 2
    maps = FeatureMaps(np.zeros((4, 4)).tolist(), 3, 5, [{"after": "conv 1", "key": "1", "channels": 6,
                                                           "maps": np.ones((2, 4, 4)).tolist()}])  # fmt: skip
    drawn = svg(maps)
    assert len(images(drawn)) == 1 + 2 and "6 channels, the first 2" in drawn
    assert "no convolutional layers" in svg(Kernels([])) and "no convolutional layers" in svg(
        FeatureMaps([], -1, -1, [])
    )


def test_probes_escape_the_names_they_show():
    names = [HOSTILE, "x2"]
    saliency = Saliency("table", HOSTILE, names, None, [1.0, 2.0], [1.0, 2.0], 0, "y", 0.5, None, None,
                        [0.5, -1.0], None, None)  # fmt: skip
    neuron = NeuronProbe("table", names, None, 1, "neuron 1 of hidden layer 1", 0, 3, 0.1, 0.01, [0.0, 0.0],
                         [1.0, -1.0], [0.0, 0.5, 0.9, 1.2], [0.5, 0.6, 0.7, 0.8])  # fmt: skip
    fooled = Fooled("table", HOSTILE, names, None, [0.0, 1.0], [0.3, -0.2], [1.0, -1.0], 0.1, [0.1, 0.9],
                    {"prediction": 0, "confidence": 0.9}, {"prediction": 1, "confidence": 0.6}, 0.08, 1.0)  # fmt: skip
    for numbers in (saliency, neuron, fooled):
        drawn = svg(numbers)
        document = parsed(drawn)
        assert not document.getElementsByTagName("img") and "onerror=alert(1)&gt;" in drawn
    bars = [r for r in parsed(svg(saliency)).getElementsByTagName("rect") if r.getAttribute("class") == "bar"]
    assert len(bars) == 2 and float(bars[1].getAttribute("width")) == 2 * float(bars[0].getAttribute("width"))
    assert [len(line) for line in polylines(parsed(svg(neuron)))] == [4, 4]  # output and z, at each step


def test_inspect_network_svg_draws_a_line_per_weight(xor_model, tmp_path):
    target = tmp_path / "net.svg"
    assert run("inspect", "network", xor_model, "--svg", target).exit_code == 0
    numbers = json.loads(run("inspect", "network", xor_model, "--json").stdout)
    links = [e for e in xml.dom.minidom.parse(str(target)).getElementsByTagName("line")
             if e.getAttribute("class") == "link"]  # fmt: skip
    assert len(links) == len(numbers["edges"]) == 12
    by_size = sorted(numbers["edges"], key=lambda e: abs(e["weight"]))  # drawn smallest first, largest on top
    widths = [float(link.getAttribute("stroke-width")) for link in links]
    assert widths == sorted(widths) and widths[-1] > widths[0]
    dashed = [link.hasAttribute("stroke-dasharray") for link in links]
    assert dashed == [e["weight"] < 0 for e in by_size]  # negative: dashed as well as blue


@pytest.mark.skipif(browser() is None, reason="no Chromium installed")
def test_a_page_of_the_new_drawings_opens_offline_with_hostile_names_as_text(tmp_path):
    saliency = Saliency("table", "example 0", [HOSTILE, "x2"], None, [1.0, 2.0], [1.0, 2.0], 0, "y", 0.5, None,
                        None, [0.5, -1.0], None, None)  # fmt: skip
    evaluation = Evaluation({"accuracy": 0.5}, [[1, 1], [1, 1]], [0.5, 0.5], [0.5, 0.5], 2, [])
    page = tmp_path / "page.html"
    page.write_text(pictures_page("views", [saliency, evaluation, neuron_curves()]))
    probe = """<script>
window.__errors = [];
window.addEventListener("error", (e) => window.__errors.push(String(e.message)));
document.addEventListener("securitypolicyviolation", (e) => window.__errors.push("blocked " + e.blockedURI));
window.addEventListener("load", () => {
  const widths = [...document.querySelectorAll("svg.view")].map((s) => s.getBoundingClientRect().width);
  const out = document.createElement("output");
  out.id = "probe";
  out.textContent = JSON.stringify({errors: window.__errors, width: window.innerWidth, widths,
    text: document.body.innerText, images: document.querySelectorAll("img").length});
  document.body.appendChild(out);
});
</script>"""
    seen = probe_in_browser(page, probe, tmp_path)
    assert seen["errors"] == [] and seen["images"] == 0
    assert len(seen["widths"]) == 3 and min(seen["widths"]) / seen["width"] > 0.5  # each picture spans the window
    assert HOSTILE in seen["text"]  # the column's name shown as text, never as markup


def test_an_image_network_s_first_layer_is_an_image_per_neuron_on_its_own_scale():
    weights = np.array([[0.0, 1.0, -1.0, 0.5], [0.0, 10.0, -10.0, 5.0]])
    filters = RankedFilters((2, 2), 5, [3, 0], [2.0, 1.0], weights, np.array([True, False, False, False]))
    drawn = svg(filters)
    decoded = images(drawn)
    assert np.array_equal(decoded[0], decoded[1]) and decoded[0].shape == (2, 2, 3)
    assert "#4" in drawn and "#1" in drawn and "1 pixel almost never inked" in drawn  # counted from 1


@pytest.mark.skipif(browser() is None, reason="no Chromium installed")
def test_a_digit_classifier_s_evaluation_fits_a_projector_s_screen(tmp_path):
    model, page = tmp_path / "digits.npz", tmp_path / "digits.html"
    assert run("train", "digits", "--epochs", "2", "-q", "--save", model).exit_code == 0
    assert run("visualize", model, "--view", "confusion", "--html", page).exit_code == 0
    probe = """<script>
window.addEventListener("load", () => {
  const box = document.querySelector("svg.view").getBoundingClientRect();
  const out = document.createElement("output");
  out.id = "probe";
  out.textContent = JSON.stringify({width: window.innerWidth, height: window.innerHeight, box});
  document.body.appendChild(out);
});
</script>"""
    for size in ((1280, 720), (1920, 1080)):
        seen = probe_in_browser(page, probe, tmp_path, size)
        box = seen["box"]
        assert box["bottom"] <= seen["height"]  # the matrix and the mistakes whole on the screen …
        assert box["width"] / seen["width"] > 0.6  # … across most of its width
