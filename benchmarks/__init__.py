"""Speed benchmarks: `python -m benchmarks` (the same as `nncli bench`).

The implementation lives in `nncli.bench`, inside the installed package, so that users
can run `nncli bench`; this folder is only the entry point for a checkout.
"""
