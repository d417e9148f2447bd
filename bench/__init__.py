"""Benchmarks: each measures Fumin against a baseline in the same run (see __main__)."""
