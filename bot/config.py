"""Settings from the environment (and an optional .env), read once with pydantic-settings.

TELEGRAM_BOT_TOKEN and TELEGRAM_BASE_URL keep their conventional names; everything else
is under MEGAROTH_. The token is a SecretStr: it never appears in a repr, a log or an
error message.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AliasChoices,
    Field,
    HttpUrl,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SECRET_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


DEFAULT_TIMEZONE = "America/New_York"


def today_in(zone: str = DEFAULT_TIMEZONE, now: dt.datetime | None = None) -> dt.date:
    """Today's date where people plan their year (US time by default, not UTC: at
    7:30 pm on December 31 in New York it is still that year). `now` is the wall clock
    unless a test gives a moment (aware)."""
    moment = dt.datetime.now(dt.UTC) if now is None else now
    return moment.astimezone(ZoneInfo(zone)).date()


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix="MEGAROTH_", env_file=".env", extra="ignore", populate_by_name=True
    )

    token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "MEGAROTH_TOKEN")
    )
    base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_BASE_URL", "MEGAROTH_BASE_URL")
    )
    db: Path = Path("megaroth.sqlite3")
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: HttpUrl | None = None
    webhook_secret: SecretStr | None = None
    listen: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8080
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    retention_days: Annotated[int, Field(ge=1, le=3650)] = 30
    timezone: str = DEFAULT_TIMEZONE  # whose calendar "today" is (a tax year's last day)
    backup_days: Annotated[int, Field(ge=0, le=3650)] = 14
    retry_max_delay: Annotated[float, Field(ge=0.05, le=600)] = 30.0
    chart_dir: Path | None = None  # the terminal's charts; None: a private temporary folder
    bot_username: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{3,31}$")] | None = None
    plans_file: Path | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    heartbeat_file: Path | None = None
    heartbeat_interval: Annotated[float, Field(ge=0.1, le=30)] = 15.0
    metrics_interval: Annotated[int, Field(ge=0, le=86400)] = 300

    @field_validator("token")
    @classmethod
    def _token_shape(cls, token: SecretStr | None) -> SecretStr | None:
        if token is None or not token.get_secret_value().strip():
            return None
        value = token.get_secret_value().strip()
        bot_id, _, secret = value.partition(":")
        if not bot_id.isdigit() or len(secret) < 20:
            raise ValueError("must look like 123456789:ABC... as @BotFather gives it")
        return SecretStr(value)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _id_list(cls, value: object) -> object:
        """Telegram user ids, comma-separated ("123,456") or as a JSON list."""
        if not isinstance(value, str):
            return value
        text = value.strip().removeprefix("[").removesuffix("]")
        ids = [part.strip() for part in text.split(",") if part.strip()]
        if not all(part.isdigit() for part in ids):
            raise ValueError("must be Telegram user ids, like 123456789,987654321")
        return frozenset(int(part) for part in ids)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone, like America/New_York") from None
        return zone

    def today(self) -> dt.date:
        return today_in(self.timezone)

    @field_validator("bot_username", mode="before")
    @classmethod
    def _no_username(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("base_url")
    @classmethod
    def _base_url_shape(cls, url: str | None) -> str | None:
        if url is None or not url.strip():
            return None
        url = url.strip()
        if not url.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https:// (e.g. http://host:8081/bot)")
        return url

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is None:
            return None
        value = secret.get_secret_value()
        if not 1 <= len(value) <= 256 or not set(value) <= SECRET_TOKEN_CHARS:
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return secret

    @field_validator("webhook_url")
    @classmethod
    def _https(cls, url: HttpUrl | None) -> HttpUrl | None:
        if url is not None and url.scheme != "https":
            raise ValueError("must be an https:// URL: Telegram only calls webhooks over TLS")
        return url

    @model_validator(mode="after")
    def _webhook_complete(self) -> Settings:
        if self.mode == "webhook" and self.token is not None:
            if self.webhook_url is None:
                raise ValueError("MEGAROTH_WEBHOOK_URL is needed in webhook mode")
            if self.webhook_secret is None:
                raise ValueError("MEGAROTH_WEBHOOK_SECRET is needed in webhook mode")
        return self


def describe(error: ValidationError) -> str:
    """One clear line naming the setting that is wrong, without its value."""
    problem = error.errors()[0]
    message = str(problem["msg"]).removeprefix("Value error, ")
    field = ".".join(str(p) for p in problem["loc"])
    if not field:  # a check across settings: its message names them
        return f"configuration error: {message}"
    names = {"token": "TELEGRAM_BOT_TOKEN", "base_url": "TELEGRAM_BASE_URL"}
    name = field if field.startswith(("TELEGRAM_", "MEGAROTH_")) else None
    name = name or names.get(field, f"MEGAROTH_{field.upper()}")
    return f"configuration error: {name} {message}"


def load() -> Settings:
    return Settings()
