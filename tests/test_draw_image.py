"""Digit images: the files `predict --image` reads (PBM, PGM, PPM, text grids; hostile ones
refused in one line), and the image a digit network reads from ink of any size."""

import numpy as np
import pytest
from conftest import json_lines, run
from hypothesis import given, settings
from hypothesis import strategies as st
from test_mnist import write_mnist

from nncli.data.image import MAX_PIXELS, area_weights, digit_pixels, read_image
from nncli.errors import DataError

# A "7" on a 6 × 5 sheet: 1 is ink.
SEVEN = np.array(
    [
        [0, 0, 0, 0, 0],
        [0, 1, 1, 1, 0],
        [0, 0, 0, 1, 0],
        [0, 0, 1, 0, 0],
        [0, 0, 1, 0, 0],
        [0, 0, 0, 0, 0],
    ]
)


def netpbm(magic, ink, maximum=255):
    """The bytes of `ink` (0/1) as a Netpbm image of kind `magic`, written as a scanner
    would: dark ink on white paper (a bitmap: 1 is black)."""
    height, width = ink.shape
    head = f"{magic}\n# a comment\n{width} {height}\n" + ("" if magic in ("P1", "P4") else f"{maximum}\n")
    gray = (1 - ink) * maximum
    if magic == "P1":
        return (head + "\n".join("".join(map(str, row)) for row in ink) + "\n").encode()
    if magic == "P4":
        return head.encode() + np.packbits(ink.astype(np.uint8), axis=1).tobytes()
    if magic == "P2":
        return (head + "\n".join(" ".join(map(str, row)) for row in gray) + "\n").encode()
    if magic == "P3":
        return (head + "\n".join(" ".join(f"{v} {v} {v}" for v in row) for row in gray) + "\n").encode()
    dtype = ">u2" if maximum > 255 else np.uint8
    if magic == "P5":
        return head.encode() + gray.astype(dtype).tobytes()
    return head.encode() + np.repeat(gray, 3, axis=1).astype(dtype).tobytes()  # P6


@pytest.mark.parametrize("magic", ["P1", "P2", "P3", "P4", "P5", "P6"])
def test_every_netpbm_kind_reads_as_the_same_ink(tmp_path, magic):
    path = tmp_path / "seven.pnm"
    path.write_bytes(netpbm(magic, SEVEN))
    assert np.array_equal(read_image(path), SEVEN)


def test_sixteen_bit_pixels_and_light_ink_on_dark_paper(tmp_path):
    path = tmp_path / "seven.pgm"
    path.write_bytes(netpbm("P5", SEVEN, maximum=1000))
    assert np.array_equal(read_image(path), SEVEN)
    mnist_style = tmp_path / "light.pgm"  # white ink on black, as MNIST stores digits: not inverted
    mnist_style.write_bytes(b"P2 5 6 10 " + " ".join(str(v) for v in (SEVEN * 10).ravel()).encode())
    assert np.array_equal(read_image(mnist_style), SEVEN)


def test_a_grid_of_numbers_is_ink_divided_by_its_largest(tmp_path):
    path = tmp_path / "seven.txt"
    path.write_text("\n".join(",".join(str(v * 16) for v in row) for row in SEVEN) + "\n\n")
    assert np.array_equal(read_image(path), SEVEN)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"P5\n4 4\n255\n" + bytes(10), "truncated: 10 of its 16 values"),
        (b"P2\n2 2\n15\n1 2 3\n", "truncated: 3 of its 4 values"),
        (b"P4\n16 2\n\xff", "truncated: 1 bytes of pixels, 4 needed"),
        (b"P5\n100000 100000\n255\n" + bytes(100), "claims 100,000×100,000 pixels"),
        (b"P5\n99999999999 2\n255\n", "far too large"),
        (b"P2\n2 2\n15\n1 2 3 16\n", "row 2, column 2 is 16, past the image's maximum 15"),
        (b"P2\n2 2\n0\n0 0 0 0\n", "maximum value 0 is outside 1–65535"),
        (b"P2\n0 2\n15\n", "has no pixels"),
        (b"P5\n", "its header ends before its size"),
        (b"P2\n1 2\n15\n1 x\n", "'x' is not a pixel value"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not an image nncli reads"),
        (b"", "an empty grid"),
        (b"1 2 3\n4 5\n", "row 2 has 2 numbers and row 1 has 3"),
        (b"1 2\n3 seven\n", "'seven' is not a number"),
        (b"1 2\n3 -4\n", "row 2, column 2 is -4"),
        (b"1 nan\n", "row 1, column 2 is nan"),
        (b"\x1b[31m 1\n", "'\\x1b[31m' is not a number"),  # shown inert
    ],
)
def test_bad_image_files_are_refused_in_one_line(tmp_path, content, message):
    path = tmp_path / "bad.pgm"
    path.write_bytes(content)
    with pytest.raises(DataError) as error:
        read_image(path)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_grid_too_large_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.txt"
    side = int(MAX_PIXELS**0.5) + 1
    path.write_text(("0 " * side + "\n") * side)
    with pytest.raises(DataError, match="may have at most"):
        read_image(path)


# --- what the network reads --------------------------------------------------------------


def test_a_vertical_stroke_is_cropped_scaled_and_centred():
    ink = np.zeros((40, 40))
    ink[4:36, 30:32] = 1  # 32 tall, 2 wide, off to the right
    image = digit_pixels(ink, 8, 8, "box")
    expected = np.zeros((8, 8))
    expected[:, 3:5] = 0.25  # padded to 32 × 32 with the stroke in columns 15, 16: each 4-wide block holds one
    assert np.allclose(image, expected)


def test_mass_centring_puts_the_ink_at_the_centre_of_a_larger_image():
    ink = np.zeros((50, 50))
    ink[0:10, 0:10] = 1  # a square in the corner
    image = digit_pixels(ink, 28, 20, "mass")
    rows, columns = np.nonzero(image)
    assert (rows.min(), rows.max(), columns.min(), columns.max()) == (4, 23, 4, 23)
    assert np.allclose(image[4:24, 4:24], 1)


def test_no_ink_reads_as_a_blank_image():
    assert not digit_pixels(np.zeros((5, 7)), 8, 8, "box").any()


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 60), st.integers(1, 30))
def test_area_weights_keep_the_ink(n, m):
    weights = area_weights(n, m)
    assert np.allclose(weights.sum(axis=0), m / n)  # every source pixel is shared out whole
    assert np.allclose(weights.sum(axis=1), 1)  # every new pixel is a mean


# --- nncli predict --image ---------------------------------------------------------------


def test_predict_image_reads_through_the_models_preprocessing(trained_digits, tmp_path):
    from nncli.session.runner import load_trained

    path = tmp_path / "seven.pgm"
    path.write_bytes(netpbm("P2", SEVEN))
    shown = json_lines(run("predict", trained_digits, "--image", path, "--json"))
    assert len(shown) == 1 and shown[0]["event"] == "prediction"
    task, network, meta, _ = load_trained(trained_digits)
    pixels = digit_pixels(SEVEN, 8, 8, "box") * 16
    assert np.allclose(shown[0]["input"], pixels.ravel())
    logits = network.predict(pixels.reshape(1, 64) / 16)[0]
    expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    assert np.allclose(shown[0]["probabilities"], expected)
    assert shown[0]["prediction"] == int(expected.argmax())


def test_predict_image_on_conv_and_mnist_models(tmp_path):
    seven = tmp_path / "seven.pbm"
    seven.write_bytes(netpbm("P1", SEVEN))
    conv = tmp_path / "conv.npz"
    assert run("train", "digits", "--conv", "3", "--hidden", "0", "--epochs", "1", "-q", "--save", conv).exit_code == 0
    write_mnist(tmp_path / "mnist")
    mnist = tmp_path / "mnist.npz"
    trained = run("train", "mnist", "--data-dir", tmp_path / "mnist", "--epochs", "1", "-q", "--save", mnist)
    assert trained.exit_code == 0
    for model, side, box, centring, scale in ((conv, 8, 8, "box", 16), (mnist, 28, 20, "mass", 255)):
        shown = json_lines(run("predict", model, "--image", seven, "--json"))[0]
        assert np.allclose(shown["input"], digit_pixels(SEVEN, side, box, centring).ravel() * scale)
        assert abs(sum(shown["probabilities"]) - 1) < 1e-6


def test_a_model_that_reads_no_images_says_which_do(xor_model, tmp_path):
    path = tmp_path / "seven.txt"
    path.write_text("0 1\n1 0\n")
    result = run("predict", "xor", "--image", path)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "nncli: a xor model does not read images: only digit models do "
        "(nncli train digits, nncli train mnist, either with --conv)"
    ]


def test_a_bad_image_file_fails_in_one_line(trained_digits, tmp_path):
    path = tmp_path / "big.pgm"
    path.write_bytes(b"P5 100000 100000 255\n")
    result = run("predict", trained_digits, "--image", path)
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "claims 100,000×100,000 pixels" in result.stderr
    missing = run("predict", trained_digits, "--image", tmp_path / "none.pgm")
    assert missing.exit_code == 1 and "No such file" in missing.stderr
    both = run("predict", trained_digits, "1", "--image", path)
    assert both.exit_code == 2 and "not both" in both.stderr
