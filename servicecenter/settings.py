"""Settings from `config/settings.toml`, overridden by SERVICECENTER_* environment variables."""

from __future__ import annotations

import os
from ipaddress import ip_network
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, IPvAnyNetwork, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from config import CONFIG_DIR

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Everything the service needs to start; tests build it directly."""

    model_config = SettingsConfigDict(
        env_prefix="SERVICECENTER_",
        toml_file=CONFIG_DIR / "settings.toml",
        extra="forbid",
        hide_input_in_errors=True,  # an invalid SMTP URL may hold a password
    )

    data_dir: Path = Path("var")
    database_url: str | None = Field(default=None, description="unset: SQLite in the data dir")
    host: str = "127.0.0.1"
    port: int = Field(default=8115, ge=1, le=65535)
    route_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="a port of its own for the PBX's routing requests, answered by a process that does nothing "
        "else (PostgreSQL only); unset: routing is answered on PORT only",
    )
    log_format: Literal["console", "json"] = "console"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    rules_file: Path = CONFIG_DIR / "routing" / "emh.yaml"
    catalogue_dir: Path = CONFIG_DIR / "catalogue"
    synonyms_files: list[Path] = Field(
        default=[CONFIG_DIR / "search" / "synonyms.yaml"],
        description="colloquial words for search, later files add; they seed the shared list on a first start",
    )
    search_workers: int = Field(
        default_factory=lambda: max(1, (os.cpu_count() or 1) - 1),
        ge=1,
        le=64,
        description="processes that run search queries, apart from the one that routes calls; default cores - 1 "
        "(with serve --workers N: cores / N per worker, at least 1)",
    )
    workers: int | None = Field(
        default=None,
        ge=1,
        le=64,
        description="processes of `serve` sharing the port; unset: the number of cores on PostgreSQL, 1 on SQLite "
        "(several workers share live state through PostgreSQL only)",
    )
    decision_retention_hours: float = Field(
        default=24,
        gt=0,
        le=24 * 31,
        description="how long routing decisions stay readable by id from every instance (PostgreSQL)",
    )
    metrics_networks: Annotated[list[IPvAnyNetwork], NoDecode] = Field(
        default_factory=lambda: [ip_network("127.0.0.0/8"), ip_network("::1/128")],
        description="client networks that may read /metrics (comma-separated); the client address is judged as "
        "for TRUSTED_PROXIES",
    )
    load_demo: bool = Field(default=True, description="load the demo catalogue into an empty database")
    session_cookie_secure: bool = Field(default=False, description="send the session cookie over HTTPS only")
    session_hours: float = Field(default=12, gt=0, le=24 * 30, description="how long a web login lasts")
    login_window_minutes: float = Field(
        default=15, gt=0, description="the window failed logins are counted in"
    )
    login_failures_per_name: int = Field(
        default=5, ge=1, description="failed logins for one name from one client address before 429"
    )
    login_failures_per_address: int = Field(
        default=20, ge=1, description="failed logins from one client address (any names) before 429"
    )
    trusted_proxies: Annotated[list[IPvAnyNetwork], NoDecode] = Field(
        default=[],
        description="reverse proxies whose X-Forwarded-For names the client (comma-separated addresses or "
        "networks); empty: the peer address is the client",
    )
    outage_token_grace_minutes: float = Field(
        default=60,
        gt=0,
        description="while the database is down, bearer tokens it confirmed this recently are still accepted",
    )
    search_max_query_chars: int = Field(default=200, ge=1, le=1000, description="longest search query")
    search_max_query_words: int = Field(
        default=16, ge=1, le=16, description="most words in a search query (the search analyses 16 at most)"
    )
    search_max_concurrent_per_client: int = Field(
        default=8, ge=1, description="anonymous searches one client address may run at once before 429"
    )
    public_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^/\s]+(/\S*)?$",
        description="where people reach this service, for links in mails; unset: http://HOST:PORT",
    )
    smtp_url: SecretStr | None = Field(
        default=None,
        description="smtp://[user:password@]host[:port] or smtps://…; unset: mails are written to "
        "DATA_DIR/outbox/ as .eml files",
    )
    mail_from: str = Field(
        default="Servicecenter EMH <servicecenter@localhost>", min_length=3, description="sender of mails"
    )
    ticket_retention_days: float = Field(
        default=30, ge=0, description="days after closing until a ticket's contact data is erased"
    )
    ticket_worker: bool = Field(
        default=True, description="deliver ticket mails and check deadlines in this process"
    )
    stats_flush_seconds: float = Field(
        default=5, gt=0, le=300, description="how often counted decisions, wrap-ups and searches are written"
    )
    acd_dedupe_days: int = Field(
        default=8,
        ge=1,
        le=366,
        description="how long queue_log line hashes are kept to count a resent line once; older lines are not counted",
    )

    @field_validator("trusted_proxies", "metrics_networks", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        """`10.0.0.5, 10.1.0.0/16` from the environment; a list from TOML or code stays a list."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: SecretStr | None) -> SecretStr | None:
        """smtp:// or smtps:// with a host; the message never repeats the URL (it may hold a password)."""
        if value is not None:
            parts = urlsplit(value.get_secret_value())
            try:
                parts.port  # noqa: B018 (raises ValueError for a port that is no number)
            except ValueError:
                raise ValueError("SMTP URL with an invalid port") from None
            if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
                raise ValueError("expected smtp://host:port or smtps://host:port")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Explicit arguments, then the environment, then config/settings.toml."""
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls)

    @property
    def database(self) -> str:
        """The SQLAlchemy async URL actually used."""
        return self.database_url or f"sqlite+aiosqlite:///{(self.data_dir / 'servicecenter.db').resolve()}"

    @property
    def public_base(self) -> str:
        """The absolute address links in mails start with, without a trailing slash."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def outbox_dir(self) -> Path:
        """Where mails are written as .eml files while no SMTP server is configured."""
        return self.data_dir / "outbox"

    @property
    def place_words_file(self) -> Path:
        """Everyday-word place names and known places outside the area, beside the catalogue's places."""
        return self.catalogue_dir / "place-recognition.yaml"

    @property
    def index_dir(self) -> Path:
        """Where the whoosh index lives; derived data, rebuilt from the database when missing."""
        return self.data_dir / "index"
