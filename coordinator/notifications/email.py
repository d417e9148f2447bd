"""Email: rendered from Jinja2 templates, sent over SMTP, or written to .eml files."""

from __future__ import annotations

import hashlib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
import jinja2
import structlog

from coordinator.notifications.errors import PermanentError, TransientError

log = structlog.get_logger("fumin.mail")
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)
_HTML = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
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
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = rendered.subject
    message["Message-ID"] = msg_id
    message["Date"] = formatdate(localtime=False)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    # After the body: setting content drops Content-* headers.
    message["Content-Language"] = "en" if language == "en" else "zh-CN"
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


async def send_smtp(target: SmtpTarget, message: EmailMessage, *, timeout: float = 15) -> None:
    """Send one message; raise TransientError or PermanentError on failure."""
    context = ssl.create_default_context() if (target.use_tls or target.start_tls) else None
    try:
        await aiosmtplib.send(
            message,
            hostname=target.hostname,
            port=target.port,
            username=target.username,
            password=target.password,
            use_tls=target.use_tls,
            start_tls=target.start_tls,
            tls_context=context,
            timeout=timeout,
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        codes = [r.code for r in exc.recipients]
        text = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
        if codes and all(500 <= c < 600 for c in codes):
            raise PermanentError(f"recipient refused: {text}", status=codes[0]) from exc
        raise TransientError(
            f"recipient deferred: {text}", status=codes[0] if codes else None
        ) from exc
    except aiosmtplib.SMTPResponseException as exc:
        if 500 <= exc.code < 600 and exc.code not in (554,):
            raise PermanentError(f"{exc.code} {exc.message}", status=exc.code) from exc
        raise TransientError(f"{exc.code} {exc.message}", status=exc.code) from exc
    except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
        raise TransientError(f"{type(exc).__name__}: {exc}") from exc


def write_eml(mail_dir: Path, message: EmailMessage) -> Path:
    """Development mail: one .eml per message (the same message overwrites itself)."""
    mail_dir.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(str(message["Message-ID"]).encode()).hexdigest()[:20]
    path = mail_dir / f"{name}.eml"
    path.write_bytes(bytes(message))
    log.info("mail_written", path=str(path), to=message["To"], subject=message["Subject"])
    return path
