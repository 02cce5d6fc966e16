"""The options of the tasks that learn from points and tables: how many points, how
noisy, how much is held out, which input features, and which columns of a CSV file."""

import click

from nncli.cli.options import limit_option
from nncli.config import MAX_SIZE

FEATURES_HELP = (
    "Inputs computed from each point (x1, x2), any of x1,x2,x1^2,x2^2,x1*x2,sin(x1),sin(x2); "
    "quote them in a shell: 'x1,x2,sin(x1)'."
)


class FeatureList(click.ParamType):
    """A comma-separated list of the Playground's input features, as one canonical string."""

    name = "features"

    def convert(self, value, param, ctx):
        from nncli.feature_names import parse_features

        try:
            return ",".join(parse_features(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


def features_option(default="x1,x2"):
    return click.option("--features", type=FeatureList(), default=default, show_default=True, help=FEATURES_HELP)


def test_fraction_option(default):
    return click.option(
        "--test-fraction",
        type=click.FloatRange(0, 1, min_open=True, max_open=True),
        default=default,
        show_default=True,
        help="The share held out from training (the same share of every class), to measure the model on.",
    )


def point_options(task_defaults, noise_help="Standard deviation of the jitter added to each coordinate."):
    """--points, --noise, --test-fraction and --features, with this task's defaults."""

    def decorate(command):
        for option in reversed(
            [
                click.option(
                    "--points",
                    type=click.IntRange(min=4, max=MAX_SIZE),
                    default=task_defaults["points"],
                    show_default=True,
                    help="How many points to generate, shared evenly between the classes.",
                ),
                click.option(
                    "--noise",
                    type=click.FloatRange(min=0, max=1_000),
                    metavar="NUMBER",
                    default=task_defaults["noise"],
                    show_default=True,
                    help=noise_help,
                ),
                test_fraction_option(task_defaults["test_fraction"]),
                features_option(task_defaults["features"]),
                limit_option("training points"),
            ]
        ):
            command = option(command)
        return command

    return decorate


def table_options(task_defaults):
    """What `train csv` asks: the file, the column to predict and those to learn from."""

    def decorate(command):
        for option in reversed(
            [
                click.option(
                    "--data",
                    type=click.Path(dir_okay=False),
                    required=True,
                    help="The CSV file to learn from: a header row naming the columns, then one row per example "
                    "(- for stdin).",
                ),
                click.option("--target", default=None, help="The column to predict  [required]."),
                click.option(
                    "--inputs",
                    default=None,
                    help="The columns to predict it from, comma-separated  [default: every other column].",
                ),
                click.option(
                    "--kind",
                    type=click.Choice(("classify", "regress")),
                    default=None,
                    help="Classify or regress  [default: classify text labels and a few distinct whole numbers].",
                ),
                click.option(
                    "--drop-missing",
                    is_flag=True,
                    help="Leave out rows with a missing value (empty, NA, NaN, null) instead of refusing the file.",
                ),
                test_fraction_option(task_defaults["test_fraction"]),
                limit_option("training rows"),
            ]
        ):
            command = option(command)
        return command

    return decorate
