"""Admin::Account, Admin::Report, Report, and Kollegium's Department and audit entries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from fediverse.departments import Department
from web.mastodon.serializers.accounts import serialize_role
from web.mastodon.serializers.common import iso_time

Row = Mapping[str, Any]
Entity = dict[str, Any]


def serialize_admin_account(row: Row, account: Entity | None) -> Entity:
    """``row`` from ``moderation.admin_accounts``; ``account`` its Account entity."""
    local = row["domain"] is None
    role = row["role"] or "user"
    return {
        "id": str(row["id"]),
        "username": account["username"] if account else "",
        "domain": row["domain"],
        "created_at": iso_time(row["created_at"]),
        "email": row["email"] or "",
        "ip": None,
        "ips": [],
        "locale": row["locale"] or "",
        "invite_request": None,
        "role": serialize_role(role) if local else None,
        "confirmed": row["confirmed_at"] is not None if local else False,
        "approved": local,
        "disabled": bool(row["disabled"]),
        "silenced": row["silenced_at"] is not None,
        "suspended": row["suspended_at"] is not None,
        "sensitized": row["sensitized_at"] is not None,
        "account": account,
        "created_by_application_id": None,
        "invited_by_account_id": None,
    }


def _status_ids(row: Row) -> list[str]:
    return [str(i) for i in orjson.loads(row["status_ids"] or "[]")]


def _rule_ids(row: Row) -> list[str]:
    return [str(i) for i in orjson.loads(row["rule_ids"] or "[]")]


def serialize_report(row: Row, target: Entity | None) -> Entity:
    """The Report entity a reporter sees."""
    return {
        "id": str(row["id"]),
        "action_taken": row["action_taken_at"] is not None,
        "action_taken_at": iso_time(row["action_taken_at"]),
        "category": row["category"],
        "comment": row["comment"],
        "forwarded": bool(row["forwarded"]),
        "created_at": iso_time(row["created_at"]),
        "status_ids": _status_ids(row) or None,
        "rule_ids": _rule_ids(row) or None,
        "target_account": target,
    }


def serialize_admin_report(
    row: Row, accounts: Mapping[int, Entity], statuses: list[Entity]
) -> Entity:
    """Admin::Report; ``accounts`` maps ids to Admin::Account entities."""

    def admin(account_id: int | None) -> Entity | None:
        return accounts.get(account_id) if account_id is not None else None

    return {
        "id": str(row["id"]),
        "action_taken": row["action_taken_at"] is not None,
        "action_taken_at": iso_time(row["action_taken_at"]),
        "category": row["category"],
        "comment": row["comment"],
        "forwarded": bool(row["forwarded"]),
        "created_at": iso_time(row["created_at"]),
        "updated_at": iso_time(row["updated_at"]),
        "account": admin(row["account_id"]),
        "target_account": admin(row["target_account_id"]),
        "assigned_account": admin(row["assigned_account_id"]),
        "action_taken_by_account": admin(row["action_taken_by_account_id"]),
        "statuses": statuses,
        "rules": [],
    }


def serialize_department(department: Department) -> Entity:
    return {
        "id": str(department.id),
        "parent_id": str(department.parent_id) if department.parent_id is not None else None,
        "name": department.name,
        "path": department.path,
        "created_at": iso_time(department.created_at),
    }


def serialize_audit_entry(row: Row) -> Entity:
    return {
        "id": str(row["id"]),
        "action": row["action"],
        "actor": row["actor"],
        "account_id": str(row["account_id"]) if row["account_id"] is not None else None,
        "target_type": row["target_type"],
        "target": row["target"],
        "data": row["data"],
        "created_at": iso_time(row["created_at"]),
    }
