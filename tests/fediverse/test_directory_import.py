"""The staff CSV import and the department tree, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import select

from fediverse import departments
from fediverse.accounts import NewUser, create_user
from fediverse.departments import Editor
from fediverse.directory_import import ImportRefused, import_staff
from fediverse.errors import ConflictError, NotFoundError, ValidationError
from fediverse.storage.database import Store
from fediverse.storage.tables import accounts, audit_log, users
from fediverse.storage.tables import departments as departments_table
from tests.web.mastodon.conftest import snapshot

BASE = "https://kommun-a.test"
KEYS = {"private_key_pem": "test", "public_key_pem": "test", "ed25519_private_key_pem": "test"}
HEADER = "username,email,display_name,title,department,phone,workplace,languages,ask_me_about,role"
GOOD = "\n".join(
    [
        HEADER,
        "anna,anna@kommun-a.se,Anna Berg,Förskollärare,Utbildningsförvaltningen/Förskola,"
        "+46 8 123 45,Solrosens förskola,svenska;engelska,Montessori;IKT,user",
        "bo,bo@kommun-a.se,Bo Ek,Rektor,Utbildningsförvaltningen,,Ekskolan,svenska,,moderator",
    ]
)


async def run(store: Store, text: str, **options: Any) -> Any:
    options.setdefault("dry_run", False)
    return await import_staff(store, BASE, text, make_keys=lambda: dict(KEYS), **options)


async def staff(store: Store) -> dict[str, dict[str, Any]]:
    query = select(accounts, users.c.email, users.c.role, users.c.password_hash).join(
        users, users.c.account_id == accounts.c.id
    )
    async with store.read() as conn:
        return {r._mapping["username"]: dict(r._mapping) for r in await conn.fetch_all(query)}


async def test_import__dry_run_reports_and_changes_nothing(store: Store) -> None:
    before = await snapshot(store)
    report = await run(store, GOOD, dry_run=True, create_departments=True)
    assert report.created == ["anna", "bo"] and report.dry_run
    assert await snapshot(store) == before


async def test_import__creates_then_updates_then_leaves_unchanged(store: Store) -> None:
    report = await run(store, GOOD, create_departments=True)
    assert report.created == ["anna", "bo"]
    found = await staff(store)
    anna = found["anna"]
    assert anna["password_hash"] is None  # single sign-on only
    assert anna["title"] == "Förskollärare" and anna["phone"] == "+46 8 123 45"
    assert orjson.loads(anna["languages"]) == ["svenska", "engelska"]
    assert orjson.loads(anna["ask_me_about"]) == ["Montessori", "IKT"]
    assert found["bo"]["role"] == "moderator"
    tree = {d.path: d.id for d in await departments.list_departments(store)}
    assert anna["department_id"] == tree["Utbildningsförvaltningen/Förskola"]
    assert found["bo"]["department_id"] == tree["Utbildningsförvaltningen"]

    again = await run(store, GOOD)
    assert again.created == [] and again.updated == [] and again.unchanged == ["anna", "bo"]

    changed = GOOD.replace("Rektor", "Biträdande rektor")
    third = await run(store, changed)
    assert third.updated == [("bo", ["title"])] and third.unchanged == ["anna"]
    async with store.read() as conn:
        actions = [r[0] for r in await conn.fetch_all(select(audit_log.c.action))]
    assert actions.count("directory.import") == 3


async def test_import__a_missing_column_leaves_the_field_an_empty_cell_clears_it(
    store: Store,
) -> None:
    await run(store, GOOD, create_departments=True)
    report = await run(store, "username,phone\nanna,\nbo,070-1234567\n")
    assert report.updated == [("anna", ["phone"]), ("bo", ["phone"])]
    found = await staff(store)
    assert found["anna"]["phone"] == "" and found["anna"]["title"] == "Förskollärare"
    assert found["bo"]["phone"] == "070-1234567"


async def test_import__malformed_rows_are_reported_by_line_and_nothing_is_written(
    store: Store,
) -> None:
    before = await snapshot(store)
    text = "\n".join(
        [
            HEADER,
            "anna,anna@kommun-a.se,Anna,,,,,,,user",
            "Bad Name!,x@kommun-a.se,,,,,,,,user",  # line 3
            "cecilia,not-an-email,,,,,,,,user",  # line 4
            "david,david@kommun-a.se,,,,,,,,emperor",  # line 5
            "erik,erik@kommun-a.se,,,,abc,,,,user",  # line 6: phone
            "fia,fia@kommun-a.se,,,,,,,,user,extra",  # line 7: too many cells
        ]
    )
    with pytest.raises(ImportRefused) as refused:
        await run(store, text)
    assert [line for line, _ in refused.value.report.errors] == [3, 4, 5, 6, 7]
    assert "username" in refused.value.report.errors[0][1]
    assert await snapshot(store) == before


async def test_import__an_unknown_department_refuses_the_whole_file(store: Store) -> None:
    before = await snapshot(store)
    text = HEADER + "\nanna,anna@kommun-a.se,,,Okänd förvaltning,,,,,user\n"
    with pytest.raises(ImportRefused) as refused:
        await run(store, text)
    assert refused.value.report.errors[0][0] == 2
    assert "Okänd förvaltning" in refused.value.report.errors[0][1]
    assert await snapshot(store) == before


async def test_import__duplicates_repeat_with_a_warning_or_refuse_when_they_disagree(
    store: Store,
) -> None:
    row = "anna,anna@kommun-a.se,Anna,,,,,,,user"
    report = await run(store, "\n".join([HEADER, row, row]))
    assert report.created == ["anna"]
    assert report.warnings == [(3, "repeats line 2; skipped")]
    before = await snapshot(store)
    disagreeing = "\n".join(
        [
            HEADER,
            "bo,bo@kommun-a.se,Bo,,,,,,,user",
            "bo,bo2@kommun-a.se,Bo,,,,,,,user",  # same username
            "cissi,bo@kommun-a.se,Cissi,,,,,,,user",  # same e-mail address
        ]
    )
    with pytest.raises(ImportRefused) as refused:
        await run(store, disagreeing)
    assert [line for line, _ in refused.value.report.errors] == [3, 4]
    assert "line 2" in refused.value.report.errors[0][1]
    assert await snapshot(store) == before


async def test_import__an_e_mail_address_of_someone_else_is_refused(store: Store) -> None:
    await create_user(store, BASE, NewUser("karin", "karin@kommun-a.se", None))
    with pytest.raises(ImportRefused) as refused:
        await run(store, HEADER + "\nanna,karin@kommun-a.se,,,,,,,,user\n")
    assert refused.value.report.errors == [(2, "e-mail address 'karin@kommun-a.se' is in use")]


async def test_import__a_file_without_a_username_column_is_refused(store: Store) -> None:
    with pytest.raises(ImportRefused) as refused:
        await run(store, "name,email\nanna,anna@kommun-a.se\n")
    assert refused.value.report.errors == [(1, "the header must name a username column")]


async def test_departments__tree_paths_moves_and_refusals(store: Store) -> None:
    editor = Editor("admin", None)
    edu = await departments.create_department(store, "Utbildningsförvaltningen", editor=editor)
    pre = await departments.create_department(store, "Förskola", edu.id, editor=editor)
    school = await departments.create_department(store, "Grundskola", edu.id, editor=editor)
    assert pre.path == "Utbildningsförvaltningen/Förskola"
    with pytest.raises(ConflictError):
        await departments.create_department(store, "förskola", edu.id)
    with pytest.raises(ValidationError):
        await departments.create_department(store, "a/b")
    with pytest.raises(ValidationError):
        await departments.update_department(store, edu.id, parent_id=school.id, move=True)
    moved = await departments.update_department(store, school.id, parent_id=None, move=True)
    assert moved.path == "Grundskola"
    with pytest.raises(ConflictError):
        await departments.delete_department(store, edu.id)  # it has a unit
    await departments.delete_department(store, pre.id)
    with pytest.raises(NotFoundError):
        await departments.get_department(store, pre.id)
    paths = [d.path for d in await departments.list_departments(store)]
    assert paths == ["Grundskola", "Utbildningsförvaltningen"]
    async with store.read() as conn:
        actions = [r[0] for r in await conn.fetch_all(select(audit_log.c.action))]
        left = await conn.fetch_all(select(departments_table))
    assert actions.count("department.create") == 3 and "department.delete" in actions
    assert len(left) == 2
