"""Benchmarks: nncli's speed and accuracy next to their references, all in one place.

`speed` is what `nncli bench` runs (the engines against hand-written NumPy, PyTorch and
micrograd). The others are scripts, each run as `python -m nncli.bench.NAME`, that print
a comparison they do not assert: `conv_vs_torch`, `csv_vs_sklearn`, `digits_vs_sklearn`,
`shifted_digits` and `live_frames`. This package imports nothing itself, so a script can
choose its BLAS threads before NumPy loads.
"""
