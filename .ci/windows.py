"""The commands that touch the terminal, run as on Windows: termios unimportable (see
windows/sitecustomize.py) and every stream in cp1252. Each runs at a terminal (a
pseudo-terminal of 80x24, stdin on it too) and with its output redirected to a file; each
must finish with exit 0, no traceback and output that is valid cp1252.

    python .ci/windows.py      (with the nncli to check installed in this Python)
"""

import os
import pty
import subprocess
import sys
import tempfile
from pathlib import Path

COMMANDS = [
    "train xor --epochs 300",
    "approx sin --epochs 100",
    "replay xor --fps 60",
    "learn 1 --quick",
    "learn 5 --quick",
    "compare linreg --vary lr=0.01,1.1 --epochs 30",
    "descend rosenbrock --steps 50",
    "visualize xor",
    "explain descent",
    "explain backprop xor --input 1,0",
    "inspect weights xor",
    "inspect network xor --input 1,0 --grad",
    "inspect graph tanh(x*w+b) x=2 w=-3 b=6.8814",
]
FAILURE_SIGNS = ("Traceback", "unexpected error", "No module named")


def at_terminal(args, env):
    """(exit code, output) of `nncli ARGS` on an 80x24 pseudo-terminal."""
    leader, follower = pty.openpty()
    env = {**env, "COLUMNS": "80", "LINES": "24", "TERM": "xterm-256color"}
    command = [sys.executable, "-m", "nncli", *args]
    process = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command has ended
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    return process.wait(timeout=300), output


def redirected(args, env, folder):
    """(exit code, stdout and stderr) of `nncli ARGS` with stdout to a file, stderr piped."""
    with open(folder / "out", "wb") as out:
        done = subprocess.run([sys.executable, "-m", "nncli", *args], stdout=out, stderr=subprocess.PIPE, env=env)
    return done.returncode, (folder / "out").read_bytes() + done.stderr


def main():
    folder = Path(tempfile.mkdtemp())
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).parent / "windows"),
        "PYTHONIOENCODING": "cp1252",
        "NNCLI_HOME": str(folder / "store"),
    }
    blocked = subprocess.run([sys.executable, "-c", "import termios"], env=env, capture_output=True)
    assert blocked.returncode != 0, "the simulation does not hide termios"
    failed = 0
    for command in COMMANDS:
        args = command.split()
        for where, (code, output) in (
            ("terminal", at_terminal(args, env)),
            ("redirected", redirected(args, env, folder)),
        ):
            problems = [sign for sign in FAILURE_SIGNS if sign.encode() in output]
            try:
                output.decode("cp1252")
            except UnicodeDecodeError as error:
                problems.append(f"not cp1252: {error}")
            ok = code == 0 and not problems
            failed += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {where:10} exit {code}  nncli {command}  {' '.join(problems)}")
            if not ok:
                print(output.decode("cp1252", "replace")[-2000:])
    print(f"Windows simulation: {2 * len(COMMANDS) - failed} of {2 * len(COMMANDS)} runs passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
