"""How a run uses the machine: BLAS threads and the allocator.

NumPy-free on purpose: the thread count must be set before NumPy loads."""
