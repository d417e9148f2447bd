"""Where photos' bytes are kept: a photo store is three calls (put, get, delete) by key.
`LocalPhotoStore` keeps them as files under FUMIN_PHOTO_DIR; another store (an object
store in production) is one more class here and one more name for FUMIN_PHOTO_STORE."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from coordinator.platform.settings import Settings

# Keys are paths of a few safe parts ("3f/3f2a….jpg"): never absolute, never "..".
_KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}(/[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}){0,3}")


class PhotoMissing(LookupError):
    """The store holds nothing under the key."""


class PhotoStore(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Keep `data` under `key` (replacing what was there), whole or not at all."""

    async def get(self, key: str) -> bytes:
        """The bytes under `key`; PhotoMissing when there are none."""

    async def delete(self, key: str) -> None:
        """Forget `key` (nothing happens when it is not there)."""


def check_key(key: str) -> str:
    if not _KEY.fullmatch(key) or ".." in key.split("/"):
        raise ValueError(f"not a photo key: {key!r}")
    return key


class LocalPhotoStore:
    """Files under a directory; a put writes a temporary file in the same folder, syncs it
    and renames it into place, so a reader sees the old file or the new one, never half."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._put, self.path(key), data)

    async def get(self, key: str) -> bytes:
        try:
            return await asyncio.to_thread(self.path(key).read_bytes)
        except FileNotFoundError:
            raise PhotoMissing(key) from None

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path(key).unlink, missing_ok=True)

    @staticmethod
    def _put(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # mkstemp makes the file readable by its owner only, and so it stays.
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise


def photo_store(settings: Settings) -> PhotoStore:
    """The store FUMIN_PHOTO_STORE names ("local": files under FUMIN_PHOTO_DIR)."""
    if settings.photo_store == "local":
        return LocalPhotoStore(settings.photo_dir)
    raise ValueError(f"unknown photo store {settings.photo_store!r}")
