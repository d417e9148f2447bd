"""Settings read from the environment, validated once at start-up."""

from __future__ import annotations

import functools
import secrets
from datetime import time, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from coordinator.platform.i18n import Text
from coordinator.platform.setting_groups import FeedSettings, VisitSettings, parse_pairs
from coordinator.platform.workhours import (
    Periods,
    Weekend,
    WorkHours,
    parse_weekend,
    parse_work_hours,
)


class SettingsError(Exception):
    """Raised with one readable line per bad or missing setting."""


# What the subdistrict's own zone is called; any other zone is shown by its name.
ZONE_NAMES = {"Asia/Shanghai": Text("北京时间", "Beijing time")}


class Settings(BaseSettings):
    """Everything Fumin reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    env: Literal["development", "test", "production"] = Field(
        default="development", alias="FUMIN_ENV"
    )
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    redis_url: str | None = Field(default=None, alias="REDIS_URL")
    data_dir: Path = Field(default=Path("var"), alias="FUMIN_DATA_DIR")
    host: str = Field(default="127.0.0.1", alias="HOST")
    port: int = Field(default=8080, ge=1, le=65535, alias="PORT")
    public_url: str | None = Field(default=None, alias="FUMIN_PUBLIC_URL")
    admin_token: str | None = Field(default=None, alias="FUMIN_ADMIN_TOKEN")
    secret_key: str = Field(default="", alias="FUMIN_SECRET_KEY")
    timezone: str = Field(default="Asia/Shanghai", alias="FUMIN_TIMEZONE")
    db_pool_size: int = Field(default=10, ge=1, le=200, alias="FUMIN_DB_POOL_SIZE")
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", alias="FUMIN_LOG_LEVEL"
    )
    service_phone: str = Field(default="12345", max_length=30, alias="FUMIN_SERVICE_PHONE")
    smtp_url: str | None = Field(default=None, alias="SMTP_URL")
    mail_from: str = Field(default="福民 Fumin <noreply@fumin.localhost>", alias="FUMIN_MAIL_FROM")
    quiet_hours: str = Field(default="21:00-08:00", alias="FUMIN_QUIET_HOURS")
    relay_poll_seconds: float = Field(default=1.0, gt=0, le=60, alias="FUMIN_RELAY_POLL_SECONDS")
    redeliver_after_seconds: float = Field(
        default=60.0, gt=0, le=3600, alias="FUMIN_REDELIVER_AFTER_SECONDS"
    )
    delivery_max_attempts: int = Field(default=8, ge=1, le=50, alias="FUMIN_DELIVERY_MAX_ATTEMPTS")
    retry_base_seconds: float = Field(default=5.0, gt=0, le=3600, alias="FUMIN_RETRY_BASE_SECONDS")
    visit_reminder_hours: str = Field(default="24,2", alias="FUMIN_VISIT_REMINDER_HOURS")
    visit_nudge_after_hours: float = Field(
        default=48.0, gt=0, le=24 * 366, alias="FUMIN_VISIT_NUDGE_AFTER_HOURS"
    )
    visit_alert_after_hours: float = Field(
        default=24.0, gt=0, le=24 * 366, alias="FUMIN_VISIT_ALERT_AFTER_HOURS"
    )
    coordinator_emails: str = Field(default="", alias="FUMIN_COORDINATOR_EMAILS")
    feed_past_days: float = Field(default=30.0, ge=0, le=3660, alias="FUMIN_FEED_PAST_DAYS")
    feed_ahead_days: float = Field(default=180.0, gt=0, le=3660, alias="FUMIN_FEED_AHEAD_DAYS")
    job_timeout_seconds: int = Field(default=60, ge=1, le=3600, alias="FUMIN_JOB_TIMEOUT_SECONDS")
    worker_jobs: int = Field(default=20, ge=1, le=1000, alias="FUMIN_WORKER_JOBS")
    plan_workers: int = Field(default=8, ge=1, le=64, alias="FUMIN_PLAN_WORKERS")
    # Working time (coordinator.worktime): periods of a working day, in `zone`, and the
    # days of the week that are not working days unless the work calendar says otherwise.
    work_hours: WorkHours = Field(default="09:00-12:00,13:00-17:30", alias="FUMIN_WORK_HOURS")
    work_weekend: Weekend = Field(default="sat,sun", alias="FUMIN_WORK_WEEKEND")
    # Working hours before a case task's due time its assignee is reminded (0: never).
    case_remind_hours: float = Field(default=2.0, ge=0, le=200, alias="FUMIN_CASE_REMIND_HOURS")
    # Photos (coordinator/photos): where they are kept, the largest upload, the most pixels
    # (at most Pillow's own bomb limit, so its warning never precedes our refusal).
    photo_store: Literal["local"] = Field(default="local", alias="FUMIN_PHOTO_STORE")
    photo_root: Path | None = Field(default=None, alias="FUMIN_PHOTO_DIR")
    photo_max_bytes: int = Field(
        default=10 * 1024**2, ge=1024, le=1024**3, alias="FUMIN_PHOTO_MAX_BYTES"
    )
    photo_max_pixels: int = Field(
        default=50_000_000, ge=10_000, le=89_478_485, alias="FUMIN_PHOTO_MAX_PIXELS"
    )
    # The survey's rules (housing/rules): the case category of each suspect state, and the
    # state a dwelling takes when that case is resolved as rectified ("state=code,...").
    survey_case_categories: str = Field(
        default="suspected_group_rental=group_rental,suspected_day_rental=day_rental",
        alias="FUMIN_SURVEY_CASE_CATEGORIES",
    )
    survey_rectified_states: str = Field(
        default="suspected_group_rental=rented_whole,suspected_day_rental=vacant",
        alias="FUMIN_SURVEY_RECTIFIED_STATES",
    )
    # Residential survey campaigns: after how many visits with nobody home the area's lead
    # is told, and how often a walk list with results queued offline tries to send them.
    survey_revisit_alert_after: int = Field(
        3, ge=1, le=20, alias="FUMIN_SURVEY_REVISIT_ALERT_AFTER"
    )
    survey_retry_seconds: float = Field(20.0, ge=1, le=3600, alias="FUMIN_SURVEY_RETRY_SECONDS")
    _secret_key_made: bool = PrivateAttr(default=False)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        scheme = value.split("://", 1)[0]
        if scheme not in ("postgres", "postgresql", "postgresql+asyncpg"):
            raise ValueError("must be a postgresql:// URL")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("redis://", "rediss://")):
            raise ValueError("must be a redis:// or rediss:// URL")
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("smtp://", "smtps://")):
            raise ValueError("must be an smtp:// or smtps:// URL")
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        parse_quiet_hours(value)
        return value

    @field_validator("visit_reminder_hours")
    @classmethod
    def _reminder_hours(cls, value: str) -> str:
        parse_hours_list(value)
        return value

    @field_validator("survey_case_categories", "survey_rectified_states")
    @classmethod
    def _pairs(cls, value: str) -> str:
        parse_pairs(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _production_needs_real_services(self) -> Settings:
        if self.env == "production":
            missing = [
                name
                for name, value in (
                    ("DATABASE_URL", self.database_url),
                    ("REDIS_URL", self.redis_url),
                    ("FUMIN_SECRET_KEY", self.secret_key),
                    ("FUMIN_PUBLIC_URL", self.public_url),
                )
                if not value
            ]
            if missing:
                raise ValueError("production needs " + ", ".join(missing))
            if len(self.secret_key) < 32:
                raise ValueError("FUMIN_SECRET_KEY must be at least 32 characters in production")
        elif not self.secret_key:
            # Development and tests get a per-process key; links then last one run.
            self.secret_key = secrets.token_urlsafe(32)
            self._secret_key_made = True
        return self

    @property
    def secret_key_given(self) -> bool:
        """Whether FUMIN_SECRET_KEY was set (else the key is this process's own)."""
        return not self._secret_key_made

    @property
    def quiet(self) -> tuple[time, time] | None:
        return parse_quiet_hours(self.quiet_hours)

    @property
    def work_periods(self) -> Periods:
        return parse_work_hours(self.work_hours)

    @property
    def weekend_days(self) -> frozenset[int]:
        return parse_weekend(self.work_weekend)

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def photo_dir(self) -> Path:
        return self.photo_root or self.data_dir / "photos"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def zone_name(self) -> Text:
        """What people are told the times are in: 北京时间 for Asia/Shanghai, else the zone."""
        return ZONE_NAMES.get(self.timezone) or Text(self.timezone, self.timezone)

    @functools.cached_property
    def visits(self) -> VisitSettings:
        return VisitSettings(
            reminders=parse_hours_list(self.visit_reminder_hours),
            nudge_after=timedelta(hours=self.visit_nudge_after_hours),
            alert_after=timedelta(hours=self.visit_alert_after_hours),
            coordinator_emails=tuple(
                e.strip() for e in self.coordinator_emails.split(",") if e.strip()
            ),
        )

    @functools.cached_property
    def feeds(self) -> FeedSettings:
        return FeedSettings(
            past=timedelta(days=self.feed_past_days), ahead=timedelta(days=self.feed_ahead_days)
        )

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def public_host(self) -> str:
        """The host name in `base_url` (calendar UIDs and fallback addresses name it)."""
        return self.base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]

    @property
    def async_database_url(self) -> str:
        """The database URL with the asyncpg driver named."""
        assert self.database_url, "DATABASE_URL is not set"
        return to_asyncpg_url(self.database_url)


def parse_quiet_hours(value: str) -> tuple[time, time] | None:
    """'21:00-08:00' -> (21:00, 08:00); 'off' or '' -> None."""
    if value.strip().lower() in ("", "off", "none"):
        return None
    try:
        start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError as exc:
        raise ValueError("must look like 21:00-08:00 (or off)") from exc
    if start == end:
        raise ValueError("start and end of quiet hours must differ")
    return start, end


def parse_hours_list(value: str) -> tuple[timedelta, ...]:
    """'24,2' -> (24 h, 2 h), largest first; fractions allowed ('0.5')."""
    try:
        hours = {float(part) for part in value.split(",") if part.strip()}
    except ValueError as exc:
        raise ValueError("must be hours separated by commas, like 24,2") from exc
    return tuple(timedelta(hours=h) for h in sorted(hours, reverse=True) if h > 0)


def to_asyncpg_url(url: str) -> str:
    scheme, rest = url.split("://", 1)
    if scheme in ("postgres", "postgresql"):
        return "postgresql+asyncpg://" + rest
    return url


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning validation errors into one clear line per setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            field = ".".join(str(p) for p in error["loc"]) or "settings"
            name = _ENV_NAMES.get(field, field)
            lines.append(f"{name}: {error['msg']}")
        raise SettingsError("invalid settings:\n  " + "\n  ".join(lines)) from None


_ENV_NAMES = {name: (field.alias or name).upper() for name, field in Settings.model_fields.items()}
