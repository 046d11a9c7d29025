"""The console's accounts: agents' log-ins, department API tokens and Open311 API keys.

One SQLite file (WAL mode) shared by the console's threads and the ``hotline users`` and
``hotline tokens`` commands. Passwords are stored as argon2 hashes; tokens and API keys only
as SHA-256 hex digests, so a copy of the file gives away no secret.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from router.departments import TRIAGE, Catalogue
from router.exceptions import ConfigurationError, UnknownDepartmentError
from router.settings import Settings

#: Every console role; only handlers belong to a department.
ROLES: tuple[str, ...] = ("dispatcher", "handler", "callback", "supervisor")
#: Open311 API keys feed one of these intake channels.
CHANNELS: tuple[str, ...] = ("web", "app")
MIN_PASSWORD_CHARS = 8
MAX_DISPLAY_NAME_CHARS = 64
TOKEN_PREFIX = "hlt_"
API_KEY_PREFIX = "o311_"

_NAME_RE = re.compile(r"[a-z0-9][a-z0-9_.-]{1,31}")
_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username      TEXT PRIMARY KEY,
    role          TEXT NOT NULL,
    department    TEXT,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    generation    INTEGER NOT NULL DEFAULT 1,
    created_at    REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    name        TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('department', 'open311')),
    digest      TEXT NOT NULL UNIQUE,
    department  TEXT,
    channel     TEXT,
    created_at  REAL NOT NULL
);
"""


@dataclass(frozen=True, kw_only=True)
class User:
    """A console agent; never carries the password hash."""

    username: str
    role: str
    department: str | None  # a catalogue code for handlers, None for every other role
    display_name: str
    disabled: bool
    generation: int  # bumped on every password reset and disable: older sessions die
    created_at: float


@dataclass(frozen=True, kw_only=True)
class DepartmentToken:
    """A department system's credential for the JSON API."""

    name: str
    department: str
    created_at: float


@dataclass(frozen=True, kw_only=True)
class ApiKey:
    """An Open311 posting app's credential; ``channel`` is the intake it feeds (web or app)."""

    name: str
    channel: str
    created_at: float


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _check_name(name: str, what: str) -> None:
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise ConfigurationError(
            f"{what} {name!r} must be 2-32 characters of a-z, 0-9, '_', '.' or '-', "
            "starting with a letter or digit"
        )


def _check_password(password: str, username: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ConfigurationError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    if password.strip().lower() == username:
        raise ConfigurationError("the password must not be the username")


def _check_display_name(display_name: str) -> str:
    name = display_name.strip()
    if len(name) > MAX_DISPLAY_NAME_CHARS:
        raise ConfigurationError(f"the display name is longer than {MAX_DISPLAY_NAME_CHARS}")
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise ConfigurationError("the display name contains control characters")
    return name


def _user(row: sqlite3.Row) -> User:
    return User(
        username=row["username"],
        role=row["role"],
        department=row["department"],
        display_name=row["display_name"],
        disabled=bool(row["disabled"]),
        generation=row["generation"],
        created_at=row["created_at"],
    )


def _token(row: sqlite3.Row) -> DepartmentToken | ApiKey:
    if row["kind"] == "department":
        return DepartmentToken(
            name=row["name"], department=row["department"], created_at=row["created_at"]
        )
    return ApiKey(name=row["name"], channel=row["channel"], created_at=row["created_at"])


class Accounts:
    """The accounts store; safe to share between threads. Opening creates the file and tables."""

    def __init__(self, *, path: Path, catalogue: Catalogue) -> None:
        self.path = Path(path)
        self._catalogue = catalogue
        self._hasher = PasswordHasher()
        self._dummy_hash: str | None = None
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():  # owner-only; SQLite gives -wal and -shm the same mode
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
            self._conn = sqlite3.connect(self.path, timeout=10.0, check_same_thread=False)
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA journal_mode=WAL")
            with self._conn:
                self._conn.executescript(_SCHEMA)
                self._conn.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")
        except (OSError, sqlite3.Error) as exc:
            raise ConfigurationError(f"accounts database {self.path}: {exc}") from exc

    @classmethod
    def from_settings(cls, settings: Settings, *, catalogue: Catalogue) -> Accounts:
        """The store at ``settings.accounts_db``."""
        return cls(path=settings.accounts_db, catalogue=catalogue)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Accounts:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._conn:
            yield self._conn

    # -- users ------------------------------------------------------------------------------

    def add_user(
        self,
        username: str,
        *,
        role: str,
        password: str,
        department: str | None = None,
        display_name: str = "",
    ) -> User:
        """Create an enabled user; ``department`` (code, name or alias) only for handlers."""
        _check_name(username, "username")
        if role not in ROLES:
            raise ConfigurationError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
        if role == "handler":
            if not department:
                raise ConfigurationError("a handler needs a department")
            department = self._department(department)
        elif department:
            raise ConfigurationError(f"only handlers have a department, not a {role}")
        else:
            department = None
        name = _check_display_name(display_name)
        _check_password(password, username)
        password_hash = self._hasher.hash(password)
        user = User(
            username=username,
            role=role,
            department=department,
            display_name=name,
            disabled=False,
            generation=1,
            created_at=time.time(),
        )
        try:
            with self._transaction() as db:
                db.execute(
                    "INSERT INTO users (username, role, department, display_name, password_hash,"
                    " disabled, generation, created_at) VALUES (?, ?, ?, ?, ?, 0, 1, ?)",
                    (username, role, department, name, password_hash, user.created_at),
                )
        except sqlite3.IntegrityError:
            raise ConfigurationError(f"user {username!r} already exists") from None
        return user

    def authenticate(self, username: str, password: str) -> User | None:
        """The user if the password is right and the account enabled, else None.

        Costs one argon2 verification whether or not the user exists; upgrades the stored
        hash when the hasher's parameters have changed.
        """
        row = None
        if isinstance(username, str) and _NAME_RE.fullmatch(username):
            with self._lock:
                row = self._conn.execute(
                    "SELECT * FROM users WHERE username = ?", (username,)
                ).fetchone()
        stored = row["password_hash"] if row is not None else self._dummy()
        try:
            self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None or row["disabled"]:
            return None
        if self._hasher.check_needs_rehash(stored):
            rehashed = self._hasher.hash(password)
            with self._transaction() as db:  # not if a reset replaced the hash meanwhile
                db.execute(
                    "UPDATE users SET password_hash = ? WHERE username = ? AND password_hash = ?",
                    (rehashed, username, stored),
                )
        return _user(row)

    def get_user(self, username: str) -> User | None:
        """The user, or None if unknown."""
        with self._lock:
            row = self._conn.execute(
                "SELECT * FROM users WHERE username = ?", (username,)
            ).fetchone()
        return None if row is None else _user(row)

    def list_users(self) -> list[User]:
        """Every user, by username."""
        with self._lock:
            rows = self._conn.execute("SELECT * FROM users ORDER BY username").fetchall()
        return [_user(row) for row in rows]

    def disable_user(self, username: str) -> User:
        """Refuse the user's log-ins and end their sessions (bumps the generation)."""
        return self._update_user(
            username, "disabled = 1, generation = generation + 1", (), "disable"
        )

    def enable_user(self, username: str) -> User:
        """Allow a disabled user to log in again."""
        return self._update_user(username, "disabled = 0", (), "enable")

    def reset_password(self, username: str, password: str) -> User:
        """Set a new password and end the user's sessions (bumps the generation)."""
        _check_password(password, username)
        password_hash = self._hasher.hash(password)
        return self._update_user(
            username, "password_hash = ?, generation = generation + 1", (password_hash,), "reset"
        )

    def _update_user(
        self, username: str, assignments: str, values: tuple[object, ...], verb: str
    ) -> User:
        with self._transaction() as db:
            cursor = db.execute(
                f"UPDATE users SET {assignments} WHERE username = ?", (*values, username)
            )
            if cursor.rowcount == 0:
                raise ConfigurationError(f"cannot {verb} {username!r}: no such user")
            row = db.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
        return _user(row)

    def _department(self, name: str) -> str:
        if name.strip() == TRIAGE:
            raise ConfigurationError(f"{TRIAGE} is not a department: dispatchers work triage")
        try:
            return self._catalogue.resolve(name).code
        except UnknownDepartmentError:
            raise UnknownDepartmentError(
                f"unknown department {name!r} (see hotline departments list)"
            ) from None

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    # -- department tokens and Open311 API keys ----------------------------------------------

    def add_department_token(self, name: str, *, department: str) -> str:
        """Create a token for a department's system; returns it (the only time it is seen)."""
        _check_name(name, "token name")
        code = self._department(department)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self._insert_token(name, "department", token, department=code, channel=None)
        return token

    def check_department_token(self, token: str) -> DepartmentToken | None:
        """The department token with this secret, or None if unknown or revoked."""
        found = self._find(token, "department")
        return found if isinstance(found, DepartmentToken) else None

    def add_api_key(self, name: str, *, channel: str, key: str | None = None) -> str:
        """Create an Open311 API key feeding ``channel``; returns it. ``key`` None: generate."""
        _check_name(name, "API key name")
        if channel not in CHANNELS:
            raise ConfigurationError(f"unknown channel {channel!r} (one of {', '.join(CHANNELS)})")
        if key is None:
            key = API_KEY_PREFIX + secrets.token_urlsafe(24)
        elif not key.strip() or key != key.strip():
            raise ConfigurationError("an API key must be non-empty, without surrounding spaces")
        self._insert_token(name, "open311", key, department=None, channel=channel)
        return key

    def check_api_key(self, key: str) -> ApiKey | None:
        """The Open311 API key with this secret, or None if unknown or revoked."""
        found = self._find(key, "open311")
        return found if isinstance(found, ApiKey) else None

    def revoke(self, name: str) -> None:
        """Delete a department token or API key by name."""
        with self._transaction() as db:
            cursor = db.execute("DELETE FROM tokens WHERE name = ?", (name,))
        if cursor.rowcount == 0:
            raise ConfigurationError(f"no token or API key named {name!r}")

    def list_tokens(self) -> list[DepartmentToken | ApiKey]:
        """Every department token and API key, by name (never the secrets)."""
        with self._lock:
            rows = self._conn.execute("SELECT * FROM tokens ORDER BY name").fetchall()
        return [_token(row) for row in rows]

    def _insert_token(
        self, name: str, kind: str, secret: str, *, department: str | None, channel: str | None
    ) -> None:
        try:
            with self._transaction() as db:
                db.execute(
                    "INSERT INTO tokens (name, kind, digest, department, channel, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (name, kind, _digest(secret), department, channel, time.time()),
                )
        except sqlite3.IntegrityError as exc:
            if "digest" in str(exc):
                raise ConfigurationError("that key is already in use") from None
            raise ConfigurationError(f"a token or API key named {name!r} already exists") from None

    def _find(self, secret: str, kind: str) -> DepartmentToken | ApiKey | None:
        if not isinstance(secret, str) or not secret:
            return None
        with self._lock:
            row = self._conn.execute(
                "SELECT * FROM tokens WHERE digest = ? AND kind = ?", (_digest(secret), kind)
            ).fetchone()
        return None if row is None else _token(row)
