"""Benchmarks. `python -m benchmarks` runs the speed benchmarks, the same as `nncli bench`.

Their implementation lives in `nncli.bench`, inside the installed package, so that users
can run `nncli bench`; `__main__` here is only the entry point for a checkout.
"""
