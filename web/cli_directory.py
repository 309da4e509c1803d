"""``kollegium department add|list|remove|rename`` and ``kollegium directory import``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from fediverse.settings import Settings


def add_directory_commands(commands: Any, add: Any) -> None:
    """Wire the commands in; ``add`` is web.cli's ``_add(commands, name, help, run)``."""
    department = commands.add_parser("department", help="the department tree")
    sub = department.add_subparsers(
        dest="department_command", required=True, parser_class=type(department)
    )
    created = add(sub, "add", "add a department (a path adds its missing parents)", cmd_add)
    created.add_argument("path", help='e.g. "Utbildningsförvaltningen/Förskola"')
    add(sub, "list", "show the tree, with ids", cmd_list)
    removed = add(sub, "remove", "remove a department without units", cmd_remove)
    removed.add_argument("path", help="the department's path or id")
    renamed = add(sub, "rename", "rename a department", cmd_rename)
    renamed.add_argument("path", help="the department's path or id")
    renamed.add_argument("name", help="its new name")
    directory = commands.add_parser("directory", help="the staff directory")
    dsub = directory.add_subparsers(
        dest="directory_command", required=True, parser_class=type(directory)
    )
    imported = add(dsub, "import", "create or update staff accounts from a CSV file", cmd_import)
    imported.add_argument("file", type=Path, help="UTF-8 CSV with a header row (see README)")
    imported.add_argument("--dry-run", action="store_true", help="show what would change only")
    imported.add_argument(
        "--create-departments", action="store_true", help="make departments the file names"
    )


async def _find(store: Any, raw: str) -> int:
    from fediverse.departments import resolve_path
    from fediverse.errors import NotFoundError

    if raw.isdigit():
        return int(raw)
    async with store.read() as conn:
        found = await resolve_path(store, conn, raw.strip("/"), create=False)
    if found is None:
        raise NotFoundError(f"no department {raw!r}")
    return found


async def cmd_add(settings: Settings, args: argparse.Namespace) -> int:
    from fediverse import departments
    from fediverse.runtime import open_runtime

    async with open_runtime(settings) as runtime:
        store = runtime.store
        *parents, name = [part for part in args.path.split("/") if part.strip()] or [""]
        parent_id = None
        if parents:
            async with store.write() as conn:
                parent_id = await departments.resolve_path(
                    store, conn, "/".join(parents), create=True
                )
        created = await departments.create_department(store, name, parent_id)
    print(f"kollegium: department {created.id} {created.path}")
    return 0


async def cmd_list(settings: Settings, _args: argparse.Namespace) -> int:
    from fediverse import departments
    from fediverse.runtime import open_runtime

    async with open_runtime(settings) as runtime:
        found = await departments.list_departments(runtime.store)
    for department in found:
        depth = department.path.count("/")
        print(f"{department.id:>20}  {'  ' * depth}{department.name}")
    return 0


async def cmd_remove(settings: Settings, args: argparse.Namespace) -> int:
    from fediverse import departments
    from fediverse.runtime import open_runtime

    async with open_runtime(settings) as runtime:
        gone = await departments.delete_department(
            runtime.store, await _find(runtime.store, args.path)
        )
    print(f"kollegium: removed department {gone.path}")
    return 0


async def cmd_rename(settings: Settings, args: argparse.Namespace) -> int:
    from fediverse import departments
    from fediverse.runtime import open_runtime

    async with open_runtime(settings) as runtime:
        changed = await departments.update_department(
            runtime.store, await _find(runtime.store, args.path), name=args.name
        )
    print(f"kollegium: department {changed.id} is now {changed.path}")
    return 0


async def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from fediverse.directory_import import ImportRefused, import_staff
    from fediverse.runtime import open_runtime

    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"kollegium: error: cannot read {args.file}: {exc}", file=sys.stderr)
        return 1
    async with open_runtime(settings) as runtime:
        try:
            report = await import_staff(
                runtime.store,
                settings.base_url,
                text,
                dry_run=args.dry_run,
                create_departments=args.create_departments,
            )
        except ImportRefused as refused:
            _print_problems(refused.report)
            print(f"kollegium: error: {refused.message}", file=sys.stderr)
            return 1
    _print_report(report)
    return 0


def _print_problems(report: Any) -> None:
    for line, message in report.warnings:
        print(f"line {line}: warning: {message}", file=sys.stderr)
    for line, message in report.errors:
        print(f"line {line}: error: {message}", file=sys.stderr)


def _print_report(report: Any) -> None:
    _print_problems(report)
    verb = "would be" if report.dry_run else "were"
    for name in report.created:
        print(f"create  @{name}")
    for name, columns in report.updated:
        print(f"update  @{name}: {', '.join(columns)}")
    print(
        f"kollegium: {len(report.created)} {verb} created, {len(report.updated)} {verb} "
        f"updated, {len(report.unchanged)} unchanged"
        + (" (dry run: nothing was written)" if report.dry_run else "")
    )


def add_user_password_command(user: Any, add: Any) -> None:
    """``kollegium user password NAME``: wired into web.cli's ``user`` commands."""
    command = add(
        user, "password", "set a user's password (read from stdin if not given)", cmd_password
    )
    command.add_argument("name", help="the local username")
    command.add_argument("--password", help="at least 8 characters; omit to type it or pipe it in")


def _read_password() -> str:
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("password: ")
    return sys.stdin.readline().rstrip("\n")


async def cmd_password(settings: Settings, args: argparse.Namespace) -> int:
    from fediverse.runtime import open_runtime
    from fediverse.staff_profiles import set_password

    password = args.password if args.password is not None else _read_password()
    async with open_runtime(settings) as runtime:
        await set_password(runtime.store, args.name, password)
    print(f"kollegium: password set for @{args.name.strip().lower()}")
    return 0
