"""`nncli learn`: the list, finding a lesson, progress, and every lesson run piped with
its key numbers checked (in --quick mode), plus lesson 1 driven by keys on a terminal."""

import functools
import json
import math
import re
import shlex

import pytest
from conftest import Terminal, json_lines, run
from test_lessons_terminal import DOWN, LEFT, RIGHT, UP

from nncli.lessons import Settings, all_lessons, progress

# `screens` computes each lesson once per process, for this module and test_lessons_claims:
# both on one worker, so once in all (every lesson's quick screens: about 4 s of CPU)
pytestmark = pytest.mark.xdist_group("lesson-screens")


def screen_events(*args):
    """The screen events of `nncli learn ARGS --json --quick`."""
    result = run("learn", *args, "--json", "--quick")
    assert result.exit_code == 0, result.output
    return [e for e in json_lines(result) if e["event"] == "screen"]


@functools.cache
def screens(number):
    """Lesson `number`'s screens in quick mode, computed once for all the tests that read them."""
    lesson = all_lessons()[int(number) - 1]
    return [(lesson, screen(Settings(quick=True))) for screen in lesson.screens()]


def numbers(shown, title):
    return next(screen.numbers for _, screen in shown if screen.title == title)


# --- the list, names and bad input ---------------------------------------------------------


def test_the_list_names_every_lesson_and_what_is_finished(model_home):
    listed = json_lines(run("learn", "--json"))
    assert [e["number"] for e in listed] == list(range(1, len(all_lessons()) + 1))
    assert not any(e["finished"] for e in listed)
    assert run("learn", "1", "--no-pause", "--quick").exit_code == 0
    listed = json_lines(run("learn", "--json"))
    assert [e["finished"] for e in listed][:2] == [True, False][: len(listed)]
    shown = run("learn").stdout
    assert "One neuron" in shown and "✓" in shown and "1 of" in shown
    assert all(len(lesson.summary) <= 74 for lesson in all_lessons())  # one line each on 80 columns


@pytest.mark.parametrize("given", ["0", "99"])
def test_no_such_lesson_number(given):
    result = run("learn", given)
    assert result.exit_code == 2
    assert "there is no lesson" in result.stderr and "1 to" in result.stderr


def test_an_unknown_name_suggests_the_closest():
    result = run("learn", "one-neurons")
    assert result.exit_code == 2
    assert "did you mean 'one-neuron' (lesson 1)" in result.stderr


def test_a_lesson_by_name_is_the_lesson_by_number():
    assert [e["title"] for e in screen_events("two-neurons")] == [e["title"] for e in screen_events("2")]


def test_json_gives_each_screen_its_text_and_numbers():
    events = screen_events("2")
    assert [e["screen"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["numbers"]["y"] == [0, 1, 2] and "y = v₁·h₁ + v₂·h₂" in events[0]["text"]


def test_next_runs_the_first_unfinished_then_says_all_are_done(model_home):
    count = len(all_lessons())
    model_home.mkdir(parents=True)
    others = [n for n in range(1, count + 1) if n != 2]
    (model_home / "lessons.json").write_text(json.dumps({"format": "nncli-lessons", "version": 1, "finished": others}))
    events = json_lines(run("learn", "--next", "--json", "--quick"))
    assert {e["lesson"] for e in events} == {2}
    assert progress.load(count, pytest.fail) == set(others)  # a script's --json run finishes nothing
    assert "Lesson 2 · Two neurons add up" in run("learn", "--next", "--quick").stdout  # printed whole: finished
    done = run("learn", "--next")
    assert done.exit_code == 0 and "finished all" in done.stdout


@pytest.mark.parametrize(
    "content, reason",
    [
        ("{not json", "not JSON"),
        ('{"format": "nncli-lessons", "version": 1, "finished": [0, 1]}', "'finished'"),
        ('["a list"]', "not a nncli-lessons file"),
    ],
)
def test_a_damaged_progress_file_is_ignored_with_one_warning_and_kept(model_home, content, reason):
    model_home.mkdir(parents=True)
    (model_home / "lessons.json").write_text(content)
    result = run("learn")
    assert result.exit_code == 0
    warning = [line for line in result.stderr.splitlines() if line]
    assert len(warning) == 1 and "warning" in warning[0] and reason in warning[0]
    assert run("learn", "1", "--no-pause", "--quick").exit_code == 0
    assert (model_home / "lessons.json.damaged").read_text() == content
    assert progress.load(len(all_lessons()), pytest.fail) == {1}


def test_a_progress_file_that_cannot_be_read_is_a_warning_too(model_home):
    (model_home / "lessons.json").mkdir(parents=True)
    result = run("learn")
    assert result.exit_code == 0 and "0 of" in result.stdout
    assert result.stderr.count("\n") == 1 and "cannot read the lesson progress" in result.stderr


def test_lesson_and_next_together_is_a_usage_error():
    assert run("learn", "1", "--next").exit_code == 2


def test_without_colour_a_screen_taller_than_the_terminal_scrolls():
    """Heatmaps drawn in glyphs (NO_COLOR) take twice the lines: lesson 6's first screen
    then no longer fits 80 × 24, and scrolls instead of being refused."""
    pytest.importorskip("pyte")
    terminal = Terminal("learn", 6, "--quick", columns=80, lines=24, env={"NO_COLOR": "1"})
    shown = terminal.wait_for("lines 1–")
    from nncli.lessons import find

    assert f"1/{len(find('6').screens())} One neuron draws one line" in shown.splitlines()[0]
    total = int(re.search(r"lines 1–\d+ of (\d+)", shown).group(1))
    assert f"of {total}  ·  ↑ ↓ PgUp PgDn scroll" in terminal.press(b"\x1b[6~")
    assert f"–{total} of {total}" in terminal.press(b"\x1b[F")  # End: the last line in view
    terminal.send(b"q")
    assert terminal.finish() == 0


def test_every_try_this_command_is_a_valid_command_line():
    """Each closing command parses (options and values accepted) without running it."""
    import click

    from nncli.cli import main

    for lesson in all_lessons():
        for command, _ in lesson.module.TRY:
            words = shlex.split(command)
            assert words[0] == "nncli"
            # contexts as click makes them (see test_docs.check_call): a bare one costs a command its -h
            command_object, words = main, words[1:]
            ctx = click.Context(main, info_name="nncli", **main.context_settings)
            while isinstance(command_object, click.Group):
                group, name, words = command_object, words[0], words[1:]
                command_object = group.get_command(ctx, name)
                assert command_object is not None, command
                if isinstance(command_object, click.Group):
                    ctx = click.Context(command_object, info_name=name, parent=ctx, **command_object.context_settings)
            command_object.make_context(name, words, parent=ctx)  # exits 2 on anything it rejects


def test_keys_are_named_one_by_one_escape_sequences_whole():
    from nncli.cli.terminal import Reader, events
    from nncli.lessons.keys import LessonKeys

    assert events("\x1b[A+ \x1b[Dq") == ["up", "+", "space", "left", "q"]
    assert events("\x1b[5~\x1b[6~\x1b[H\x1b[F") == ["pageup", "pagedown", "home", "end"]
    # Keys no screen takes (F5, F1, a shifted arrow) are one key each: their letters are not q or n
    assert events("\x1b[15~\x1bOP\x1b[1;2Cn") == ["unknown", "unknown", "unknown", "n"]

    class Typed(Reader):  # what a terminal hands over: a burst of keys, then nothing
        def __init__(self, *bursts):
            self.bursts = list(bursts)

        def read_some(self, timeout):
            return self.bursts.pop(0) if self.bursts else ""

    keys = LessonKeys(Typed("a\x1b[C"))
    assert [keys.read(), keys.read(), keys.read(0.1), keys.read()] == ["a", "right", None, "eof"]


def test_svg_and_html_pages(tmp_path):
    svg, page = tmp_path / "lesson.svg", tmp_path / "lesson.html"
    assert run("learn", "1", "--quick", "--svg", svg, "--html", page).exit_code == 0
    assert svg.read_text().startswith("<svg") and "What w does" in page.read_text()


# --- the lessons, piped, with their key numbers -----------------------------------------------


def test_lesson_1_one_neuron():
    events = screens("1")
    first = events[0][1].numbers
    assert first["w"] == 1 and first["b"] == 0 and first["a_at_1"] == pytest.approx(0.7310585786)
    slopes = numbers(events, "What w does")["slopes"]
    assert {w: round(s, 9) for w, s in slopes.items()} == {str(w): w / 4 for w in (0.5, 1.0, 2.0, 8.0, -2.0)}
    switches = numbers(events, "What b does")["switch_points"]
    assert switches == pytest.approx({"-4.0": 2.0, "0.0": 0.0, "4.0": -2.0}, abs=0.01)
    outputs = numbers(events, "Four activations")["outputs"]
    assert outputs["step"] == [0, 0, 1] and outputs["relu"] == [0, 0, 2]
    assert outputs["tanh"][2] == pytest.approx(0.9640275801)
    assert events[-1][1].title == "Try this"


def test_lesson_2_output_weights_add_invert_and_scale():
    events = screens("2")
    assert numbers(events, "Adding two steps") == {"y": [0, 1, 2], "switches": [-1, 1]}
    assert numbers(events, "Subtracting: a bump")["y"] == [0, 1, 0]
    assert numbers(events, "Weights set the heights")["y"] == [0, 1.5, 1]
    heights = next(screen for _, screen in events if screen.title == "Weights set the heights")
    raised = heights.keys["up"][1]()  # ↑: v₂ from −0.5 to 0, so the second step vanishes
    assert raised.numbers["v2"] == 0 and raised.numbers["y"] == [0, 1.5, 1.5]
    assert raised.keys["+"][1]().numbers["y"] == [0, 2, 2]  # +: v₁ from 1.5 to 2
    assert numbers(events, "Smooth steps")["y"] == pytest.approx([0, 1, 0], abs=1e-4)


def test_lesson_3_the_error_shrinks_as_the_neurons_double():
    events = screens("3")
    steps = list(numbers(events, "A staircase of steps")["max_abs_error"].values())
    ramps = list(numbers(events, "Ramps of ReLUs")["max_abs_error"].values())
    assert all(1.6 < a / b < 2.1 for a, b in zip(steps, steps[1:]))  # steps: half the error per doubling
    assert all(2.9 < a / b < 4.1 for a, b in zip(ramps, ramps[1:]))  # ramps: a quarter, in the end
    assert ramps[-2] / ramps[-1] > 3.9
    learned = numbers(events, "Learned, not built")
    assert learned["max_abs_error"] < learned["built"]


def test_lesson_4_one_step_downhill_and_the_learning_rate():
    events = screens("4")
    step = numbers(events, "One step downhill")
    assert step["grad_m"] == pytest.approx(step["engine_grad_m"], rel=1e-12)
    assert step["grad_c"] == pytest.approx(step["engine_grad_c"], rel=1e-12)
    assert step["new_loss"] < step["loss"]
    many = numbers(events, "Many steps")
    assert many["end_loss"] == pytest.approx(many["lowest"], rel=1e-3)
    assert many["slope"] == pytest.approx(many["slope_exact"], abs=0.01)
    rates = numbers(events, "The learning rate")
    assert rates["statuses"] == ["slow", "converged", "converged", "diverged"]
    assert rates["overshoots"][:3] == [False, False, True]
    assert rates["rates"][2] < rates["limit"] < rates["rates"][3]  # the divergence threshold is 2/λ_max
    assert numbers(events, "On the landscape")["statuses"] == ["converged", "diverged"]


def test_lesson_5_the_chain_rule_agrees_with_the_engine_and_a_nudge():
    events = screens("5")
    output = numbers(events, "Forward")["output"]
    loss = numbers(events, "The loss")
    assert loss["loss"] == pytest.approx((output - 1) ** 2, rel=1e-12)
    assert loss["dL_da"] == pytest.approx(2 * (output - 1), rel=1e-12)
    backward = numbers(events, "Backward")
    assert backward["chain"] == pytest.approx(backward["engine"], rel=1e-12)
    assert backward["nudged"] == pytest.approx(backward["engine"], rel=1e-5)  # a finite difference
    update = numbers(events, "The update")
    assert update["loss_after"] < update["loss_before"]


def test_lesson_6_no_hidden_layer_fails_xor_and_four_hidden_neurons_solve_it():
    events = screens("6")
    assert numbers(events, "XOR: no line will do")["accuracy"] <= 0.75
    assert numbers(events, "Four hidden neurons bend it")["accuracy"] == 1.0
    assert numbers(events, "What each hidden neuron does")["tiles"] == 4


def test_lesson_7_softmax_cross_entropy_accuracy_and_averaged_nudges():
    events = screens("7")
    scores = numbers(events, "Ten scores become probabilities")
    assert sum(scores["probabilities"]) == pytest.approx(1.0)
    assert scores["cross_entropy"] == pytest.approx(-math.log(scores["probabilities"][scores["label"]]))
    assert scores["cross_entropy"] == pytest.approx(scores["engine_cross_entropy"], rel=1e-9)
    accuracy = numbers(events, "Accuracy and the confusion matrix")
    assert accuracy["right"] / accuracy["held_out"] == pytest.approx(accuracy["accuracy"])
    assert accuracy["accuracy"] > 0.8  # three quick epochs already
    batches = numbers(events, "Mini-batches average the nudges")
    assert batches["largest_difference"] < 1e-12
    assert batches["steps_per_epoch"] == math.ceil(1295 / batches["batch_size"])


@pytest.mark.slow
def test_lesson_8_held_out_loss_rises_while_training_loss_falls_and_the_cures_narrow_the_gap():
    events = screens("8")
    plain = numbers(events, "Learning by heart")
    assert plain["train_loss"] < 0.01 and plain["best_epoch"] < plain["epochs"]
    assert plain["held_out_loss"] > 1.1 * plain["best_held_out_loss"]  # it rose after its lowest point
    cures = numbers(events, "Three cures")
    gaps = {name: run["gap"] for name, run in cures.items()}
    assert all(gap < gaps["no cure"] for name, gap in gaps.items() if name != "no cure")
    assert min(gaps, key=gaps.get).endswith("examples")  # more data narrows it most


def test_lesson_9_ten_sigmoid_layers_stall_and_each_cure_learns():
    events = screens("9")
    stall = numbers(events, "Ten sigmoid layers stall")
    assert stall["accuracy"] < 0.2 and stall["gradient_ratio"] < 1e-5
    assert "vanishes" in stall["verdict"]
    cures = numbers(events, "Three cures")
    for name in ("ReLU, He init", "skip connections", "batch norm"):
        assert cures[name]["accuracy"] > 0.3, name
        assert cures[name]["gradient_ratio"] > 1000 * stall["gradient_ratio"], name


def test_piped_output_is_every_screen_as_text():
    result = run("learn", "1", "--quick")
    assert result.exit_code == 0
    for title in ("1/5 σ(w·x + b)", "2/5 What w does", "5/5 Try this"):
        assert title in result.stdout
    assert "a = sigmoid(1·x + 0)" in result.stdout


# --- lesson 1 on a terminal, driven by keys ---------------------------------------------------


@pytest.mark.slow
def test_lesson_1_keys_change_w_and_b_and_the_formula_follows(model_home):
    pytest.importorskip("pyte")
    terminal = Terminal("learn", 1, columns=100, lines=40)
    assert "a = sigmoid(w·x + b) = sigmoid(1·x + 0)" in terminal.wait_for(r"sigmoid\(1·x \+ 0\)")
    shown = terminal.press(UP, UP, b"+", b"+", b"+")
    # w = 1 + 2 · 0.5 = 2, b = 3 · 0.5 = 1.5: z at x = 1 is 3.5, a = σ(3.5) = 0.9707
    assert "a = sigmoid(w·x + b) = sigmoid(2·x + 1.5)" in shown
    assert "z = 2·1 + 1.5 = 3.5" in shown and "a = sigmoid(3.5) = 0.9707" in shown
    assert "x = −b/w = -0.75" in shown and "w = 2   b = 1.5   sigmoid" in shown
    shown = terminal.press(b"a", b"a", DOWN, b"-")  # sigmoid → tanh → relu; w = 1.5, b = 1
    assert "a = relu(w·x + b) = relu(1.5·x + 1)" in shown and "a = relu(2.5) = 2.5" in shown
    terminal.send(b" ")
    terminal.wait_for("2/5 What w does")  # (after a frame saying the numbers are being worked out)
    shown = terminal.press(LEFT)  # back: the neuron as the keys left it
    assert "relu(1.5·x + 1)" in shown
    terminal.send(b"q")
    assert terminal.finish() == 0
    assert not progress.load(len(all_lessons()), pytest.fail)  # quit before the end: not finished


def test_reaching_the_end_on_a_terminal_finishes_the_lesson(model_home):
    pytest.importorskip("pyte")
    terminal = Terminal("learn", 1, columns=100, lines=40)
    terminal.wait_for(r"1/5 σ")  # keys from here on: the lesson has the terminal
    terminal.send(*[RIGHT] * 4)
    assert "space finish" in terminal.wait_for("5/5 Try this")
    terminal.send(b" ")
    assert terminal.finish() == 0
    assert progress.load(len(all_lessons()), pytest.fail) == {1}


def test_a_terminal_too_small_says_the_size_it_needs():
    pytest.importorskip("pyte")
    terminal = Terminal("learn", 1, columns=40, lines=12)
    assert terminal.finish() == 1
    text = "".join(terminal.text().splitlines())  # rejoin what the narrow terminal wrapped
    assert "needs a terminal of at least 80 × 24; this one is 40 × 12" in text
    assert "nncli learn 1 --no-pause" in text


@pytest.mark.slow
def test_lesson_10_an_edge_kernel_by_hand_and_weights_shared():
    events = screens("10")
    slid = numbers(events, "One kernel, slid over a digit")
    row, column = slid["position"]
    import numpy as np

    from nncli.lessons.convolution import EDGES, digit

    patch = np.pad(digit(), 1)[row : row + 3, column : column + 3]
    assert slid["sum"] == pytest.approx(float((patch * np.array(EDGES["left edge"])).sum()))
    text = next(screen.text for _, screen in events if screen.title == "One kernel, slid over a digit")
    assert f"At row {row + 1}, column {column + 1} (counted from 1):" in text
    assert slid["sum"] == slid["largest"]["left edge"] > 0
    shared = numbers(events, "Weights shared")
    assert shared["kernel_weights"] == 9 and shared["dense_weights"] == 4096
    learned = numbers(events, "Learned kernels, feature maps")
    assert np.shape(learned["kernels"]) == (8, 1, 3, 3)
    moved = numbers(events, "Digits that move")
    assert set(moved) == {"dense", "conv"} and all(0 <= value <= 1 for value in moved.values())
