"""The one place that names every environment variable and its default."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent

#: Every environment variable the project reads, with its default.
ENVIRONMENT: dict[str, str] = {
    "KAFKA_BOOTSTRAP_SERVERS": "",  # empty: start or find the embedded broker
    "REDIS_URL": "",  # empty: start or find the embedded Redis
    "HOTLINE_HOME": "var",  # models, embedded-service state and logs
    "HOTLINE_MODEL_DIR": "",  # set: pin this model directory (no registry, no hot reload)
    "HOTLINE_MODEL_REGISTRY": "",  # empty: $HOTLINE_HOME/models
    "HOTLINE_MODEL_POLL_S": "5",  # how often a worker checks the registry for a promotion
    "HOTLINE_BROKER_PORT": "19092",
    "HOTLINE_REDIS_PORT": "16379",
    "HOTLINE_WEB_PORT": "6066",
    "HOTLINE_APP_ID": "hotline-router",
    "HOTLINE_TOPIC_PARTITIONS": "4",
    "HOTLINE_BATCH_SIZE": "256",
    "HOTLINE_BATCH_WITHIN_S": "0.02",
    "HOTLINE_MAX_TEXT_CHARS": "10000",
    "HOTLINE_MAX_RECORD_BYTES": "1048576",
    "HOTLINE_DEDUP_TTL_S": "2592000",  # 30 days
    "HOTLINE_BROKER_SESSION_TIMEOUT_S": "10",
    "HOTLINE_BROKER_REBALANCE_TIMEOUT_S": "10",
    "HOTLINE_LOG_LEVEL": "info",
    "HOTLINE_FAUST_METRICS": "0",  # 1: add Faust's own per-event metrics (costs throughput)
    "HOTLINE_TIMEZONE": "Asia/Shanghai",  # the centre's time zone: office hours and deadlines
    "HOTLINE_OFFICE_HOURS": "09:00-12:00,13:30-17:30",  # working time on a working day
    "HOTLINE_SLA_POLICY": "",  # empty: the packaged router/sla_policy.toml
    "HOTLINE_CALENDAR_OVERRIDES": "",  # empty: the packaged router/calendar_overrides.toml
    "HOTLINE_SLA_TICK_S": "5",  # how often the tracker looks for clocks at 80% and 100%
    "HOTLINE_CLOSED_RETENTION_DAYS": "30",  # closed tickets stay reopenable this long
    "HOTLINE_CONSOLE_PORT": "8080",  # the agents' web console, its JSON API and Open311
    "HOTLINE_ACCOUNTS_DB": "",  # empty: $HOTLINE_HOME/console/accounts.sqlite3
    "HOTLINE_SESSION_TTL_S": "28800",  # a console session expires after 8 h without use
    "HOTLINE_COOKIE_SECURE": "0",  # 1: session cookies only over HTTPS (production)
    "HOTLINE_CLAIM_TIMEOUT_S": "1800",  # an untouched claim returns to the queue after this
    "HOTLINE_LOGIN_ATTEMPTS": "5",  # failed log-ins allowed per user and address per window
    "HOTLINE_LOGIN_WINDOW_S": "900",
    "HOTLINE_OPEN311_POSTS": "30",  # Open311 requests allowed per API key and address per window
    "HOTLINE_OPEN311_WINDOW_S": "60",
    "HOTLINE_CONSOLE_REFRESH_S": "5",  # how often console pages refresh their lists
}


def _env(name: str) -> str:
    return os.environ.get(name, ENVIRONMENT[name])


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Runtime configuration; build it with :meth:`from_env`."""

    kafka_bootstrap_servers: str = ""
    redis_url: str = ""
    home: Path = Path("var")
    #: the pinned model directory; unpinned, the pre-registry location (adopted by the
    #: registry on first start, and still loaded directly by the demo and the benchmark)
    model_dir: Path = Path("var/models/default")
    model_pinned: bool = False
    model_registry: Path = Path("var/models")
    model_poll_s: float = 5.0
    broker_port: int = 19092
    redis_port: int = 16379
    web_port: int = 6066
    app_id: str = "hotline-router"
    topic_partitions: int = 4
    batch_size: int = 256
    batch_within_s: float = 0.02
    max_text_chars: int = 10_000
    max_record_bytes: int = 1_048_576
    dedup_ttl_s: int = 2_592_000
    broker_session_timeout_s: float = 10.0
    broker_rebalance_timeout_s: float = 10.0
    log_level: str = "info"
    faust_metrics: bool = False
    timezone: str = "Asia/Shanghai"
    office_hours: str = "09:00-12:00,13:30-17:30"
    sla_policy: Path = PACKAGE_DIR / "sla_policy.toml"
    calendar_overrides: Path = PACKAGE_DIR / "calendar_overrides.toml"
    sla_tick_s: float = 5.0
    closed_retention_days: float = 30.0
    console_port: int = 8080
    accounts_db: Path = Path("var/console/accounts.sqlite3")
    session_ttl_s: int = 28_800
    cookie_secure: bool = False
    claim_timeout_s: int = 1800
    login_attempts: int = 5
    login_window_s: int = 900
    open311_posts: int = 30
    open311_window_s: int = 60
    console_refresh_s: float = 5.0

    @classmethod
    def from_env(cls) -> Settings:
        """Read every setting from the environment, falling back to the defaults."""
        home = Path(_env("HOTLINE_HOME"))
        model_dir = _env("HOTLINE_MODEL_DIR")
        registry = _env("HOTLINE_MODEL_REGISTRY")
        accounts_db = _env("HOTLINE_ACCOUNTS_DB")
        return cls(
            kafka_bootstrap_servers=_env("KAFKA_BOOTSTRAP_SERVERS"),
            redis_url=_env("REDIS_URL"),
            home=home,
            model_dir=Path(model_dir) if model_dir else home / "models" / "default",
            model_pinned=bool(model_dir),
            model_registry=Path(registry) if registry else home / "models",
            model_poll_s=float(_env("HOTLINE_MODEL_POLL_S")),
            broker_port=int(_env("HOTLINE_BROKER_PORT")),
            redis_port=int(_env("HOTLINE_REDIS_PORT")),
            web_port=int(_env("HOTLINE_WEB_PORT")),
            app_id=_env("HOTLINE_APP_ID"),
            topic_partitions=int(_env("HOTLINE_TOPIC_PARTITIONS")),
            batch_size=int(_env("HOTLINE_BATCH_SIZE")),
            batch_within_s=float(_env("HOTLINE_BATCH_WITHIN_S")),
            max_text_chars=int(_env("HOTLINE_MAX_TEXT_CHARS")),
            max_record_bytes=int(_env("HOTLINE_MAX_RECORD_BYTES")),
            dedup_ttl_s=int(_env("HOTLINE_DEDUP_TTL_S")),
            broker_session_timeout_s=float(_env("HOTLINE_BROKER_SESSION_TIMEOUT_S")),
            broker_rebalance_timeout_s=float(_env("HOTLINE_BROKER_REBALANCE_TIMEOUT_S")),
            log_level=_env("HOTLINE_LOG_LEVEL"),
            faust_metrics=_env("HOTLINE_FAUST_METRICS") == "1",
            timezone=_env("HOTLINE_TIMEZONE"),
            office_hours=_env("HOTLINE_OFFICE_HOURS"),
            sla_policy=Path(_env("HOTLINE_SLA_POLICY") or PACKAGE_DIR / "sla_policy.toml"),
            calendar_overrides=Path(
                _env("HOTLINE_CALENDAR_OVERRIDES") or PACKAGE_DIR / "calendar_overrides.toml"
            ),
            sla_tick_s=float(_env("HOTLINE_SLA_TICK_S")),
            closed_retention_days=float(_env("HOTLINE_CLOSED_RETENTION_DAYS")),
            console_port=int(_env("HOTLINE_CONSOLE_PORT")),
            accounts_db=(
                Path(accounts_db) if accounts_db else home / "console" / "accounts.sqlite3"
            ),
            session_ttl_s=int(_env("HOTLINE_SESSION_TTL_S")),
            cookie_secure=_env("HOTLINE_COOKIE_SECURE") == "1",
            claim_timeout_s=int(_env("HOTLINE_CLAIM_TIMEOUT_S")),
            login_attempts=int(_env("HOTLINE_LOGIN_ATTEMPTS")),
            login_window_s=int(_env("HOTLINE_LOGIN_WINDOW_S")),
            open311_posts=int(_env("HOTLINE_OPEN311_POSTS")),
            open311_window_s=int(_env("HOTLINE_OPEN311_WINDOW_S")),
            console_refresh_s=float(_env("HOTLINE_CONSOLE_REFRESH_S")),
        )

    def with_endpoints(self, *, kafka_bootstrap_servers: str, redis_url: str) -> Settings:
        """A copy pointing at the given broker and Redis."""
        return replace(self, kafka_bootstrap_servers=kafka_bootstrap_servers, redis_url=redis_url)
