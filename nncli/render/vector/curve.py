"""A function approximation in vector: the target and the network's curve on one plot, and
the neurons' own curves beside the sum they build."""

import math

from nncli.render.vector import draws
from nncli.render.vector.marks import Figure, Plot, series_key, tick_label
from nncli.views.curve import ORDER_WORDS, CurveFit, NeuronCurves


@draws(CurveFit)
def draw_fit(numbers):
    title = f"y = {numbers.formula}: {numbers.description}"
    figure = Figure(900, 600, title)
    figure.text(450, 26, title, 22, "middle")
    ys = [v for v in numbers.target + numbers.output if v is not None]
    plot = Plot(figure, (100, 50, 760, 440), (numbers.x[0], numbers.x[-1]), (min(ys), max(ys)), "x", "y")
    plot.axes()
    plot.line(numbers.x, numbers.target, 1)
    plot.line(numbers.x, numbers.output, 0)
    plot.key(["network", "target"])
    figure.text(
        450, 585, f"largest error {tick_label(numbers.max_abs_error)}   ·   MSE {tick_label(numbers.mse)}", 19, "middle"
    )
    return figure.svg()


@draws(NeuronCurves)
def draw_neurons(numbers):
    """Two plots side by side: each shown neuron's weighted curve, and the sum built from
    them stage by stage (1, 2, 4, … neurons) over the target."""
    title = "A sum of neurons' curves"
    figure = Figure(1200, 700, title)
    figure.text(600, 26, title, 22, "middle")
    x = numbers.x
    curve = "v·σ(w·x + b)" if numbers.one_layer else "v·h(x)"
    count, shown = numbers.count, len(numbers.shown)
    which = f"each neuron's curve {curve}" if shown == count else f"the {shown} of {count} that swing most"
    reach = max((abs(v) for c in numbers.curves for v in c if v is not None and math.isfinite(v)), default=1.0) or 1.0
    left = Plot(figure, (90, 70, 460, 420), (x[0], x[-1]), (-reach, reach), "x", "v·h(x)")
    left.axes()
    figure.text(320, 58, which, 18, "middle")
    for values in numbers.curves:
        points = [(left.x(a), left.y(b)) for a, b in zip(x, values) if b is not None and math.isfinite(b)]
        figure.polyline(points, 'stroke="var(--s3)" stroke-width="1.6" stroke-opacity="0.8" class="neuron"')
    values = [v for s in [numbers.target, *numbers.sums] for v in s if v is not None and math.isfinite(v)]
    right = Plot(figure, (700, 70, 460, 420), (x[0], x[-1]), (min(values), max(values)), "x", "y")
    right.axes()
    figure.text(930, 58, "the sum, built neuron by neuron", 18, "middle")
    target = [(right.x(a), right.y(b)) for a, b in zip(x, numbers.target) if b is not None and math.isfinite(b)]
    figure.polyline(target, TARGET_STYLE)
    for k, values in enumerate(numbers.sums):
        right.line(x, values, k)
    key_top = 580
    figure.add(f'<path d="M90,{key_top - 5} h40" {TARGET_STYLE}/>')
    figure.text(140, key_top, "target", 17)
    stages = [
        f"{n} neuron{'s' if n != 1 else ''}: max error {tick_label(e)}" for n, e in zip(numbers.stages, numbers.errors)
    ]
    series_key(figure, stages, 90, key_top, 3, 370, first_slot=1)
    figure.text(90, key_top + 90, f"order of the neurons: {ORDER_WORDS[numbers.order]}", 17, cls="faint")
    return figure.svg()


TARGET_STYLE = 'stroke="var(--ink)" stroke-width="7" stroke-opacity="0.3" class="target"'
