"""The layers of DESIGN.md's map, checked: a module imports only from its own layer or a
lower one, so data flows one way (autograd ← nn/optim ← train ← tasks ← views ← cli).

Every import counts, including those inside functions (which keep `nncli --help` fast but
are dependencies all the same)."""

import ast
from pathlib import Path

import pytest

import nncli

PACKAGE = Path(nncli.__file__).parent  # the package under test, installed or checked out

# Lowest first. A unit is a top-level module or subpackage of nncli.
LAYERS = [
    {"__init__", "errors", "text"},  # the package's name and version, errors, inert text
    # NumPy-free facts read before anything runs
    {"runtime", "activations", "layer_types", "settings", "feature_names", "formula"},
    {"config"},  # the typed run configuration, checked against the settings
    {"autograd"},
    {"nn", "optim"},
    {"data"},
    {"store"},
    {"train"},
    {"tasks"},
    {"command"},  # the command that makes a run, written from its config and the task catalog
    {"views"},
    {"session"},
    {"render", "export"},
    {"lessons"},
    {"bench"},  # the benchmarks' workloads and scripts (nncli bench runs them)
    {"cli", "__main__"},
]
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}


def unit_of(module):
    """The layer unit of a dotted module name: nncli.store.snapshots → store."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports(path):
    """The nncli modules a file imports, anywhere in it."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "nncli":
                yield from (f"nncli.{alias.name}" for alias in node.names)
            elif node.module.startswith("nncli."):
                yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name.startswith("nncli."))


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        yield ".".join(relative.parts).removesuffix(".__init__"), path


def test_every_unit_has_a_layer():
    units = {unit_of(module) for module, _ in modules()} - {"datasets"}
    assert {"autograd", "cli", "train"} <= units  # the package was found
    assert units <= set(RANK), f"add {sorted(units - set(RANK))} to LAYERS (and to the map in DESIGN.md)"


def imported_names_are_modules(name):
    """`from nncli import DISTRIBUTION` names a constant of the package, not a unit."""
    return name.split(".")[1] in RANK or (PACKAGE / name.split(".")[1]).exists()


@pytest.mark.parametrize("module,path", list(modules()), ids=lambda value: value if isinstance(value, str) else "")
def test_imports_flow_one_way(module, path):
    here = unit_of(module)
    upward = sorted(
        {
            imported
            for imported in imports(path)
            if imported_names_are_modules(imported) and RANK.get(unit_of(imported), -1) > RANK[here]
        }
    )
    assert not upward, f"{module} ({here}) imports from a higher layer: {', '.join(upward)}"
