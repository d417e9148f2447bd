"""Run the benchmarks: `python -m bench [name ...] [--duration S] [--rounds N]`.

A benchmark is a module of this package with `async def run(ctx) -> Result`. Each prints
a result block; a JSON summary of the run goes to bench/results/. The exit status is 1
if any benchmark missed its target or failed.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib
import json
import os
import pkgutil
import platform
import subprocess
import sys
import traceback
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from bench.common import BENCH_DIR, RESULTS_DIR, ROOT, Context, Options

HELPERS = {"common", "serve"}


def benchmarks() -> dict[str, ModuleType]:
    """Every benchmark module, by name."""
    found = {}
    for info in sorted(pkgutil.iter_modules([str(BENCH_DIR)]), key=lambda i: i.name):
        if info.name in HELPERS or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        if asyncio.iscoroutinefunction(getattr(module, "run", None)):
            found[info.name] = module
    return found


def git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip() + ("+dirty" if dirty else "")


async def run_all(modules: dict[str, ModuleType], options: Options) -> list[dict[str, Any]]:
    summaries: list[dict[str, Any]] = []
    ctx = Context(options)
    try:
        for name, module in modules.items():
            print(f"-- {name}: {(module.__doc__ or '').strip().splitlines()[0]}", flush=True)
            try:
                result = await module.run(ctx)
            except Exception as exc:
                traceback.print_exc()
                print(f"== {name}: ERROR {type(exc).__name__}: {exc}\n  result     MISS\n")
                summaries.append({"name": name, "passed": False, "error": repr(exc)})
                continue
            finally:
                await asyncio.to_thread(ctx.stop_servers)
            print(result.block() + "\n", flush=True)
            summaries.append(result.summary())
    finally:
        await asyncio.to_thread(ctx.close)
    return summaries


def main(argv: list[str] | None = None) -> int:
    available = benchmarks()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "names", nargs="*", help=f"benchmarks to run (default all: {', '.join(available)})"
    )
    parser.add_argument(
        "--duration", type=float, default=Options.duration, help="seconds per measured run"
    )
    parser.add_argument(
        "--warmup", type=float, default=Options.warmup, help="seconds before each measured run"
    )
    parser.add_argument("--rounds", type=int, default=Options.rounds, help="measured runs per side")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in available]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(available)}")
    chosen = {name: available[name] for name in (args.names or available)}
    options = Options(duration=args.duration, warmup=args.warmup, rounds=args.rounds)

    started = datetime.now(UTC)
    summaries = asyncio.run(run_all(chosen, options))
    report = {
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "commit": git_commit(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "options": dataclasses.asdict(options),
        "results": summaries,
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    missed = [s["name"] for s in summaries if not s.get("passed")]
    print(f"summary written to {path.relative_to(ROOT)}")
    print("all benchmarks PASS" if not missed else f"MISS: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
