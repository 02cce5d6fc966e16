"""A function approximation in vector: the target and the network's curve on one plot."""

from nncli.render.vector import draws
from nncli.render.vector.marks import Figure, Plot, tick_label
from nncli.views.curve import CurveFit


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
