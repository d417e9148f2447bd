"""`fumin worker` and `fumin planner`: an arq worker that sees its graceful stop through,
and what the workers last recorded of their health (`fumin worker --check` asks it)."""

from __future__ import annotations

import asyncio
import logging.config
import signal
from collections.abc import Callable
from typing import Any

from arq.constants import default_queue_name, health_check_key_suffix
from arq.logs import default_log_config
from arq.worker import create_worker
from redis.asyncio import Redis

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def stop_once(loop: asyncio.AbstractEventLoop, stop: Callable[[signal.Signals], Any]) -> None:
    """The first SIGTERM or SIGINT starts `stop`; later ones are ignored to the end.

    A stop is often asked twice, at once: a process manager signals the whole process
    group, or the cgroup, and `fumin up` passes its own SIGTERM on. The default handlers
    would take the second as a new request (arq cancels again what it is finishing; once
    the event loop closes, a SIGTERM kills the process outright) and cut the graceful stop
    short. SIGKILL remains the way to force one.
    """

    def first(signum: signal.Signals) -> None:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)
            signal.signal(sig, signal.SIG_IGN)
        stop(signum)

    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, first, sig)
    # `fumin up` starts its children with these held until now (coordinator.ops.supervisor).
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def run(settings_cls: Any) -> int:
    """Run an arq worker from its settings class, as `arq <settings>` does."""
    logging.config.dictConfig(default_log_config(False))
    worker = create_worker(settings_cls, handle_signals=False)
    stopping: list[signal.Signals] = []

    def stop(signum: signal.Signals) -> None:
        stopping.append(signum)
        worker.handle_sig(signum)

    stop_once(worker.loop, stop)
    try:
        worker.run()
    except asyncio.CancelledError:
        # The stop cancels the jobs in flight; arq's close then meets the cancellation of
        # one caught before it began (in its start hook) and raises it. Such a job is
        # still queued, and recovery re-runs whatever PostgreSQL says is unfinished: the
        # stop was as graceful as any other.
        if not stopping:
            raise
    return 0


async def health(redis_url: str, queue_name: str = default_queue_name) -> str | None:
    """What the queue's workers last recorded of their health (arq writes it every
    `health_check_interval` seconds, and it expires a second after the next was due), or
    None when no worker has recorded any in that time."""
    client = Redis.from_url(redis_url, socket_connect_timeout=5, socket_timeout=5)
    try:
        value = await client.get(queue_name + health_check_key_suffix)
    finally:
        await client.aclose()
    return value.decode() if isinstance(value, bytes) else value
