"""Windows, as far as Linux can pretend: no termios and no tty (msvcrt is absent here
anyway), so nothing can read keys from the terminal. Put this folder on PYTHONPATH."""

import sys

sys.modules["termios"] = None  # `import termios` now raises ImportError, as on Windows
sys.modules["tty"] = None
