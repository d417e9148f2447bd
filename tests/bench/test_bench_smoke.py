"""The benchmark harness still works: its load generator against a bare handler (~2 s)."""

from __future__ import annotations

from pathlib import Path

from bench.common import generate_load, process_cpu, start_server


async def test_load_generator_reports_sane_numbers_against_a_bare_handler(tmp_path: Path) -> None:
    server = await start_server("static", "--default", '{"ok":true}', workdir=tmp_path)
    try:
        timed = await generate_load(
            server.url,
            lambda i: (f"/ping/{i % 7}", {}),
            concurrency=4,
            duration=1.0,
            warmup=0.2,
            cpu_probes={"server": process_cpu(server.pid)},
        )
        counted = await generate_load(
            server.url, lambda i: ("/ping", {}), concurrency=2, requests=20
        )
    finally:
        server.stop()

    assert timed.errors == 0, timed.first_error
    assert timed.requests > 0
    assert 0.9 < timed.elapsed < 1.5
    assert timed.rps > 0
    assert 0 < timed.p50 <= timed.p99
    assert timed.cpu["server"] > 0
    assert set(timed.summary()) >= {"requests", "rps", "p50_ms", "p99_ms", "cpu"}

    assert counted.requests == 20
    assert counted.errors == 0
