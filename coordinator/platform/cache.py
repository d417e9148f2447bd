"""The one bounded cache every kept answer in Fumin is made of.

Each entry is kept until its own deadline (seconds from when it was put, on the monotonic
clock) and, when it was put with a stamp, only while the caller still presents that stamp
(coordinator.platform.changes gives stamps that move whenever a table changes). Beyond
`size` entries the least recently used goes first.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from cachetools import TLRUCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class _Entry(Generic[V]):
    value: V
    until: float
    stamp: int | None


class Kept(Generic[K, V]):
    """Up to `size` values, each until its deadline and while its stamp holds."""

    def __init__(self, size: int, *, clock: Clock = time.monotonic) -> None:
        self.clock = clock
        self._entries: TLRUCache[K, _Entry[V]] = TLRUCache(
            maxsize=size, ttu=self._expiry, timer=clock
        )

    @staticmethod
    def _expiry(_key: object, entry: _Entry[V], _now: float) -> float:
        return entry.until

    def get(self, key: K, stamp: int | None = None) -> V | None:
        """The value kept for `key`, if it is still good for `stamp`."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.stamp != stamp:
            self._entries.pop(key, None)
            return None
        return entry.value

    def put(self, key: K, value: V, *, seconds: float = math.inf, stamp: int | None = None) -> None:
        """Keep `value` for `seconds` at most (and, with a stamp, while it holds)."""
        if seconds <= 0:
            self._entries.pop(key, None)
            return
        self._entries[key] = _Entry(value, self.clock() + seconds, stamp)

    def pop(self, key: K) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries
