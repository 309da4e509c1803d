"""Every `kollegium` command, run as a real process, with good and bad input."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.databases import postgres_database_sync
from tests.support.processes import instance_env, kollegium


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    """One initialised SQLite instance shared by the tests of this module."""
    home = tmp_path_factory.mktemp("cli")
    env = instance_env(f"sqlite:///{home}/kollegium.db", "kommun-a.test")
    assert kollegium("init", env=env, cwd=home).returncode == 0
    return env, home


def rows(home: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(home / "kollegium.db") as db:
        return db.execute(query).fetchall()


def audit_count(home: Path) -> int:
    return int(rows(home, "SELECT count(*) FROM audit_log")[0][0])


def run(instance: tuple[dict[str, str], Path], *args: str) -> tuple[int, str, str]:
    env, home = instance
    result = kollegium(*args, env=env, cwd=home)
    return result.returncode, result.stdout, result.stderr


def test_init_is_idempotent_and_makes_one_instance_actor(
    instance: tuple[dict[str, str], Path],
) -> None:
    code, out, _err = run(instance, "init")
    assert code == 0
    assert "database ready" in out
    actors = rows(
        instance[1], "SELECT uri, private_key_pem FROM accounts WHERE actor_type = 'Application'"
    )
    assert len(actors) == 1
    assert actors[0][0] == "http://kommun-a.test/actor"
    assert str(actors[0][1]).startswith("-----BEGIN PRIVATE KEY-----")


def test_user_create_makes_an_account_a_user_and_an_audit_entry(
    instance: tuple[dict[str, str], Path],
) -> None:
    before = audit_count(instance[1])
    code, out, err = run(
        instance,
        "user",
        "create",
        "karin",
        "--email",
        "Karin@Kommun-A.se",
        "--password",
        "lösenord123",
        "--role",
        "moderator",
        "--display-name",
        "Karin Öberg",
    )
    assert (code, err) == (0, "")
    assert "created moderator @karin <karin@kommun-a.se>" in out
    [(display, uri, role, email)] = rows(
        instance[1],
        "SELECT a.display_name, a.uri, u.role, u.email FROM accounts a "
        "JOIN users u ON u.account_id = a.id WHERE a.username = 'karin'",
    )
    assert (display, uri, role, email) == (
        "Karin Öberg",
        "http://kommun-a.test/users/karin",
        "moderator",
        "karin@kommun-a.se",
    )
    assert audit_count(instance[1]) == before + 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["dup", "--email", "karin@kommun-a.se", "--password", "hemligt123"], "is in use"),
        (["karin", "--email", "other@kommun-a.se", "--password", "hemligt123"], "is taken"),
        (["KARIN", "--email", "other@kommun-a.se", "--password", "hemligt123"], "is taken"),
        (["eva", "--email", "not-an-address", "--password", "hemligt123"], "invalid e-mail"),
        (["eva", "--email", "eva@kommun-a.se", "--password", "short"], "at least 8"),
        (["eva lind", "--email", "eva@kommun-a.se", "--password", "hemligt123"], "username"),
        (
            ["eva", "--email", "eva@kommun-a.se", "--password", "hemligt123", "--role", "king"],
            "invalid choice",
        ),
        (["eva", "--email", "eva@kommun-a.se"], "required: --password"),
        (
            ["eva", "--email", "eva@kommun-a.se", "--password", "hemligt123", "--colour", "red"],
            "unrecognized arguments",
        ),
    ],
)
def test_user_create_refuses_bad_input_in_one_line_and_writes_nothing(
    instance: tuple[dict[str, str], Path], args: list[str], message: str
) -> None:
    # Order matters for the first two cases: karin exists from the test above, or is made here.
    run(instance, "user", "create", "karin", "--email", "karin@kommun-a.se", "--password", "x" * 10)
    users_before = rows(instance[1], "SELECT count(*) FROM users")
    audit_before = audit_count(instance[1])
    code, out, err = run(instance, "user", "create", *args)
    assert code != 0
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert rows(instance[1], "SELECT count(*) FROM users") == users_before
    assert audit_count(instance[1]) == audit_before


def test_federation_commands_manage_the_policy_and_audit_every_change(
    instance: tuple[dict[str, str], Path],
) -> None:
    before = audit_count(instance[1])
    assert run(instance, "federation", "allow", "Håbo.se")[0] == 0
    assert run(instance, "federation", "block", "spam.example")[0] == 0
    assert run(instance, "federation", "silence", "loud.example")[0] == 0
    assert run(instance, "federation", "mode", "blocklist")[0] == 0
    code, out, _ = run(instance, "federation", "list")
    assert code == 0
    assert out.splitlines() == [
        "mode: blocklist",
        "silence  loud.example",
        "suspend  spam.example",
        "allow    xn--hbo-ula.se",
    ]
    code, out, _ = run(instance, "federation", "remove", "loud.example")
    assert (code, out.strip()) == (0, "kollegium: loud.example: policy removed")
    assert audit_count(instance[1]) == before + 5


def test_federation_allow_can_reject_the_domains_media(
    instance: tuple[dict[str, str], Path],
) -> None:
    code, out, _ = run(instance, "federation", "allow", "kommun-b.se", "--reject-media")
    assert (code, out.strip()) == (0, "kollegium: kommun-b.se: allow (media rejected)")
    assert "allow    kommun-b.se (media rejected)" in run(instance, "federation", "list")[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["federation", "mode", "open"], "invalid choice: 'open'"),
        (["federation", "allow", "not a domain"], "not a valid domain name"),
        (["federation", "allow", "nodot"], "it has no dot"),
        (["federation", "block"], "required: domain"),
        (["federation", "teleport", "x.se"], "invalid choice: 'teleport'"),
        (["jobs", "retry", "abc"], "expected a whole number"),
        (["jobs", "retry", "12345"], "no failed job 12345"),
        (["worker", "--concurrency", "0"], "expected a whole number above 0"),
        (["serve", "--port", "eighty"], "invalid int value"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_arguments_get_one_clear_line_a_non_zero_exit_and_no_change(
    instance: tuple[dict[str, str], Path], args: list[str], message: str
) -> None:
    audit_before = audit_count(instance[1])
    instances_before = rows(instance[1], "SELECT * FROM instances ORDER BY domain")
    code, out, err = run(instance, *args)
    assert code != 0
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert audit_count(instance[1]) == audit_before
    assert rows(instance[1], "SELECT * FROM instances ORDER BY domain") == instances_before


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["init"],
        ["serve"],
        ["worker"],
        ["user", "create"],
        ["federation", "mode"],
        ["federation", "allow"],
        ["federation", "list"],
        ["jobs", "list"],
        ["jobs", "retry"],
        ["demo-admin"],
    ],
)
def test_every_command_has_help(instance: tuple[dict[str, str], Path], command: list[str]) -> None:
    code, out, _ = run(instance, *command, "--help")
    assert code == 0
    assert out.startswith("usage: kollegium")


def test_jobs_list_counts_and_retry_requeues_a_failed_job(
    instance: tuple[dict[str, str], Path],
) -> None:
    home = instance[1]
    with sqlite3.connect(home / "kollegium.db") as db:
        db.execute(
            "INSERT INTO jobs (id, name, payload, state, attempts, max_attempts, run_at, "
            "last_error, created_at) VALUES (77, 'deliver', '{}', 'failed', 10, 10, 0, "
            "'HTTPError: 503', 0)"
        )
    code, out, _ = run(instance, "jobs", "list")
    assert code == 0
    assert "failed: 1" in out
    assert "77 deliver after 10 tries: HTTPError: 503" in out
    code, out, _ = run(instance, "jobs", "retry", "77")
    assert (code, out.strip()) == (0, "kollegium: job 77 queued again")
    assert rows(home, "SELECT state, attempts FROM jobs WHERE id = 77") == [("queued", 0)]
    with sqlite3.connect(home / "kollegium.db") as db:
        db.execute("DELETE FROM jobs")


def test_demo_admin_is_made_once_and_its_sign_in_printed_each_time(
    instance: tuple[dict[str, str], Path],
) -> None:
    code, first, _ = run(instance, "demo-admin")
    assert code == 0
    assert "e-mail: admin@example.com" in first
    code, second, _ = run(instance, "demo-admin")
    assert (code, second) == (0, first)
    assert rows(instance[1], "SELECT role FROM users WHERE email = 'admin@example.com'") == [
        ("admin",)
    ]


def test_commands_refuse_an_uninitialised_database(tmp_path: Path) -> None:
    env = instance_env(f"sqlite:///{tmp_path}/fresh.db", "kommun-a.test")
    result = kollegium(
        "user",
        "create",
        "eva",
        "--email",
        "eva@x.se",
        "--password",
        "x" * 10,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode != 0
    assert "run `kollegium init`" in result.stderr


@pytest.mark.postgres
def test_init_and_user_create_work_on_postgresql(tmp_path: Path) -> None:
    with postgres_database_sync() as url:
        env = instance_env(url, "kommun-b.test")
        assert kollegium("init", env=env, cwd=tmp_path).returncode == 0
        args = ["user", "create", "eva", "--password", "x" * 10, "--email"]
        made = kollegium(*args, "eva@kommun-b.se", env=env, cwd=tmp_path)
        assert made.returncode == 0, made.stderr
        again = kollegium(*args, "eva2@kommun-b.se", env=env, cwd=tmp_path)
        assert again.returncode == 1
        assert "is taken" in again.stderr
