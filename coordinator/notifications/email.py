"""Email: rendered from Jinja2 templates, sent over SMTP, or written to .eml files."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import ssl
from dataclasses import dataclass
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
import jinja2
import structlog

from coordinator.notifications.errors import PermanentError, TransientError

log = structlog.get_logger("fumin.mail")
_LINK = re.compile(r"https?://[^\s<>\"']+")
# Templates ship with the code: loaded once, not checked on disk for changes per message.
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    auto_reload=False,
)
_HTML = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    auto_reload=False,
)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(template: str, language: str, context: dict[str, Any]) -> Rendered:
    """Render `templates/email/<template>.<language>.txt` (subject and text) and `.html`."""
    lang = "en" if language == "en" else "zh"
    text_template = TEMPLATES.get_template(f"email/{template}.{lang}.txt")
    subject, _, body = text_template.render(**context).partition("\n\n")
    html = _HTML.get_template(f"email/{template}.{lang}.html").render(**context)
    return Rendered(subject=subject.removeprefix("Subject:").strip(), text=body, html=html)


def message_id(event_id: str, recipient: str) -> str:
    """The same Message-ID for every attempt of one event to one recipient, so mail
    clients show a repeated delivery once."""
    digest = hashlib.sha256(f"{event_id}:{recipient}".encode()).hexdigest()[:24]
    return f"<{event_id}.{digest}@fumin>"


def build_message(
    *, sender: str, to: str, rendered: Rendered, msg_id: str, language: str
) -> MIMEMultipart:
    """A multipart/alternative message (text and HTML), UTF-8 throughout."""
    message = MIMEMultipart("alternative")
    name, address = parseaddr(sender)
    message["From"] = formataddr((str(Header(name, "utf-8")), address)) if name else address
    message["To"] = to
    message["Subject"] = Header(rendered.subject, "utf-8").encode()
    message["Message-ID"] = msg_id
    message["Date"] = formatdate(localtime=False)
    message["Content-Language"] = "en" if language == "en" else "zh-CN"
    message["Auto-Submitted"] = "auto-generated"
    message.attach(MIMEText(rendered.text, "plain", "utf-8"))
    message.attach(MIMEText(rendered.html, "html", "utf-8"))
    return message


@dataclass(frozen=True)
class SmtpTarget:
    hostname: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    start_tls: bool | None

    @classmethod
    def from_url(cls, url: str) -> SmtpTarget:
        """smtp://user:pass@host:587?starttls=true, smtps://host:465 (implicit TLS)."""
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        implicit = parts.scheme == "smtps"
        starttls_flag = query.get("starttls", [None])[0]
        start_tls: bool | None = None  # aiosmtplib: use STARTTLS when offered
        if starttls_flag is not None:
            start_tls = starttls_flag.lower() in ("1", "true", "yes", "on")
        return cls(
            hostname=parts.hostname or "localhost",
            port=parts.port or (465 if implicit else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=implicit,
            start_tls=False if implicit else start_tls,
        )


class SmtpPool:
    """A few SMTP connections kept open and reused, so a burst of mail costs no new
    connection (nor TLS handshake) per message. A connection that errs is dropped."""

    def __init__(self, target: SmtpTarget, *, size: int = 4, timeout: float = 15) -> None:
        self.target = target
        self.timeout = timeout
        self._idle: asyncio.Queue[aiosmtplib.SMTP | None] = asyncio.Queue()
        for _ in range(size):
            self._idle.put_nowait(None)

    async def _connect(self) -> aiosmtplib.SMTP:
        target = self.target
        context = ssl.create_default_context() if (target.use_tls or target.start_tls) else None
        client = aiosmtplib.SMTP(
            hostname=target.hostname,
            port=target.port,
            use_tls=target.use_tls,
            start_tls=target.start_tls,
            tls_context=context,
            timeout=self.timeout,
        )
        await client.connect()
        if target.username and target.password:
            await client.login(target.username, target.password)
        return client

    async def send(self, message: Message) -> None:
        """Send one message; raise TransientError or PermanentError on failure."""
        client = await self._idle.get()
        keep = False
        try:
            if client is None or not client.is_connected:
                client = await self._connect()
            await client.send_message(message)
            keep = True
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            text = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
            if codes and all(500 <= c < 600 for c in codes):
                raise PermanentError(f"recipient refused: {text}", status=codes[0]) from exc
            raise TransientError(
                f"recipient deferred: {text}", status=codes[0] if codes else None
            ) from exc
        except aiosmtplib.SMTPResponseException as exc:
            if 500 <= exc.code < 600 and exc.code != 554:
                raise PermanentError(f"{exc.code} {exc.message}", status=exc.code) from exc
            raise TransientError(f"{exc.code} {exc.message}", status=exc.code) from exc
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc
        finally:
            if not keep and client is not None:
                client.close()
            self._idle.put_nowait(client if keep else None)

    async def close(self) -> None:
        while not self._idle.empty():
            client = self._idle.get_nowait()
            if client is not None and client.is_connected:
                with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                    await client.quit()


def write_eml(mail_dir: Path, message: Message) -> Path:
    """Development mail: one .eml per message (the same message overwrites itself)."""
    mail_dir.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(str(message["Message-ID"]).encode()).hexdigest()[:20]
    path = mail_dir / f"{name}.eml"
    path.write_bytes(message.as_bytes())
    text_part = message.get_payload(0) if message.is_multipart() else message
    body = text_part.get_payload(decode=True) if isinstance(text_part, Message) else b""
    links = _LINK.findall(body.decode("utf-8", "replace") if isinstance(body, bytes) else "")
    # Development mail is read from the log: show where it went and the links to click.
    log.info("mail_written", path=str(path), to=message["To"], links=links)
    return path
