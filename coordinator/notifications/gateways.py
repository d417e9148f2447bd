"""The ways out of Fumin: SMTP connections and an HTTP client, opened once per worker."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

from coordinator.notifications.email import SmtpPool, SmtpTarget
from coordinator.platform.settings import Settings


@dataclass
class Gateways:
    settings: Settings
    http: aiohttp.ClientSession
    smtp: SmtpPool | None

    @classmethod
    def open(cls, settings: Settings) -> Gateways:
        smtp = SmtpPool(SmtpTarget.from_url(settings.smtp_url)) if settings.smtp_url else None
        return cls(settings=settings, http=aiohttp.ClientSession(), smtp=smtp)

    async def close(self) -> None:
        await self.http.close()
        if self.smtp is not None:
            await self.smtp.close()
