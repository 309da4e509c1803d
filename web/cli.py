"""The ``kollegium`` command line: set up, serve, run workers, manage users and federation."""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from fediverse.errors import KollegiumError
from fediverse.settings import FEDERATION_MODES, Settings, load_settings
from web.cli_directory import add_directory_commands, add_user_password_command

Command = Callable[[Settings, argparse.Namespace], Awaitable[int]]
DEMO_CREDENTIALS = Path("data/demo-admin.txt")
# On SIGTERM, requests in flight get this long to finish before connections are closed.
GRACEFUL_SHUTDOWN_SECONDS = 20


class Parser(argparse.ArgumentParser):
    """Says what is wrong in one line, without the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(os.environ)
        if args.command_name in ("serve",):
            return args.run(settings, args)  # type: ignore[no-any-return]
        return asyncio.run(args.run(settings, args))
    except KollegiumError as exc:
        print(f"kollegium: error: {exc.message}", file=sys.stderr)
        return 1


def build_parser() -> Parser:
    parser = Parser(prog="kollegium", description="Kollegium, a federated social intranet.")
    commands = parser.add_subparsers(dest="command_name", required=True, parser_class=Parser)
    _add(commands, "init", "create or upgrade the database and make instance keys", cmd_init)
    serve = _add(commands, "serve", "run the web server with an in-process worker", run_serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.add_argument("--no-worker", action="store_true", help="do not run jobs in-process")
    worker = _add(commands, "worker", "run job workers alone, for scale-out", cmd_worker)
    worker.add_argument("--concurrency", type=_positive, default=50, help="jobs run at once")
    _add_user_commands(commands)
    _add_federation_commands(commands)
    _add_job_commands(commands)
    _add_ops_commands(commands)
    add_directory_commands(commands, _add)
    _add(commands, "demo-admin", "create the demo admin once and print its sign-in", cmd_demo)
    return parser


def _add(commands: Any, name: str, help_text: str, run: Any) -> Parser:
    sub: Parser = commands.add_parser(name, help=help_text, description=help_text)
    sub.set_defaults(run=run)
    return sub


def _positive(raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number above 0, got {raw!r}")
    return int(raw)


def _add_user_commands(commands: Any) -> None:
    user = commands.add_parser("user", help="manage staff accounts").add_subparsers(
        dest="user_command", required=True, parser_class=Parser
    )
    create = _add(user, "create", "create a local account", cmd_user_create)
    create.add_argument("name", help="username: a-z, 0-9 and _")
    create.add_argument("--email", required=True, help="e-mail address, used to sign in")
    create.add_argument("--password", required=True, help="at least 8 characters")
    create.add_argument("--role", choices=("admin", "moderator", "user"), default="user")
    create.add_argument("--display-name", default="", help="the name shown to colleagues")
    add_user_password_command(user, _add)


def _add_federation_commands(commands: Any) -> None:
    fed = commands.add_parser("federation", help="which instances we federate with")
    sub = fed.add_subparsers(dest="federation_command", required=True, parser_class=Parser)
    mode = _add(sub, "mode", "set the instance's federation mode", cmd_federation_mode)
    mode.add_argument("mode", choices=FEDERATION_MODES)
    for name, help_text in (
        ("allow", "allow a domain (allowlist mode federates only with these)"),
        ("block", "suspend a domain: nothing in, nothing out"),
        ("silence", "silence a domain: nothing in public timelines, follows need approval"),
        ("remove", "forget the policy for a domain"),
    ):
        command = _add(sub, name, help_text, cmd_federation_domain)
        command.add_argument("domain")
        if name != "remove":
            command.add_argument(
                "--reject-media",
                action="store_true",
                help="do not fetch or store the domain's media; attachments are shown as links",
            )
    _add(sub, "list", "show the mode and every domain's policy", cmd_federation_list)


def _add_job_commands(commands: Any) -> None:
    jobs = commands.add_parser("jobs", help="inspect the job queue")
    sub = jobs.add_subparsers(dest="jobs_command", required=True, parser_class=Parser)
    _add(sub, "list", "count jobs and show the failed ones with their errors", cmd_jobs_list)
    retry = _add(sub, "retry", "queue a failed job again", cmd_jobs_retry)
    retry.add_argument("job_id", type=_positive)


def _add_ops_commands(commands: Any) -> None:
    backup = _add(commands, "backup", "write a consistent copy of the database", cmd_backup)
    backup.add_argument("file", type=Path, help="the backup file to write")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    restore = _add(commands, "restore", "replace the database with a backup", cmd_restore)
    restore.add_argument("file", type=Path, help="a file written by `kollegium backup`")
    restore.add_argument(
        "--force", action="store_true", help="overwrite a database that holds data"
    )
    migrate = _add(commands, "migrate", "copy this SQLite instance to PostgreSQL", cmd_migrate)
    migrate.add_argument(
        "--to",
        required=True,
        type=_postgres_url,
        metavar="URL",
        help="an empty database: postgresql://USER@HOST:PORT/DB",
    )
    _add(commands, "check", "diagnose the configuration; non-zero exit on a problem", cmd_check)


def _postgres_url(raw: str) -> str:
    if not raw.startswith(("postgresql://", "postgres://")):
        raise argparse.ArgumentTypeError(f"expected a postgresql:// URL, got {raw!r}")
    return raw.replace("postgres://", "postgresql://", 1)


async def cmd_init(settings: Settings, _args: argparse.Namespace) -> int:
    from fediverse.accounts import ensure_instance_actor
    from fediverse.runtime import open_runtime
    from fediverse.storage.migrate import upgrade

    await asyncio.to_thread(upgrade, settings.database_url)
    async with open_runtime(settings) as runtime:
        await ensure_instance_actor(runtime.store, settings.domain, settings.base_url)
    settings.media_dir.mkdir(parents=True, exist_ok=True)
    print(f"kollegium: database ready at {settings.database_url}; instance {settings.domain}")
    return 0


def run_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from web.app import create_app
    from web.logs import configure_logging
    from web.serving import StoppingServer

    asyncio.run(_preflight(settings))  # a database that is not ready fails in one line
    configure_logging(settings.log_level)
    config = uvicorn.Config(
        create_app(settings, run_worker=not args.no_worker),
        host=args.host,
        port=args.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_config=None,
        lifespan="on",
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    server = StoppingServer(config)
    server.run()
    return 0 if server.started else 1


async def _preflight(settings: Settings) -> None:
    from fediverse.storage.database import Store, check_schema

    store = Store(settings.database_url, readers=1)
    await store.connect()
    try:
        await check_schema(store)
    finally:
        await store.disconnect()


async def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    import httpx

    from federation.http import build_client
    from fediverse.feeds import FeedFiller
    from fediverse.jobs import Worker
    from fediverse.runtime import open_runtime
    from fediverse.tasks import start_feed_trimming
    from web.app import default_registry
    from web.logs import configure_logging

    configure_logging(settings.log_level)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with open_runtime(settings, events=True) as runtime, build_client(settings) as http:
        assert isinstance(http, httpx.AsyncClient)
        registry = default_registry(runtime, http)
        worker = Worker(runtime.queue, registry, concurrency=args.concurrency)
        await start_feed_trimming(runtime.store)
        filler = FeedFiller(runtime.store)
        stop_waiter = asyncio.create_task(_wake_on(stop, runtime.queue.notify, filler.wake))
        await asyncio.gather(worker.run(stop), filler.run(stop))
        stop_waiter.cancel()
        await registry.close()
    return 0


async def _wake_on(stop: asyncio.Event, *wake: Callable[[], None]) -> None:
    await stop.wait()
    for notify in wake:
        notify()


async def cmd_user_create(settings: Settings, args: argparse.Namespace) -> int:
    from fediverse.accounts import NewUser, create_user
    from fediverse.runtime import open_runtime

    new = NewUser(args.name, args.email, args.password, args.role, args.display_name)
    async with open_runtime(settings) as runtime:
        created = await create_user(runtime.store, settings.base_url, new)
    print(f"kollegium: created {created.role} @{created.username} <{created.email}>")
    return 0


async def cmd_federation_mode(settings: Settings, args: argparse.Namespace) -> int:
    from fediverse.instances import set_federation_mode
    from fediverse.runtime import open_runtime

    async with open_runtime(settings) as runtime:
        await set_federation_mode(runtime.store, args.mode, actor="cli")
    print(f"kollegium: federation mode is now {args.mode}")
    return 0


async def cmd_federation_domain(settings: Settings, args: argparse.Namespace) -> int:
    from fediverse.instances import clear_domain_policy, normalize_domain, set_domain_policy
    from fediverse.runtime import open_runtime

    action = args.federation_command
    policy = {"allow": "allow", "block": "suspend", "silence": "silence"}.get(action)
    domain = normalize_domain(args.domain)  # a bad domain fails before anything is opened
    async with open_runtime(settings) as runtime:
        if policy is None:
            found = await clear_domain_policy(runtime.store, domain, actor="cli")
            print(f"kollegium: {domain}: " + ("policy removed" if found else "had no policy"))
            return 0
        await set_domain_policy(
            runtime.store, domain, policy, actor="cli", reject_media=args.reject_media
        )
    print(f"kollegium: {domain}: {policy}" + (" (media rejected)" if args.reject_media else ""))
    return 0


async def cmd_federation_list(settings: Settings, _args: argparse.Namespace) -> int:
    from fediverse.instances import domain_policies, federation_mode
    from fediverse.runtime import open_runtime

    async with open_runtime(settings) as runtime:
        mode = await federation_mode(runtime.store, settings.federation_mode)
        policies = await domain_policies(runtime.store)
    print(f"mode: {mode}")
    for entry in policies:
        media = " (media rejected)" if entry.reject_media else ""
        print(f"{entry.policy:8} {entry.domain}{media}")
    return 0


async def cmd_jobs_list(settings: Settings, _args: argparse.Namespace) -> int:
    from fediverse.runtime import open_runtime

    async with open_runtime(settings) as runtime:
        counts = await runtime.queue.counts()
        failed = await runtime.queue.failed()
    print(" ".join(f"{state}: {count}" for state, count in counts.items()))
    for job in failed:
        print(f"{job.id} {job.name} after {job.attempts} tries: {job.last_error}")
    return 0


async def cmd_jobs_retry(settings: Settings, args: argparse.Namespace) -> int:
    from fediverse.runtime import open_runtime

    async with open_runtime(settings) as runtime:
        found = await runtime.queue.retry(args.job_id)
    if not found:
        print(f"kollegium: error: no failed job {args.job_id}", file=sys.stderr)
        return 1
    print(f"kollegium: job {args.job_id} queued again")
    return 0


async def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from fediverse.ops.backup import backup, check_destination

    check_destination(args.file, overwrite=args.force)
    await asyncio.to_thread(backup, settings.database_url, args.file)
    size = args.file.stat().st_size
    print(
        f"kollegium: backup of {hide_password(settings.database_url)} in {args.file} ({size} bytes)"
    )
    return 0


async def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    from fediverse.ops.backup import check_restorable, database_has_data, restore

    check_restorable(settings.database_url, args.file)  # fails before anything is touched
    if not args.force and await database_has_data(settings.database_url):
        print(
            "kollegium: error: the database holds an instance already; "
            "stop the services and add --force to overwrite it",
            file=sys.stderr,
        )
        return 1
    await asyncio.to_thread(restore, settings.database_url, args.file)
    print(f"kollegium: restored {args.file} into {hide_password(settings.database_url)}")
    print("kollegium: run `kollegium init` if the backup comes from an older version")
    return 0


async def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from fediverse.ops.copy import copy_to_postgres

    def progress(table: str, rows: int) -> None:
        if rows:
            print(f"  {table}: {rows} rows")

    target = hide_password(args.to)
    print(f"kollegium: copying {settings.database_url} to {target}")
    copied = await copy_to_postgres(settings.database_url, args.to, progress)
    total = sum(copied.values())
    print(f"kollegium: copied {total} rows in {len(copied)} tables, counts verified")
    print(f"kollegium: now set KOLLEGIUM_DATABASE_URL={target} and start the services")
    return 0


async def cmd_check(settings: Settings, _args: argparse.Namespace) -> int:
    from web.ops_check import run_checks

    findings = await run_checks(settings)
    for finding in findings:
        print(finding.line())
    failed = sum(finding.level == "FAIL" for finding in findings)
    print(f"kollegium: {failed} problem(s) found" if failed else "kollegium: all checks passed")
    return 1 if failed else 0


def hide_password(url: str) -> str:
    """A database URL fit to print: the password replaced by ``***``."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    return f"{scheme}{sep}{credentials.split(':', 1)[0]}:***@{host}"


async def cmd_demo(settings: Settings, _args: argparse.Namespace) -> int:
    from fediverse.accounts import NewUser, create_user
    from fediverse.runtime import open_runtime

    if not DEMO_CREDENTIALS.exists():
        password = secrets.token_urlsafe(12)
        new = NewUser("admin", "admin@example.com", password, "admin", "Demo Admin")
        async with open_runtime(settings) as runtime:
            await create_user(runtime.store, settings.base_url, new)
        DEMO_CREDENTIALS.parent.mkdir(parents=True, exist_ok=True)
        DEMO_CREDENTIALS.write_text(f"e-mail: admin@example.com\npassword: {password}\n")
        DEMO_CREDENTIALS.chmod(0o600)
    print(f"Demo admin of {settings.base_url}/ (saved in {DEMO_CREDENTIALS}):")
    print(DEMO_CREDENTIALS.read_text(), end="")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
