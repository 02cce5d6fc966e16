"""A digit classifier in vector: held-out digits with its answers, what each first-layer
neuron looks for, and its evaluation — the confusion matrix as one square per cell, the
per-class precision and recall, and the mistakes it was surest about."""

import math

import numpy as np

from nncli.render.vector import draws
from nncli.render.vector.marks import Figure, colour_key, image_tiles, tick_label
from nncli.views.digits import Evaluation, Filters, Samples

WIDTH = 900


@draws(Samples)
def draw_samples(numbers):
    title = "Held-out digits, and what the network says"
    if numbers.side is None:
        return not_an_image(title, "the inputs are not a square image: no digits to draw")
    per_row = min(5, len(numbers.images)) or 1
    captions, classes = [], []
    for label, prediction, confidence in zip(numbers.labels, numbers.predictions, numbers.confidences):
        right = prediction == label
        captions.append(f"{'✓' if right else '✗'} {prediction} {confidence:.0%}" + ("" if right else f", is {label}"))
        classes.append("right" if right else "wrong")
    figure = Figure(WIDTH, rows_height(len(numbers.images), per_row) + 90, title)
    figure.text(WIDTH / 2, 26, title, 22, "middle")
    grids = [square(image, numbers.side) for image in numbers.images]
    image_tiles(figure, grids, captions, (20, 40, WIDTH - 40), per_row, caption_classes=classes)
    figure.text(WIDTH / 2, figure.height - 14, "✓ right   ✗ wrong (and what it is)   ·   the answer's confidence", 17,
                "middle", "faint")  # fmt: skip
    return figure.svg()


@draws(Filters)
def draw_filters(numbers):
    title = "What each first-layer neuron looks for"
    if numbers.side is None or not numbers.weights:
        return not_an_image(title, "the inputs are not a square image: no filters to draw")
    weights = np.asarray(numbers.weights, dtype=float)
    # Each on its own scale (± its largest weight), so each neuron's pattern shows whatever its size.
    reaches = [float(np.nanmax(np.abs(w), initial=0.0)) or 1.0 for w in weights]
    per_row = 8
    shown = f"the first {len(weights)} of {numbers.total}" if len(weights) < numbers.total else f"all {numbers.total}"
    figure = Figure(WIDTH, rows_height(len(weights), per_row) + 130, title)
    figure.text(WIDTH / 2, 26, f"{title} ({shown})", 22, "middle")
    grids = [square(w, numbers.side) for w in weights]
    image_tiles(figure, grids, [f"#{n}" for n in range(1, len(grids) + 1)], (20, 40, WIDTH - 40), per_row,
                scale="diverging", ranges=[(-r, r) for r in reaches])  # fmt: skip
    key_top = figure.height - 70
    colour_key(figure, 20, key_top, 300, "−largest", "0", "+largest")
    figure.text(340, key_top + 12, "orange: ink there excites the neuron · blue: inhibits it · grey: none", 17,
                cls="faint")  # fmt: skip
    figure.text(340, key_top + 36, "each neuron on its own scale: ± its largest weight", 17, cls="faint")
    return figure.svg()


@draws(Evaluation)
def draw_evaluation(numbers):
    title = "Evaluation on the held-out digits"
    confusion = np.asarray(numbers.confusion, dtype=int)
    classes = len(confusion)
    cell = min(56, 520 / max(classes, 1))
    left, top = 110, 130
    # The mistakes to the right of the matrix: a page is wider than tall, and so the
    # whole evaluation fits a projector's screen.
    gallery = (960, top - 10, 420)  # left, top, width
    per_row = 3
    height = max(top + cell * classes + 70, gallery[1] + 40 + rows_height(len(numbers.mistakes), per_row, gallery[2]))
    width = gallery[0] + gallery[2] + 20 if numbers.mistakes else 940
    figure = Figure(width, height, title)
    figure.text(width / 2, 26, title, 22, "middle")
    scores = "   ".join(f"{name} {value_text(name, value)}" for name, value in numbers.metrics.items())
    figure.text(width / 2, 56, scores, 19, "middle")
    figure.text(left + cell * classes / 2, top - 34, "prediction →", 17, "middle", "faint")
    figure.add(f'<text x="0" y="0" font-size="17" text-anchor="middle" class="faint" transform="translate({left - 58},'
               f'{top + cell * classes / 2:.1f}) rotate(-90)">true digit →</text>')  # fmt: skip
    totals = confusion.sum(axis=1)
    for true in range(classes):
        figure.text(left - 12, top + (true + 0.6) * cell, str(true), 17, "end")
        figure.text(left + (true + 0.5) * cell, top - 8, str(true), 17, "middle")
        for predicted in range(classes):
            count = int(confusion[true, predicted])
            share = count / totals[true] if totals[true] else 0.0
            # Right answers on the diagonal in one colour, mistakes in the other, each as
            # strong as its share of the row: the eye finds the big mistakes first.
            colour = "var(--s2)" if predicted == true else "var(--s1)"
            x, y = left + predicted * cell, top + true * cell
            figure.add(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell:.1f}" height="{cell:.1f}" class="frame"'
                f' style="fill: {colour}; fill-opacity: {0.08 + 0.92 * share:.3f}"/>'
            )
            if count:
                figure.text(x + cell / 2, y + cell * 0.62, str(count), min(17, cell * 0.4), "middle")
    right = left + cell * classes + 40
    for offset, heading in ((30, "digit"), (120, "precision"), (200, "recall")):
        figure.text(right + offset, top - 8, heading, 17, "end")
    for digit, (p, r) in enumerate(zip(numbers.precision, numbers.recall)):
        y = top + (digit + 0.6) * cell
        for offset, text in ((30, str(digit)), (120, f"{p:.1%}"), (200, f"{r:.1%}")):
            figure.text(right + offset, y, text, 17, "end")
    below = top + cell * classes + 40
    figure.text(left, below, "diagonal: right answers · elsewhere: mistakes, darker the larger their share of the row",
                17, cls="faint")  # fmt: skip
    if numbers.mistakes:
        mistakes = numbers.mistakes
        x, y, across = gallery
        figure.text(x, y - 22, f"The mistakes it was surest about ({len(mistakes)} of {numbers.misclassified})", 18)
        figure.text(x, y, "true → prediction, confidence", 17, cls="faint")
        pixel_max = max((max(m["pixels"]) for m in mistakes), default=1.0) or 1.0
        grids = [square(m["pixels"], math.isqrt(len(m["pixels"]))) for m in mistakes]
        captions = [f"{m['label']} → {m['prediction']} {m['confidence']:.0%}" for m in mistakes]
        image_tiles(figure, grids, captions, (x, y + 6, across), per_row, ranges=[(0.0, pixel_max)] * len(grids),
                    caption_classes=["wrong"] * len(grids))  # fmt: skip
    return figure.svg()


def square(pixels, side):
    return np.asarray(pixels, dtype=float).reshape(side, side)


def rows_height(count, per_row, width=WIDTH - 40, gap=14):
    side = (width - gap * (per_row - 1)) / per_row
    return math.ceil(count / per_row) * (side + 34)


def value_text(name, value):
    if isinstance(value, float) and "accuracy" in name:
        return f"{value:.2%}"
    return tick_label(value) if isinstance(value, float) else str(value)


def not_an_image(title, reason):
    figure = Figure(WIDTH, 120, title)
    figure.text(WIDTH / 2, 26, title, 22, "middle")
    figure.text(WIDTH / 2, 80, reason, 19, "middle", "faint")
    return figure.svg()
