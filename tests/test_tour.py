"""The README's tour, run as written: every line, in order, in an empty model store and an
empty folder, each exiting 0. The lines are read from README.md, so the test follows
every change to the tour, and fails if a line stops working in its place."""

import shlex
from pathlib import Path

import pytest
from conftest import ON_TORCH_WORKER, run

README = Path(__file__).parents[1] / "README.md"

# Lines that run shorter here, as the README says under the tour: README line → run instead.
# spiral and sin at their defaults: test_points_cli's and test_approx's default runs.
SHORTER = {
    "nncli train xor --pace 100": "nncli train xor --pace 100 --epochs 20",
    "nncli train digits": "nncli train digits --epochs 5",
    "nncli train spiral": "nncli train spiral --epochs 20",
    "nncli approx sin": "nncli approx sin --epochs 100",
    "nncli bench": "nncli bench --quick --only xor --repeats 3",
}
DEEP = "nncli train digits --hidden 32x10 --activation sigmoid"  # at its default epochs, as written


def tour_lines():
    """The commands of the bash block under "## A tour", without their comments."""
    section = README.read_text(encoding="utf-8").split("\n## A tour\n", 1)[1]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    return [shlex.join(shlex.split(line, comments=True)) for line in block.splitlines() if line.strip()]


@pytest.mark.slow
@ON_TORCH_WORKER  # bench times PyTorch too
def test_the_readme_tour_runs_in_order_in_a_fresh_store(tmp_path, monkeypatch):
    lines = tour_lines()
    assert len(lines) >= 20 and all(line.startswith("nncli ") for line in lines)
    assert set(SHORTER) <= set(lines) and DEEP in lines, "the README's tour changed: update SHORTER"
    monkeypatch.chdir(tmp_path)
    for line in lines:
        result = run(*shlex.split(SHORTER.get(line, line))[1:])
        assert result.exit_code == 0, f"{line}: {result.stderr[-500:]}"
        if line == DEEP:
            assert "The gradient vanishes" in result.stderr, result.stderr[-500:]
    assert (tmp_path / "xor.html").is_file() and (tmp_path / "xor.py").is_file()
