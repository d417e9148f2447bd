"""Interrupted work going again within seconds, not after the sweep's minute.

arq marks a job in progress for its timeout plus 10 s, and only then lets another worker
run it: a killed worker's jobs would wait that long. Each worker here keeps a liveness key
alive (refreshed every second, gone `LIVENESS` seconds after the last refresh) and notes
which of its jobs it runs; a worker that finds another one dead lifts the in-progress
marks of that worker's jobs, which are still queued, so they run again at once. A marker
key that vanishes tells the workers that Redis lost its data (flushed, restarted): one of
them then enqueues again at once whatever PostgreSQL says is unfinished. Every worker
does the same when it starts. Running a job twice is safe (handlers are keyed by event
and delivery ids, and each delivery is sent under its row's lock).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from dataclasses import dataclass, field

import structlog
from arq.connections import ArqRedis
from arq.constants import in_progress_key_prefix

from workers.relay import Relay

log = structlog.get_logger("fumin.recovery")

WORKERS = "fumin:workers"  # ids of the workers that registered
ALIVE = "fumin:worker:alive:"  # + id: present while the worker lives
RUNNING = "fumin:worker:running:"  # + id: the ids of the jobs it runs
EPOCH = "fumin:redis:epoch"  # missing: Redis lost its data since the last look
TICK = 1.0
LIVENESS = 3.0
# An in-progress mark this old that no live worker claims was left by a dead one (a live
# worker claims its job a few milliseconds after arq marks it).
ORPHAN_AFTER = 2.0
OURS = ("event:", "delivery:")  # cron jobs keep arq's own marks


@dataclass
class Recovery:
    redis: ArqRedis
    relay: Relay
    in_progress_seconds: float
    """How long arq marks a job in progress (the longest job timeout plus 10 s)."""
    worker_id: str = field(default_factory=lambda: f"{os.getpid()}-{uuid.uuid4().hex[:8]}")

    async def job_started(self, job_id: str) -> None:
        if job_id.startswith(OURS):
            await self.redis.sadd(RUNNING + self.worker_id, job_id)  # type: ignore[misc]

    async def job_ended(self, job_id: str) -> None:
        if job_id.startswith(OURS):
            await self.redis.srem(RUNNING + self.worker_id, job_id)  # type: ignore[misc]

    async def run(self, stop: asyncio.Event) -> None:
        """Start-up recovery, then a look every second until `stop` is set."""
        first = True
        while not stop.is_set():
            try:
                await self.tick(starting=first)
                first = False
            except Exception:  # Redis or PostgreSQL away for a moment: look again
                log.warning("recovery_error", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), TICK)

    async def tick(self, *, starting: bool = False) -> None:
        me = self.worker_id
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(ALIVE + me, b"1", px=int(LIVENESS * 1000))
            pipe.sadd(WORKERS, me)  # after ALIVE: a registered worker has its key
            pipe.set(EPOCH, me.encode(), nx=True)
            pipe.smembers(WORKERS)
            _, _, lost_data, members = await pipe.execute()
        others = sorted(m.decode() for m in members if m.decode() != me)
        dead: list[str] = []
        if others:
            async with self.redis.pipeline(transaction=False) as pipe:
                for other in others:
                    pipe.exists(ALIVE + other)
                alive = await pipe.execute()
            gone = [w for w, up in zip(others, alive, strict=True) if not up]
            # Several workers may notice the same death: the one that unregisters it acts.
            for worker in gone:
                if await self.redis.srem(WORKERS, worker):  # type: ignore[misc]
                    dead.append(worker)
        if starting or dead or lost_data:
            if dead:
                log.warning("workers_gone", workers=dead)
            elif lost_data and not starting:
                log.warning("redis_lost_its_data")
            live = [w for w in others if w not in dead]
            freed = await self.free_orphans(live=[me, *live])
            if dead:
                await self.redis.delete(*(RUNNING + w for w in dead))
            requeued = await self.relay.recover()
            log.info("recovered", freed=freed, requeued=requeued, starting=starting)

    async def free_orphans(self, *, live: list[str]) -> int:
        """Lift the in-progress marks of jobs that no live worker runs, so they run again."""
        running = await self.redis.sunion([RUNNING + w for w in live])  # type: ignore[misc]
        claimed = {m.decode() for m in running}
        keys = []
        async for key in self.redis.scan_iter(match=in_progress_key_prefix + "*", count=1000):
            job_id = key.decode()[len(in_progress_key_prefix) :]
            if job_id.startswith(OURS) and job_id not in claimed:
                keys.append(key)
        if not keys:
            return 0
        async with self.redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.pttl(key)
            ttls = await pipe.execute()
        full = self.in_progress_seconds * 1000
        orphans = [
            k for k, ttl in zip(keys, ttls, strict=True) if 0 < ttl <= full - ORPHAN_AFTER * 1000
        ]
        if orphans:
            await self.redis.delete(*orphans)
        return len(orphans)

    async def leave(self) -> None:
        """A clean stop: unregister (arq itself lifts the marks of the jobs it stops)."""
        me = self.worker_id
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.srem(WORKERS, me)
            pipe.delete(ALIVE + me, RUNNING + me)
            await pipe.execute()
