"""`nncli learn [N | NAME]`: the lessons, from one neuron to deep networks."""

import click

from nncli.cli.options import output_file


@click.command(short_help="Lessons: how networks learn, from one neuron to deep networks.")
@click.argument("lesson", required=False, metavar="[N | NAME]")
@click.option("--next", "next_lesson", is_flag=True, help="Run the first lesson you have not finished.")
@click.option("--no-pause", is_flag=True, help="Print every screen without waiting for keys (as when piped).")
@click.option("--quick", is_flag=True, help="Train less: the same story in a fraction of the time.")
@click.option("--json", "as_json", is_flag=True, help="Print each screen's text and numbers as JSON Lines.")
@output_file("--svg", "svg_path", help="Also write it as an SVG.")
@output_file("--html", "html_path", help="Also write it as HTML.")
def learn(lesson, next_lesson, no_pause, quick, as_json, svg_path, html_path):
    """The lessons, one idea each: a few screens of text with the numbers worked out by
    the engine as you watch, a picture that moves, and the commands to try next.

    \b
    nncli learn            list the lessons (and which ones you have finished)
    nncli learn 1          run lesson 1 (or give its name: nncli learn one-neuron)
    nncli learn --next     run the first lesson you have not finished
    Keys: space or → next screen, ← back, q quit; ↑ ↓ PgUp PgDn scroll a
    screen taller than the terminal (80 × 24 at least). Piped or with
    --no-pause, a lesson prints all its screens and exits, so it can be
    handed out as text.
    """
    import sys

    from nncli.runtime import memory

    memory.keep_freed_memory()
    from nncli.lessons import Settings, all_lessons, find, progress

    lessons = all_lessons()

    def warn(message):
        from nncli.text import inert

        click.echo(f"nncli: warning: {inert(message, 1000)}", err=True)  # it names a file: shown inert

    finished = progress.load(len(lessons), warn)
    if lesson is None and not next_lesson:
        return show_list(lessons, finished, as_json)
    if lesson is not None and next_lesson:
        raise click.UsageError("give a lesson or --next, not both")
    if next_lesson:
        remaining = [entry for entry in lessons if entry.number not in finished]
        if not remaining:
            click.echo(f"You have finished all {len(lessons)} lessons. Run any again with `nncli learn N`.")
            return
        chosen = remaining[0]
    else:
        try:
            chosen = find(lesson)
        except LookupError as error:
            raise click.BadParameter(str(error), param_hint="'N | NAME'") from None

    from nncli.cli.output import check_output_path, to_stdout

    to_stdout(as_json, svg=svg_path, html=html_path)
    for page, what in ((svg_path, "the SVG"), (html_path, "the page")):
        if page:
            check_output_path(page, what)  # before the lesson: it must not end in "cannot write"
    settings = Settings(quick=quick)
    interactive = not (no_pause or as_json or svg_path or html_path) and sys.stdin.isatty() and sys.stdout.isatty()
    done = run_lesson(chosen, settings, interactive, as_json, svg_path, html_path)
    if done:
        progress.mark_finished(chosen.number, len(lessons), warn)


def show_list(lessons, finished, as_json):
    from nncli.cli.output import emit_json, show

    if as_json:
        for lesson in lessons:
            emit_json(
                {
                    "event": "lesson",
                    "number": lesson.number,
                    "name": lesson.name,
                    "title": lesson.title,
                    "summary": lesson.summary,
                    "finished": lesson.number in finished,
                }
            )
        return
    from nncli.lessons.player import lesson_list

    show(lesson_list(lessons, finished))


def run_lesson(lesson, settings, interactive, as_json, svg_path, html_path):
    """Show the lesson; True if it was seen to the end."""
    from rich.console import Console

    from nncli.cli.output import STDOUT, emit_json, stdout_console, write_output
    from nncli.lessons.player import check_size, play, print_lesson

    if interactive:
        from nncli.cli.output import reading_keys
        from nncli.lessons.keys import LessonKeys

        with reading_keys() as reader:
            if reader is not None:
                console = stdout_console()
                check_size(lesson, console)
                return play(lesson, settings, console, LessonKeys(reader))
        # a terminal whose keys this platform cannot read: the lesson is printed whole

    screens = []  # for a page: each screen as printed

    def on_screen(index, screen):
        screens.append(screen)
        if as_json:
            emit_json(
                {
                    "event": "screen",
                    "lesson": lesson.number,
                    "name": lesson.name,
                    "screen": index + 1,
                    "title": screen.title,
                    "text": screen.text,
                    "numbers": screen.numbers,
                }
            )

    if as_json or STDOUT in (svg_path, html_path):  # stdout carries the JSON, or the file
        import io

        console = Console(file=io.StringIO(), width=100)
    else:
        console = stdout_console()
    print_lesson(lesson, settings, console, on_screen)
    title = f"nncli learn {lesson.number}: {lesson.title}"
    if svg_path:
        from nncli.render.vector.page import lesson_svg

        write_output(svg_path, lesson_svg(title, screens), "the SVG")
    if html_path:
        from nncli.render.vector.page import lesson_page

        write_output(html_path, lesson_page(title, screens), "the page")
    return not as_json  # read to the end (a script's --json is not a reader)
