"""Benchmarks: speed targets, each measured as a ratio against a baseline in the same run.

`python -m bench [name ...]` runs them (see `__main__`); a benchmark is a module here
with `async def run(ctx: common.Context) -> common.Result`. PostgreSQL and Redis are
embedded ones in a temp dir unless BENCH_DATABASE_URL / BENCH_REDIS_URL name scratch
servers (benchmarks empty that database). Servers run in subprocesses on loopback.
"""
