"""Settings, read once from the environment (and `.env` when present). See SPEC, Configuration."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from dotenv import dotenv_values

from metaops import defaults
from metaops.exceptions import ConfigError

REQUIRED = ("ENCRYPTION_KEYS",)
# Settings whose values are secrets: never printed, only said to be set or not.
SECRETS = frozenset(
    {"ENCRYPTION_KEYS", "SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "SLACK_CLIENT_SECRET", "META_APP_SECRET",
     "META_VERIFY_TOKEN", "METRICS_TOKEN", "DATABASE_URL", "REDIS_URL",  # URLs may carry passwords
     "SLACK_APP_TOKEN"}
)
WORKER_DRAINS_WANTED = "WORKER_DRAINS must be a whole number of jobs at once, from 1 to 256"


@dataclass(frozen=True, repr=False)
class Settings:
    ENCRYPTION_KEYS: str = ""
    PORT: int = defaults.PORT
    PUBLIC_URL: str = defaults.PUBLIC_URL
    DATABASE_URL: str = ""
    REDIS_URL: str = ""
    SLACK_SIGNING_SECRET: str = ""
    SLACK_BOT_TOKEN: str = ""
    SLACK_CLIENT_ID: str = ""
    SLACK_CLIENT_SECRET: str = ""
    SLACK_API_URL: str = defaults.SLACK_API_URL
    META_APP_ID: str = ""
    META_APP_SECRET: str = ""
    META_GRAPH_URL: str = defaults.META_GRAPH_URL
    META_GRAPH_VERSION: str = defaults.META_GRAPH_VERSION
    META_DIALOG_URL: str = defaults.META_DIALOG_URL
    META_VERIFY_TOKEN: str = ""
    # An app-level token (xapp-…): Slack's traffic comes over Socket Mode (the `socket` process), no public URL
    # needed for Slack.
    SLACK_APP_TOKEN: str = ""
    # A Facebook Login for Business configuration id: `/meta connect` runs Meta's Embedded Signup.
    META_CONFIG_ID: str = ""
    # Multi-workspace mode: the workspace whose admins run the app's own settings at Meta (webhook
    # subscriptions, verify token). Unset: nobody changes them from Slack.
    OPERATOR_TEAM_ID: str = ""
    # Bearer token GET /metrics asks for; unset: /metrics is 404.
    METRICS_TOKEN: str = ""
    INSTANCE_DIR: str = defaults.INSTANCE_DIR
    RETENTION_DAYS: int = defaults.RETENTION_DAYS
    # Waits between retries of a failed job; tests shorten them.
    JOB_RETRY_INTERVALS: tuple[int, ...] = field(default=defaults.JOB_RETRY_INTERVALS)
    # Our own pace per Slack channel, posts per second (metaops.conversation.pace); 0: no pacing.
    SLACK_PACE_RATE: float = defaults.SLACK_PACE_RATE
    # Deliveries one worker process has in progress at once, each in a thread (metaops.worker, delivery/lanes.py).
    WORKER_DRAINS: int = defaults.WORKER_DRAINS

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{f.name}={'<set>' if f.name in SECRETS and getattr(self, f.name) else repr(getattr(self, f.name))}"
            for f in fields(self)
        )
        return f"Settings({shown})"

    @property
    def database_url(self) -> str:
        return database_url({"DATABASE_URL": self.DATABASE_URL, "INSTANCE_DIR": self.INSTANCE_DIR}, env_file=None)

    @property
    def encryption_keys(self) -> list[bytes]:
        return [k.strip().encode() for k in self.ENCRYPTION_KEYS.split(",") if k.strip()]

    @property
    def socket_mode(self) -> bool:
        """Slack's traffic comes over Socket Mode (the `socket` process) rather than to POST /slack/events."""
        return bool(self.SLACK_APP_TOKEN)

    @property
    def slack_configured(self) -> bool:
        # Over Socket Mode Slack's requests need no signature (the app token opened the connection); over HTTP
        # they do, and POST /slack/events refuses everything while SLACK_SIGNING_SECRET is unset.
        verified = self.SLACK_SIGNING_SECRET or self.SLACK_APP_TOKEN
        return bool(verified and (self.SLACK_BOT_TOKEN or self.SLACK_CLIENT_ID))

    @property
    def meta_configured(self) -> bool:
        return bool(self.META_APP_ID and self.META_APP_SECRET)

    def missing_optional(self) -> list[str]:
        """Settings the app starts without but needs for Slack or Meta to work."""
        needed = ("META_APP_ID", "META_APP_SECRET") if self.socket_mode else \
            ("SLACK_SIGNING_SECRET", "META_APP_ID", "META_APP_SECRET")
        missing = [n for n in needed if not getattr(self, n)]
        if not (self.SLACK_BOT_TOKEN or self.SLACK_CLIENT_ID):
            missing.append("SLACK_BOT_TOKEN (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)")
        if self.SLACK_CLIENT_ID and not self.SLACK_CLIENT_SECRET:
            missing.append("SLACK_CLIENT_SECRET")
        return missing

    def with_overrides(self, **changes: Any) -> Settings:
        return _validated(replace(self, **changes))


def load(environ: Mapping[str, str] | None = None, env_file: str | None = ".env",
         overrides: Mapping[str, Any] | None = None) -> Settings:
    """Build Settings from `overrides` over `environ` (default os.environ) over the `.env` file;
    raise ConfigError."""
    return from_mapping({**_raw(environ, env_file), **(overrides or {})})


def _raw(environ: Mapping[str, str] | None, env_file: str | None) -> dict[str, str]:
    values: dict[str, str] = {}
    if env_file and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    return values


def from_mapping(values: Mapping[str, Any]) -> Settings:
    kwargs: dict[str, Any] = {}
    for f in fields(Settings):
        if f.name not in values or values[f.name] in (None, ""):
            continue
        raw = values[f.name]
        if f.name == "PORT":
            try:
                kwargs[f.name] = int(raw)
            except (TypeError, ValueError):
                raise ConfigError("PORT must be a whole number") from None
        elif f.name == "RETENTION_DAYS":
            try:
                kwargs[f.name] = int(str(raw).strip())
            except ValueError:
                raise ConfigError("RETENTION_DAYS must be a whole number of days (0 keeps everything)") from None
        elif f.name == "SLACK_PACE_RATE":
            try:
                kwargs[f.name] = float(str(raw).strip())
            except ValueError:
                raise ConfigError("SLACK_PACE_RATE must be a number of posts per second (0: no pacing)") from None
            if kwargs[f.name] < 0:
                raise ConfigError("SLACK_PACE_RATE must be a number of posts per second (0: no pacing)")
        elif f.name == "WORKER_DRAINS":
            try:
                kwargs[f.name] = int(str(raw).strip())
            except ValueError:
                raise ConfigError(WORKER_DRAINS_WANTED) from None
        elif f.name == "JOB_RETRY_INTERVALS":
            kwargs[f.name] = tuple(int(x) for x in (raw.split(",") if isinstance(raw, str) else raw))
        else:
            kwargs[f.name] = str(raw).strip()
    if "PUBLIC_URL" not in kwargs and "PORT" in kwargs:  # the default address follows the port actually served
        kwargs["PUBLIC_URL"] = f"http://localhost:{kwargs['PORT']}"
    return _validated(Settings(**kwargs))


def _validated(s: Settings) -> Settings:
    for name in REQUIRED:
        if not getattr(s, name):
            raise ConfigError(f"{name} is required but not set (see README, Settings)")
    for i, key in enumerate(s.encryption_keys, 1):
        try:
            Fernet(key)
        except ValueError:
            raise ConfigError(f"ENCRYPTION_KEYS: key {i} is not a valid Fernet key") from None
    if not 1 <= s.WORKER_DRAINS <= 256:
        raise ConfigError(WORKER_DRAINS_WANTED)
    if s.RETENTION_DAYS < 0:
        raise ConfigError("RETENTION_DAYS must be a whole number of days (0 keeps everything)")
    if s.SLACK_CLIENT_ID and not s.SLACK_CLIENT_SECRET:
        raise ConfigError("SLACK_CLIENT_SECRET is required when SLACK_CLIENT_ID is set")
    if s.SLACK_APP_TOKEN and not s.SLACK_APP_TOKEN.startswith("xapp-"):
        raise ConfigError("SLACK_APP_TOKEN must be an app-level token (xapp-…, from Basic Information → App-Level "
                          "Tokens, with connections:write)")
    if s.META_CONFIG_ID and not s.META_CONFIG_ID.isdigit():
        raise ConfigError("META_CONFIG_ID must be the numeric id of a Facebook Login for Business configuration")
    return replace(
        s,
        PUBLIC_URL=s.PUBLIC_URL.rstrip("/"),
        SLACK_API_URL=s.SLACK_API_URL if s.SLACK_API_URL.endswith("/") else s.SLACK_API_URL + "/",
        META_GRAPH_URL=s.META_GRAPH_URL.rstrip("/"),
        META_DIALOG_URL=s.META_DIALOG_URL.rstrip("/"),
    )


def new_env_file(path: str = ".env") -> bool:
    """Write a `.env` with a fresh encryption key when none exists; True if written."""
    p = Path(path)
    if p.exists():
        return False
    p.write_text(f"ENCRYPTION_KEYS={Fernet.generate_key().decode()}\n")
    p.chmod(0o600)
    return True


def database_url(environ: Mapping[str, str] | None = None, env_file: str | None = ".env") -> str:
    """DATABASE_URL alone (migrations need no other setting)."""
    values = _raw(environ, env_file)
    url = values.get("DATABASE_URL") or ""
    instance = values.get("INSTANCE_DIR") or defaults.INSTANCE_DIR
    for plain in ("postgres://", "postgresql://"):  # as hosting platforms give it: use the installed driver
        if url.startswith(plain):
            url = "postgresql+psycopg://" + url[len(plain):]
    return url or f"sqlite:///{Path(instance).resolve() / defaults.SQLITE_FILE}"
