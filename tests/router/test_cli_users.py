"""``hotline users`` and ``hotline tokens``: the console's accounts from the command line."""

from __future__ import annotations

import getpass
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from router.cli import build_parser, main
from router.console.accounts import Accounts
from router.departments import Catalogue

PASSWORD = "correct horse battery"
ADD_SUPERVISOR = ("users", "add", "sup", "--role", "supervisor", "--password-stdin")


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "accounts.sqlite3"
    monkeypatch.setenv("HOTLINE_ACCOUNTS_DB", str(path))
    return path


@pytest.fixture
def store(db: Path, catalogue: Catalogue) -> Iterator[Accounts]:
    """The database the commands write, opened as the console opens it."""
    with Accounts(path=db, catalogue=catalogue) as accounts:
        yield accounts


def hotline(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", ["users", "tokens"])
def test_help(command):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([command, "--help"])
    assert exit_info.value.code == 0


def test_users_add_with_password_stdin(capsys, monkeypatch, db, store):
    code, out, err = hotline(
        capsys,
        monkeypatch,
        *("users", "add", "li.wei", "--role", "handler", "--department", "燃气集团"),
        *("--name", "李伟", "--password-stdin"),
        stdin=PASSWORD + "\n",
    )
    assert code == 0, err
    assert out.strip() == "added handler li.wei of GAS_SUPPLY"
    user = store.authenticate("li.wei", PASSWORD)
    assert user is not None
    assert (user.role, user.department, user.display_name) == ("handler", "GAS_SUPPLY", "李伟")


def test_users_add_prompts_twice(capsys, monkeypatch, store):
    prompts: list[str] = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": prompts.append(prompt) or PASSWORD)
    code, _, err = hotline(capsys, monkeypatch, "users", "add", "amy", "--role", "dispatcher")
    assert code == 0, err
    assert len(prompts) == 2
    assert store.authenticate("amy", PASSWORD) is not None


def test_users_add_with_mismatched_passwords(capsys, monkeypatch, store):
    answers = iter([PASSWORD, PASSWORD + "!"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    code, _, err = hotline(capsys, monkeypatch, "users", "add", "amy", "--role", "dispatcher")
    assert code == 2
    assert err.strip() == "hotline: error: the passwords do not match"
    assert store.get_user("amy") is None


def test_users_reset_disable_enable_and_list(capsys, monkeypatch, store):
    store.add_user("amy", role="dispatcher", password=PASSWORD, display_name="Amy")
    store.add_user("bo", role="handler", password=PASSWORD, department="GAS_SUPPLY")
    new = "a brand new password"
    code, out, err = hotline(
        capsys, monkeypatch, "users", "reset", "amy", "--password-stdin", stdin=new + "\r\n"
    )
    assert code == 0, err
    assert store.authenticate("amy", new).generation == 2
    assert hotline(capsys, monkeypatch, "users", "disable", "bo")[0] == 0
    assert store.get_user("bo").disabled

    code, out, err = hotline(capsys, monkeypatch, "users", "list")
    assert code == 0, err
    lines = [line.split() for line in out.splitlines()]
    assert lines == [
        ["USERNAME", "ROLE", "DEPARTMENT", "STATUS", "NAME"],
        ["amy", "dispatcher", "-", "enabled", "Amy"],
        ["bo", "handler", "GAS_SUPPLY", "disabled"],
    ]
    assert "$argon2" not in out and new not in out and PASSWORD not in out

    assert hotline(capsys, monkeypatch, "users", "enable", "bo")[0] == 0
    assert not store.get_user("bo").disabled


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["users", "add", "amy"], PASSWORD, "users add needs --role: one of dispatcher"),
        (["users", "add", "amy", "--role", "boss"], PASSWORD, "'boss' is not a role"),
        (["users", "add", "--role", "dispatcher"], PASSWORD, "users add needs a USERNAME"),
        (["users", "add", "amy", "--role", "handler"], PASSWORD, "a handler needs a department"),
        (
            ["users", "add", "amy", "--role", "handler", "--department", "火星移民局"],
            PASSWORD,
            "unknown department '火星移民局'",
        ),
        (["users", "add", "amy", "--role", "dispatcher"], "short", "at least 8 characters"),
        (["users", "add", "amy", "--role", "dispatcher"], "", "no password on standard input"),
        (["users", "add", "Amy!", "--role", "dispatcher"], PASSWORD, "username 'Amy!'"),
        (["users", "reset", "ghost"], PASSWORD, "cannot reset 'ghost': no such user"),
        (["users", "disable", "ghost"], "", "cannot disable 'ghost': no such user"),
        (["users", "enable", "ghost"], "", "cannot enable 'ghost': no such user"),
        (["users", "list", "--role", "handler"], "", "--role, --department and --name go only"),
        (["users", "disable", "amy", "--password-stdin"], "", "--password-stdin goes only"),
    ],
)
def test_users_errors_are_one_line(capsys, monkeypatch, db, args, stdin, message):
    if "--password-stdin" not in args and args[1] in ("add", "reset"):
        args = [*args, "--password-stdin"]
    code, _, err = hotline(capsys, monkeypatch, *args, stdin=stdin + "\n" if stdin else "")
    assert code == 2
    (line,) = err.strip().splitlines()
    assert line.startswith("hotline: error: ")
    assert message in line


def test_users_add_refuses_a_duplicate_before_asking(capsys, monkeypatch, store):
    store.add_user("amy", role="dispatcher", password=PASSWORD)
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": pytest.fail("asked for a password"))
    code, _, err = hotline(capsys, monkeypatch, "users", "add", "amy", "--role", "supervisor")
    assert code == 2
    assert err.strip() == "hotline: error: user 'amy' already exists"


def test_tokens_add_list_and_revoke(capsys, monkeypatch, store):
    code, out, err = hotline(
        capsys, monkeypatch, "tokens", "add", "gas-system", "--department", "GAS_SUPPLY"
    )
    assert code == 0, err
    (token,) = out.splitlines()
    assert token.startswith("hlt_")
    assert "will not be shown again" in err
    assert store.check_department_token(token).department == "GAS_SUPPLY"

    code, out, err = hotline(capsys, monkeypatch, "tokens", "add", "city-app", "--open311", "app")
    assert code == 0, err
    (key,) = out.splitlines()
    assert key.startswith("o311_") and store.check_api_key(key).channel == "app"

    code, out, err = hotline(
        capsys, monkeypatch, "tokens", "add", "demo", "--open311", "web", "--key", "demo"
    )
    assert (code, out.strip()) == (0, "demo")
    assert store.check_api_key("demo").channel == "web"

    code, out, err = hotline(capsys, monkeypatch, "tokens", "list")
    assert code == 0, err
    rows = [line.split()[:3] for line in out.splitlines()]
    assert rows == [
        ["NAME", "KIND", "FOR"],
        ["city-app", "open311", "app"],
        ["demo", "open311", "web"],
        ["gas-system", "department", "GAS_SUPPLY"],
    ]
    assert token not in out and key not in out

    code, out, err = hotline(capsys, monkeypatch, "tokens", "revoke", "gas-system")
    assert (code, out.strip()) == (0, "revoked gas-system")
    assert store.check_department_token(token) is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tokens", "add", "x1"], "exactly one of --department"),
        (["tokens", "add", "x1", "--department", "GAS_SUPPLY", "--open311", "web"], "exactly one"),
        (["tokens", "add", "x1", "--department", "GAS_SUPPLY", "--key", "k"], "--key goes only"),
        (["tokens", "add", "--department", "GAS_SUPPLY"], "tokens add needs a NAME"),
        (["tokens", "add", "x1", "--department", "TRIAGE"], "TRIAGE is not a department"),
        (["tokens", "revoke", "nothing"], "no token or API key named 'nothing'"),
        (["tokens", "list", "--open311", "web"], "go only with tokens add"),
    ],
)
def test_tokens_errors_are_one_line(capsys, monkeypatch, db, args, message):
    code, _, err = hotline(capsys, monkeypatch, *args)
    assert code == 2
    (line,) = err.strip().splitlines()
    assert line.startswith("hotline: error: ") and message in line


def test_users_add_as_a_user_runs_it(tmp_path, catalogue):
    path = tmp_path / "home" / "console" / "accounts.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env["HOTLINE_HOME"] = str(tmp_path / "home")  # the default database under $HOTLINE_HOME
    result = subprocess.run(
        [sys.executable, "-m", "router.cli", *ADD_SUPERVISOR],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    with Accounts(path=path, catalogue=catalogue) as accounts:
        assert accounts.authenticate("sup", PASSWORD).role == "supervisor"
