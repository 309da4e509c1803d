"""`kollegium department` and `kollegium directory import`, run as real processes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.processes import instance_env, kollegium

Instance = tuple[dict[str, str], Path]
HEADER = "username,email,display_name,title,department,phone,workplace,languages,ask_me_about,role"
GOOD = (
    HEADER + "\nanna,anna@kommun-a.se,Anna Berg,Förskollärare,Utbildningsförvaltningen/Förskola,"
    "08-123 45,Solrosen,svenska;engelska,Montessori,user"
    + "\nbo,bo@kommun-a.se,Bo Ek,Rektor,Utbildningsförvaltningen,,Ekskolan,svenska,,moderator\n"
)


@pytest.fixture
def instance(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    home = tmp_path_factory.mktemp("cli-directory")
    env = instance_env(f"sqlite:///{home}/kollegium.db", "kommun-a.test")
    assert kollegium("init", env=env, cwd=home).returncode == 0
    return env, home


def run(instance: Instance, *args: str) -> tuple[int, str, str]:
    env, home = instance
    result = kollegium(*args, env=env, cwd=home)
    return result.returncode, result.stdout, result.stderr


def rows(instance: Instance, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(instance[1] / "kollegium.db") as db:
        return db.execute(query).fetchall()


def dump(instance: Instance) -> list[object]:
    return [
        rows(instance, f"SELECT * FROM {table} ORDER BY id")
        for table in ("accounts", "users", "departments", "audit_log")
    ]


def csv_file(instance: Instance, name: str, text: str) -> str:
    path = instance[1] / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_department__add_list_remove(instance: Instance) -> None:
    code, out, err = run(instance, "department", "add", "Utbildningsförvaltningen/Förskola")
    assert code == 0, err
    assert "Utbildningsförvaltningen/Förskola" in out
    code, out, _err = run(instance, "department", "list")
    assert code == 0
    assert out.splitlines()[0].endswith(" Utbildningsförvaltningen")
    assert out.splitlines()[1].endswith("   Förskola")
    code, _out, err = run(instance, "department", "remove", "Utbildningsförvaltningen")
    assert code == 1 and "units" in err
    code, out, _err = run(instance, "department", "add", "Tillfällig")
    assert run(instance, "department", "remove", "Tillfällig")[0] == 0
    actions = [r[0] for r in rows(instance, "SELECT action FROM audit_log")]
    assert actions.count("department.create") == 3 and actions.count("department.delete") == 1


def test_directory_import__dry_run_then_import_then_unchanged(instance: Instance) -> None:
    assert run(instance, "department", "add", "Utbildningsförvaltningen/Förskola")[0] == 0
    path = csv_file(instance, "staff.csv", GOOD)
    before = dump(instance)
    code, out, err = run(instance, "directory", "import", path, "--dry-run")
    assert code == 0, err
    assert "create  @anna" in out and "create  @bo" in out
    assert "2 would be created" in out and "dry run: nothing was written" in out
    assert dump(instance) == before
    code, out, err = run(instance, "directory", "import", path)
    assert code == 0, err
    assert "2 were created, 0 were updated, 0 unchanged" in out
    staff = rows(
        instance,
        "SELECT a.username, a.title, u.role, u.password_hash FROM accounts a "
        "JOIN users u ON u.account_id = a.id ORDER BY a.username",
    )
    assert staff == [("anna", "Förskollärare", "user", None), ("bo", "Rektor", "moderator", None)]
    code, out, _err = run(instance, "directory", "import", path)
    assert "0 were created, 0 were updated, 2 unchanged" in out
    changed = csv_file(instance, "changed.csv", GOOD.replace("Rektor", "Biträdande rektor"))
    code, out, _err = run(instance, "directory", "import", changed)
    assert "update  @bo: title" in out and "1 were updated" in out


def test_directory_import__malformed_and_duplicate_rows_write_nothing(instance: Instance) -> None:
    text = (
        HEADER
        + "\ncecilia,cecilia@kommun-a.se,Cecilia,,,,,,,user"
        + "\nBad Name,bad@kommun-a.se,,,,,,,,user"
        + "\ndavid,inte-en-adress,,,,,,,,user"
        + "\ncecilia,cecilia2@kommun-a.se,Cecilia,,,,,,,user"
        + "\nerik,erik@kommun-a.se,,,Okänd förvaltning,,,,,user\n"
    )
    path = csv_file(instance, "bad.csv", text)
    before = dump(instance)
    code, out, err = run(instance, "directory", "import", path)
    assert code == 1
    lines = err.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == ["line 3", "line 4", "line 5"]
    assert "same username as line 2" in err
    assert "4 invalid row(s)" not in err and "3 invalid row(s); nothing was written" in err
    assert out == ""
    assert dump(instance) == before
    unknown = csv_file(
        instance, "unknown.csv", HEADER + "\nerik,erik@kommun-a.se,,,Okänd,,,,,user\n"
    )
    code, _out, err = run(instance, "directory", "import", unknown)
    assert code == 1 and "line 2: error: no department 'Okänd'" in err
    assert dump(instance) == before
    code, _out, err = run(instance, "directory", "import", str(instance[1] / "missing.csv"))
    assert code == 1 and "cannot read" in err


def test_user_password__gives_an_imported_account_a_password(instance: Instance) -> None:
    path = csv_file(instance, "one.csv", HEADER + "\nfrida,frida@kommun-a.se,,,,,,,,user\n")
    assert run(instance, "directory", "import", path)[0] == 0
    code, _out, err = run(instance, "user", "password", "frida", "--password", "kort")
    assert code == 1 and "at least 8" in err
    code, _out, err = run(instance, "user", "password", "ingen", "--password", "hemligt123")
    assert code == 1 and "no local user" in err
    code, _out, err = run(instance, "user", "password", "frida", "--password", "hemligt123")
    assert code == 0, err
    hashed = rows(instance, "SELECT password_hash FROM users WHERE email = 'frida@kommun-a.se'")
    assert str(hashed[0][0]).startswith("$argon2id$")
    assert rows(instance, "SELECT action FROM audit_log ORDER BY id DESC LIMIT 1") == [
        ("user.password",)
    ]
