"""Settings read from the environment (and an optional .env file), checked at start."""

import re
import sys
import zoneinfo
from datetime import timedelta
from typing import NoReturn

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from bot.key_strength import MAKE_A_KEY, weakness
from workflow.domain.schedule import Cadence

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./clientloop.db"
DATABASE_URL_EXAMPLE = (
    "expected e.g. sqlite+aiosqlite:///./clientloop.db or postgresql+asyncpg://user@host/db"
)
ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
BACKEND_ALIASES = {"postgres": "postgresql"}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")
SLACK_OAUTH_FIELDS = ("slack_signing_secret", "slack_client_id", "slack_client_secret")


class Settings(BaseSettings):
    """Every setting clientloop reads; field names match the variables, case aside."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: str = DEFAULT_DATABASE_URL
    slack_signing_secret: SecretStr | None = None
    slack_bot_token: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    client_id: str | None = None
    client_secret: SecretStr | None = None
    tenant_id: str | None = None
    # Checked even when unset: Slack OAuth refuses to start without it.
    clientloop_secret_key: SecretStr | None = Field(default=None, validate_default=True)
    # Comma-separated keys tokens were sealed with before: they still open, never seal.
    clientloop_old_secret_keys: SecretStr | None = None
    clientloop_timezone: str = "UTC"
    clientloop_teams_allow_unauthenticated: bool = False
    # The Bot Framework OpenID metadata (and, beside it, its signing keys); tests use a fake.
    clientloop_teams_openid_metadata_url: str | None = None
    clientloop_scheduler_tick_seconds: int = Field(default=30, ge=1)
    # `clientloop scheduler` serves its own GET /metrics here (on HOST); 0: not at all.
    clientloop_scheduler_metrics_port: int = Field(default=9465, ge=0, le=65535)
    # Delivery: rate limits per platform (see workflow.delivery.limits), leases and retries.
    clientloop_slack_per_channel_per_second: float = Field(default=1.0, gt=0)
    clientloop_slack_channel_burst: float = Field(default=3.0, ge=1)
    # At most this many in any 60 seconds (the burst included; see Limit.window).
    clientloop_slack_per_workspace_per_minute: float = Field(default=300.0, ge=2)
    clientloop_slack_workspace_burst: float = Field(default=20.0, ge=1)
    clientloop_teams_per_conversation_per_second: float = Field(default=7.0, gt=0)
    clientloop_teams_per_tenant_per_second: float = Field(default=50.0, gt=0)
    clientloop_outbox_lease_seconds: float = Field(default=60.0, gt=0)
    # Each process's heartbeat, and a standby's try for the sender's turn (PostgreSQL).
    clientloop_heartbeat_seconds: float = Field(default=2.0, gt=0)
    clientloop_delivery_max_attempts: int = Field(default=12, ge=1)
    clientloop_checkin_reminder_hours: float = Field(default=24, gt=0)
    clientloop_checkin_missed_hours: float = Field(default=24, gt=0)
    clientloop_reminder_working_days: int = Field(default=2, ge=1)
    clientloop_max_reminders: int = Field(default=3, ge=0)
    host: str = "127.0.0.1"
    port: int = 3000
    clientloop_log_level: str = "INFO"
    # "json": one JSON object a line (see README: Logs); "text": one readable line.
    clientloop_log_format: str = "text"
    # SQLAlchemy's, aiosqlite's and asyncpg's own lines (every statement): off unless asked.
    clientloop_log_sql: bool = False
    # /docs, /redoc and /openapi.json: off, as they are public and load Swagger from a CDN.
    clientloop_api_docs: bool = False
    # A local Slack stand-in at /sandbox (bot.sandbox_mode); unset: on when no platform is set.
    clientloop_sandbox: bool | None = None

    @property
    def cadence(self) -> Cadence:
        """How the scheduler chases people (see README: Scheduling)."""
        return Cadence(
            checkin_reminder_after=timedelta(hours=self.clientloop_checkin_reminder_hours),
            checkin_missed_after=timedelta(hours=self.clientloop_checkin_missed_hours),
            reminder_every_working_days=self.clientloop_reminder_working_days,
            max_reminders=self.clientloop_max_reminders,
        )

    @field_validator("database_url")
    @classmethod
    def _async_database_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("clientloop_timezone")
    @classmethod
    def _iana_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"is not an IANA time zone: {value!r} (expected e.g. UTC or Europe/Paris)"
            ) from None
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"is not an http(s) URL: {value!r}")
        return value if value.endswith("/") else value + "/"

    @field_validator("clientloop_secret_key")
    @classmethod
    def _secret_key(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        key = value.get_secret_value() if value is not None else ""
        if key and (why := weakness(key)):
            raise ValueError(why)
        slack = info.data  # the fields declared above this one, already checked
        oauth = (slack.get(name) for name in SLACK_OAUTH_FIELDS)
        if not key and _all_set(*oauth):
            raise ValueError(
                "is required for Slack OAuth (SLACK_CLIENT_ID + SLACK_CLIENT_SECRET): "
                f"it encrypts the stored Slack tokens (make one with `{MAKE_A_KEY}`)"
            )
        return value if key else None

    @field_validator("clientloop_old_secret_keys")
    @classmethod
    def _old_keys_need_a_current_one(
        cls, value: SecretStr | None, info: ValidationInfo
    ) -> SecretStr | None:
        # Old keys are not checked for strength: they are listed to move away from them.
        if value is not None and value.get_secret_value().strip(", "):
            if info.data.get("clientloop_secret_key") is None:
                raise ValueError(
                    "needs CLIENTLOOP_SECRET_KEY: old keys only open tokens, the current key "
                    "seals them (set it, then run `clientloop keys rotate`)"
                )
            return value
        return None

    @field_validator("clientloop_teams_allow_unauthenticated")
    @classmethod
    def _unauthenticated_only_without_credentials(cls, value: bool, info: ValidationInfo) -> bool:
        if value and _is_set(info.data.get("client_id")):
            raise ValueError(
                "must not be set together with CLIENT_ID: with credentials every Teams "
                "activity is authenticated; unset one of them"
            )
        return value

    @field_validator("clientloop_teams_openid_metadata_url")
    @classmethod
    def _openid_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError(f"is not an http(s) URL: {value!r}")
        return value or None

    @field_validator("clientloop_log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(
                f"is not a log level: {value!r} (expected one of {', '.join(LOG_LEVELS)})"
            )
        return value.upper()

    @field_validator("clientloop_log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        if value.lower() not in LOG_FORMATS:
            raise ValueError(
                f"is not a log format: {value!r} (expected one of {', '.join(LOG_FORMATS)})"
            )
        return value.lower()

    @field_validator("clientloop_scheduler_tick_seconds", "port")
    @classmethod
    def _not_negative(cls, value: int) -> int:
        if value < 0:
            raise ValueError(f"must not be negative: {value}")
        return value

    @property
    def timezone(self) -> zoneinfo.ZoneInfo:
        """The default time zone for people who have not told us theirs."""
        return zoneinfo.ZoneInfo(self.clientloop_timezone)

    @property
    def secret_keys(self) -> tuple[str, ...]:
        """CLIENTLOOP_SECRET_KEY, then each of CLIENTLOOP_OLD_SECRET_KEYS; () when unset."""
        current, old = self.clientloop_secret_key, self.clientloop_old_secret_keys
        if current is None:
            return ()
        olds = old.get_secret_value().split(",") if old is not None else []
        return (current.get_secret_value(), *(k.strip() for k in olds if k.strip()))

    @property
    def slack_single_workspace(self) -> bool:
        """Slack over HTTP for the one workspace the bot token belongs to."""
        return _all_set(self.slack_signing_secret, self.slack_bot_token)

    @property
    def slack_oauth(self) -> bool:
        """Slack over HTTP for many workspaces, installed through OAuth."""
        return _all_set(*(getattr(self, name) for name in SLACK_OAUTH_FIELDS))

    @property
    def slack_socket_mode(self) -> bool:
        """Slack over a Socket Mode websocket (local development)."""
        return _all_set(self.slack_app_token, self.slack_bot_token)

    @property
    def slack_enabled(self) -> bool:
        return self.slack_single_workspace or self.slack_oauth or self.slack_socket_mode

    @property
    def teams_enabled(self) -> bool:
        """Teams with Bot Framework credentials, or unauthenticated for local testing."""
        return _all_set(self.client_id, self.client_secret) or (
            self.clientloop_teams_allow_unauthenticated
        )


def _all_set(*values: object) -> bool:
    return all(_is_set(value) for value in values)


def _is_set(value: object) -> bool:
    if isinstance(value, SecretStr):
        return bool(value.get_secret_value())
    return bool(value)


def normalise_database_url(value: str) -> str:
    """The URL with the async driver for its backend, or ValueError saying what is wrong."""
    url = _parse_database_url(value)
    backend = BACKEND_ALIASES.get(url.get_backend_name(), url.get_backend_name())
    if backend not in ASYNC_DRIVERS:
        shown = url.render_as_string(hide_password=True)
        raise ValueError(f"names an unsupported database: {shown!r} ({DATABASE_URL_EXAMPLE})")
    return url.set(drivername=ASYNC_DRIVERS[backend]).render_as_string(hide_password=False)


def _parse_database_url(value: str) -> URL:
    try:
        return make_url(value)
    except (ArgumentError, ValueError):
        shown = re.sub(r"(?<=:)[^@\s]+(?=@)", "***", value)  # unparsed: hide all of :…@
        raise ValueError(f"is not a database URL: {shown!r} ({DATABASE_URL_EXAMPLE})") from None


def platform_lines(settings: Settings) -> list[str]:
    """One line per platform saying whether it is on, and which settings turn it on."""
    return [_slack_line(settings), _socket_mode_line(settings), _teams_line(settings)]


def _slack_line(settings: Settings) -> str:
    if settings.slack_oauth:
        return "Slack is on: OAuth, many workspaces (SLACK_CLIENT_ID + SLACK_CLIENT_SECRET)"
    if settings.slack_single_workspace:
        return "Slack is on: one workspace (SLACK_SIGNING_SECRET + SLACK_BOT_TOKEN)"
    return (
        "Slack is off: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (one workspace) "
        "or SLACK_SIGNING_SECRET with SLACK_CLIENT_ID + SLACK_CLIENT_SECRET (OAuth)"
    )


def _socket_mode_line(settings: Settings) -> str:
    if settings.slack_socket_mode:
        return "Slack Socket Mode is on (SLACK_APP_TOKEN + SLACK_BOT_TOKEN)"
    return "Slack Socket Mode is off: set SLACK_APP_TOKEN and SLACK_BOT_TOKEN (local development)"


def _teams_line(settings: Settings) -> str:
    if _all_set(settings.client_id, settings.client_secret):
        return "Teams is on (CLIENT_ID + CLIENT_SECRET" + (
            " + TENANT_ID)" if settings.tenant_id else ")"
        )
    if settings.clientloop_teams_allow_unauthenticated:
        return (
            "Teams is on WITHOUT authentication "
            "(CLIENTLOOP_TEAMS_ALLOW_UNAUTHENTICATED): for local testing only"
        )
    return "Teams is off: set CLIENT_ID and CLIENT_SECRET (and TENANT_ID for a single-tenant bot)"


def load_settings(env_file: str | None = ".env") -> Settings:
    """Read the settings; on a bad value print one line naming the variable and exit 2."""
    try:
        return Settings(_env_file=env_file)
    except ValidationError as exc:
        _refuse(exc)


def _refuse(exc: ValidationError) -> NoReturn:
    print(f"clientloop: {describe_error(exc)}", file=sys.stderr)
    raise SystemExit(2)


def describe_error(exc: ValidationError) -> str:
    """The first problem, as `VARIABLE what is wrong`."""
    error = exc.errors()[0]
    name = str(error["loc"][0]).upper() if error["loc"] else "settings"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] != "value_error":
        message = f"is not valid: {error.get('input')!r} ({message})"
    return f"{name} {message}"
