"""Benchmark scripts (run as `python bench/NAME.py`) and the stack helpers the fault tests share."""
