"""The console's accounts store: users, department tokens and Open311 API keys on SQLite."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from router.console.accounts import ROLES, Accounts, ApiKey, DepartmentToken, User
from router.departments import TRIAGE, Catalogue
from router.exceptions import ConfigurationError, UnknownDepartmentError
from router.settings import Settings

PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(tmp_path: Path, catalogue: Catalogue) -> Iterator[Accounts]:
    with Accounts(path=tmp_path / "console" / "accounts.sqlite3", catalogue=catalogue) as store:
        yield store


def raw(path: Path) -> bytes:
    """Every byte SQLite wrote: the database file and its write-ahead log."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_open_creates_the_directory_and_a_private_wal_database(tmp_path, catalogue):
    path = tmp_path / "a" / "b" / "accounts.sqlite3"
    with Accounts(path=path, catalogue=catalogue):
        assert path.is_file()
        assert path.stat().st_mode & 0o077 == 0
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_from_settings_uses_accounts_db(tmp_path, catalogue):
    settings = Settings(accounts_db=tmp_path / "x.sqlite3")
    with Accounts.from_settings(settings, catalogue=catalogue) as store:
        assert store.path == tmp_path / "x.sqlite3"
        store.add_user("ann", role="supervisor", password=PASSWORD)
    with Accounts.from_settings(settings, catalogue=catalogue) as store:  # durable
        assert store.get_user("ann") is not None


def test_add_and_authenticate(accounts):
    user = accounts.add_user(
        "li.wei", role="handler", password=PASSWORD, department="GAS_SUPPLY", display_name=" 李伟 "
    )
    assert isinstance(user, User)
    assert (user.username, user.role, user.department, user.display_name) == (
        "li.wei",
        "handler",
        "GAS_SUPPLY",
        "李伟",
    )
    assert (user.disabled, user.generation) == (False, 1)
    assert user.created_at > 0
    assert accounts.authenticate("li.wei", PASSWORD) == user
    assert accounts.get_user("li.wei") == user
    assert accounts.authenticate("li.wei", PASSWORD + "x") is None
    assert accounts.authenticate("nobody", PASSWORD) is None
    assert accounts.authenticate("Not A Name!", PASSWORD) is None
    assert accounts.get_user("nobody") is None


def test_handler_department_resolves_aliases(accounts, catalogue):
    user = accounts.add_user("gas1", role="handler", password=PASSWORD, department="燃气集团")
    assert user.department == "GAS_SUPPLY" == catalogue.resolve("燃气集团").code


def test_list_users_by_name(accounts):
    for name, role in [("zed", "callback"), ("amy", "dispatcher"), ("mo", "supervisor")]:
        accounts.add_user(name, role=role, password=PASSWORD)
    assert [u.username for u in accounts.list_users()] == ["amy", "mo", "zed"]
    assert all(u.department is None for u in accounts.list_users())


def test_disable_enable_and_reset(accounts):
    accounts.add_user("amy", role="dispatcher", password=PASSWORD)
    disabled = accounts.disable_user("amy")
    assert (disabled.disabled, disabled.generation) == (True, 2)
    assert accounts.authenticate("amy", PASSWORD) is None
    enabled = accounts.enable_user("amy")
    assert (enabled.disabled, enabled.generation) == (False, 2)
    assert accounts.authenticate("amy", PASSWORD) == enabled
    reset = accounts.reset_password("amy", "another password")
    assert (reset.disabled, reset.generation) == (False, 3)
    assert accounts.authenticate("amy", PASSWORD) is None
    assert accounts.authenticate("amy", "another password") == reset


def test_a_disabled_user_with_the_right_password_is_refused(accounts):
    accounts.add_user("amy", role="dispatcher", password=PASSWORD)
    accounts.disable_user("amy")
    assert accounts.authenticate("amy", PASSWORD) is None
    assert accounts.get_user("amy").disabled


@pytest.mark.parametrize(
    ("username", "kwargs", "message"),
    [
        ("a", {}, "username 'a'"),
        ("Amy", {}, "username 'Amy'"),
        ("_amy", {}, "username '_amy'"),
        ("amy smith", {}, "username"),
        ("a" * 33, {}, "username"),
        ("amy\n", {}, "username"),
        ("amy", {"role": "admin"}, "unknown role 'admin'"),
        ("amy", {"role": "handler"}, "a handler needs a department"),
        ("amy", {"role": "dispatcher", "department": "GAS_SUPPLY"}, "only handlers"),
        ("amy", {"role": "handler", "department": TRIAGE}, "TRIAGE is not a department"),
        ("amy", {"password": "short"}, "at least 8 characters"),
        ("amy12345", {"password": "amy12345"}, "must not be the username"),
        ("amy12345", {"password": "AMY12345"}, "must not be the username"),
        ("amy", {"display_name": "x" * 65}, "display name"),
        ("amy", {"display_name": "a\x1bb"}, "control characters"),
    ],
)
def test_add_user_rejects(accounts, username, kwargs, message):
    arguments = {"role": "dispatcher", "password": PASSWORD} | kwargs
    with pytest.raises(ConfigurationError, match=message):
        accounts.add_user(username, **arguments)
    assert accounts.list_users() == []


def test_an_unknown_department_is_an_unknown_department_error(accounts):
    with pytest.raises(UnknownDepartmentError, match="火星移民局"):
        accounts.add_user("amy", role="handler", password=PASSWORD, department="火星移民局")
    with pytest.raises(UnknownDepartmentError):
        accounts.add_department_token("mars", department="火星移民局")


def test_a_duplicate_user_is_refused(accounts):
    accounts.add_user("amy", role="dispatcher", password=PASSWORD)
    with pytest.raises(ConfigurationError, match="user 'amy' already exists"):
        accounts.add_user("amy", role="supervisor", password="different pass")
    assert accounts.get_user("amy").role == "dispatcher"


@pytest.mark.parametrize("method", ["disable_user", "enable_user"])
def test_unknown_users_cannot_be_changed(accounts, method):
    with pytest.raises(ConfigurationError, match="no such user"):
        getattr(accounts, method)("ghost")


def test_reset_checks_the_user_and_the_password(accounts):
    with pytest.raises(ConfigurationError, match="no such user"):
        accounts.reset_password("ghost", PASSWORD)
    accounts.add_user("amy", role="dispatcher", password=PASSWORD)
    with pytest.raises(ConfigurationError, match="at least 8"):
        accounts.reset_password("amy", "1234567")
    assert accounts.get_user("amy").generation == 1


def test_passwords_are_stored_as_argon2_hashes(accounts):
    accounts.add_user("amy", role="dispatcher", password=PASSWORD)
    accounts.reset_password("amy", "second secret pw")
    data = raw(accounts.path)
    assert PASSWORD.encode() not in data
    assert b"second secret pw" not in data
    with sqlite3.connect(accounts.path) as db:
        (stored,) = db.execute("SELECT password_hash FROM users").fetchone()
    assert stored.startswith("$argon2id$")


def test_an_outdated_hash_is_upgraded_on_login(accounts):
    accounts.add_user("amy", role="dispatcher", password=PASSWORD)
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    with sqlite3.connect(accounts.path) as db:
        db.execute("UPDATE users SET password_hash = ? WHERE username = 'amy'", (weak,))
    user = accounts.authenticate("amy", PASSWORD)
    assert user is not None and user.generation == 1  # a rehash ends no session
    with sqlite3.connect(accounts.path) as db:
        (stored,) = db.execute("SELECT password_hash FROM users").fetchone()
    assert stored != weak
    assert not PasswordHasher().check_needs_rehash(stored)
    assert accounts.authenticate("amy", PASSWORD) is not None


def test_a_corrupt_hash_refuses_the_login(accounts):
    accounts.add_user("amy", role="dispatcher", password=PASSWORD)
    with sqlite3.connect(accounts.path) as db:
        db.execute("UPDATE users SET password_hash = 'garbage'")
    assert accounts.authenticate("amy", PASSWORD) is None


def test_department_tokens_round_trip_and_revoke(accounts):
    token = accounts.add_department_token("gas-system", department="燃气集团")
    assert token.startswith("hlt_") and len(token) > 40
    found = accounts.check_department_token(token)
    assert isinstance(found, DepartmentToken)
    assert (found.name, found.department) == ("gas-system", "GAS_SUPPLY")
    assert accounts.check_department_token(token + "x") is None
    assert accounts.check_department_token("") is None
    assert accounts.check_api_key(token) is None  # a token is not an Open311 key
    assert accounts.list_tokens() == [found]
    accounts.revoke("gas-system")
    assert accounts.check_department_token(token) is None
    assert accounts.list_tokens() == []


def test_api_keys_round_trip_and_revoke(accounts):
    generated = accounts.add_api_key("city-app", channel="app")
    assert generated.startswith("o311_")
    assert accounts.add_api_key("demo", channel="web", key="demo") == "demo"
    app = accounts.check_api_key(generated)
    web = accounts.check_api_key("demo")
    assert isinstance(app, ApiKey) and (app.name, app.channel) == ("city-app", "app")
    assert isinstance(web, ApiKey) and (web.name, web.channel) == ("demo", "web")
    assert accounts.check_department_token("demo") is None
    assert accounts.check_api_key("Demo") is None
    assert [t.name for t in accounts.list_tokens()] == ["city-app", "demo"]
    accounts.revoke("demo")
    assert accounts.check_api_key("demo") is None
    assert accounts.check_api_key(generated) == app


def test_tokens_are_stored_only_as_digests(accounts):
    token = accounts.add_department_token("gas-system", department="GAS_SUPPLY")
    key = accounts.add_api_key("city-app", channel="app")
    accounts.add_api_key("fixed", channel="web", key="a-memorable-key-value")
    data = raw(accounts.path)
    for secret in (token, key, "a-memorable-key-value"):
        assert secret.encode() not in data
    with sqlite3.connect(accounts.path) as db:
        rows = db.execute("SELECT * FROM tokens").fetchall()
    assert not any(secret in map(str, row) for row in rows for secret in (token, key))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda a: a.add_department_token("x", department="GAS_SUPPLY"), "token name 'x'"),
        (lambda a: a.add_department_token("gas", department=TRIAGE), "TRIAGE"),
        (lambda a: a.add_api_key("Bad Name", channel="web"), "API key name"),
        (lambda a: a.add_api_key("mail", channel="email"), "unknown channel 'email'"),
        (lambda a: a.add_api_key("empty", channel="web", key=""), "non-empty"),
        (lambda a: a.add_api_key("spaces", channel="web", key=" k "), "surrounding spaces"),
        (lambda a: a.revoke("nothing"), "no token or API key named 'nothing'"),
    ],
)
def test_token_validation(accounts, call, message):
    with pytest.raises(ConfigurationError, match=message):
        call(accounts)
    assert accounts.list_tokens() == []


def test_token_names_and_keys_are_unique(accounts):
    accounts.add_department_token("shared", department="GAS_SUPPLY")
    with pytest.raises(ConfigurationError, match="named 'shared' already exists"):
        accounts.add_api_key("shared", channel="web")
    accounts.add_api_key("demo", channel="web", key="demo")
    with pytest.raises(ConfigurationError, match="already in use"):
        accounts.add_api_key("demo2", channel="app", key="demo")
    assert [t.name for t in accounts.list_tokens()] == ["demo", "shared"]


def test_roles_are_the_four_console_roles():
    assert ROLES == ("dispatcher", "handler", "callback", "supervisor")


def test_a_bad_path_is_a_configuration_error(tmp_path, catalogue):
    (tmp_path / "file").write_text("")
    with pytest.raises(ConfigurationError, match="accounts database"):
        Accounts(path=tmp_path / "file" / "accounts.sqlite3", catalogue=catalogue)


def test_threads_share_one_store(accounts):
    accounts.add_user("amy", role="dispatcher", password=PASSWORD)
    results: list[User | None] = []
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            accounts.add_api_key(f"key-{n}", channel="web")
            results.append(accounts.authenticate("amy", PASSWORD))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 8 and all(user is not None for user in results)
    assert len(accounts.list_tokens()) == 8
