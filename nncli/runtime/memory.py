"""Let the C allocator keep the memory a training step frees, for the next step to reuse.

Every step makes its big arrays anew (activations, masks, gradients) and frees them when it
ends. On Linux, glibc's malloc gives big blocks back to the operating system when they are
freed: a block above its mmap threshold is unmapped, and free memory at the top of the heap
above its trim threshold is returned. The next step's arrays are then memory new to the
process, and the kernel must fault in and zero every 4 KB page before NumPy can write it:
for a batch of 4096 through a 64-wide network that was more than half of each step
(6.7-8.7 ms a step, about 1,400 page faults, against 3.3-3.9 ms and none once the memory
is kept; 2048-wide at batch 1: 9.8-11.3 ms against 6.8-6.9 ms).

Fixed thresholds tell malloc to keep such blocks: the process then holds on to the memory
of its largest step, which it needs again at the very next one. PyTorch, with its own
CPU allocator on top of malloc, gets the same help when it runs in the same process.

Only the command line calls this (a library should not change its host process's
allocator behind its back); as a library, call `keep_freed_memory()` yourself. Elsewhere
than glibc nothing changes.
"""

import sys

M_TRIM_THRESHOLD = -1  # mallopt's parameter numbers, from glibc's <malloc.h>
M_MMAP_THRESHOLD = -3
KEEP = 1 << 30  # blocks below 1 GiB come from, and go back to, the process's own heap
KEEP_MOST_GLIBCS = 32 << 20  # the highest mmap threshold older glibcs accept


def keep_freed_memory():
    """Ask glibc's malloc to keep freed blocks for reuse; returns whether it agreed."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no such knob)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    kept = mallopt(M_MMAP_THRESHOLD, KEEP) or mallopt(M_MMAP_THRESHOLD, KEEP_MOST_GLIBCS)
    return bool(kept and mallopt(M_TRIM_THRESHOLD, KEEP))
