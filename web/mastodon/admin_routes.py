"""The routes of the staff directory, reports and moderation (issue 6.4 and 6.5)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.mastodon import admin_accounts, admin_departments, admin_reports, reports
from web.mastodon import directory as staff_directory
from web.mastodon.endpoint import route

ACCOUNTS = "/api/v1/admin/accounts"
REPORTS = "/api/v1/admin/reports"
DEPARTMENTS = "/api/v1/admin/departments"


def _department_routes() -> list[BaseRoute]:
    one = admin_departments
    return [
        *route(DEPARTMENTS, GET=one.index, POST=one.create),
        *route(
            DEPARTMENTS + "/{id}", GET=one.show, PATCH=one.update, PUT=one.update, DELETE=one.delete
        ),
    ]


def _report_routes() -> list[BaseRoute]:
    found = [
        *route(REPORTS, GET=admin_reports.index),
        *route(REPORTS + "/{id}", GET=admin_reports.show),
    ]
    for name, handler in admin_reports.STEPS.items():
        found += route(f"{REPORTS}/{{id}}/{name}", POST=handler)
    return found


def _account_routes() -> list[BaseRoute]:
    found = [
        *route(ACCOUNTS, GET=admin_accounts.index_v1),
        *route("/api/v2/admin/accounts", GET=admin_accounts.index_v2),
        *route(ACCOUNTS + "/{id}", GET=admin_accounts.show),
        *route(ACCOUNTS + "/{id}/action", POST=admin_accounts.action),
        *route("/api/v1/admin/statuses/{id}", DELETE=admin_accounts.remove_status),
    ]
    for name, handler in admin_accounts.UNDOING.items():
        found += route(f"{ACCOUNTS}/{{id}}/{name}", POST=handler)
    return found


def admin_routes() -> list[BaseRoute]:
    return [
        *route("/api/v1/directory", GET=staff_directory.index),
        *route("/api/v1/directory/departments", GET=admin_departments.public_index),
        *route("/api/v1/reports", POST=reports.create),
        *route("/api/v1/admin/audit_log", GET=admin_departments.audit_log),
        *_department_routes(),
        *_report_routes(),
        *_account_routes(),
    ]
