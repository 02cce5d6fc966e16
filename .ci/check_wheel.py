"""Check that a wheel holds the whole package tree: every module under nncli/ and every
file of datasets/ (installed as nncli.datasets), so no subpackage or data file can be
left out of what users install.

    python .ci/check_wheel.py DIST/nncli_learn-*.whl
"""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def expected():
    """The files the wheel must hold, by their path inside it: the tracked files under
    nncli/ and datasets/ (the latter installed as nncli/datasets/)."""
    tracked = subprocess.run(
        ["git", "ls-files", "nncli", "datasets"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return {"nncli/" + path if path.startswith("datasets/") else path for path in tracked}


def main(wheel):
    held = {name for name in zipfile.ZipFile(wheel).namelist() if not name.endswith("/")}
    missing = sorted(expected() - held)
    extra = sorted(name for name in held - expected() if not name.split("/")[0].endswith(".dist-info"))
    for name in missing:
        print(f"missing from the wheel: {name}")
    for name in extra:
        print(f"in the wheel but not in the tree: {name}")
    if missing or extra:
        sys.exit(1)
    print(f"{Path(wheel).name}: its {len(expected())} files match the package tree")


if __name__ == "__main__":
    main(sys.argv[1])
