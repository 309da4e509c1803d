"""The staff directory at a municipality's size: the CSV import and the directory query.

Run as ``.venv/bin/python bench/bench_directory.py [STAFF]`` (default 2,000). On a fresh
SQLite database it imports STAFF people spread over 10 förvaltningar of 10 units each:
first as a dry run, then for real (with one shared key, to time the database work alone),
then the same file again (everything unchanged); separately it times making the keys a new
account needs (RSA 2048 + Ed25519), which is what a real first import mostly waits for.
Then it times ``staff_directory`` for a förvaltning (its 10 units), a unit, and ``q``.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fediverse import departments
from fediverse.accounts import new_key_columns
from fediverse.directory import DirectoryQuery, staff_directory
from fediverse.directory_import import import_staff
from fediverse.runtime import open_runtime
from fediverse.settings import load_settings
from fediverse.storage.migrate import upgrade

HEADER = "username,email,display_name,title,department,phone,workplace,languages,ask_me_about"


def staff_csv(count: int) -> str:
    lines = [HEADER]
    for i in range(count):  # the departments are those the first import makes
        unit = f"Förvaltning {i % 10}/Enhet {i // 10 % 10}"
        lines.append(
            f"person{i},person{i}@kommun-a.se,Person {i},Handläggare,{unit},08-{i:06d},"
            f"Kontor {i % 40},svenska;engelska,ämne {i % 50}"
        )
    return "\n".join(lines) + "\n"


async def timed(label: str, run: object) -> float:
    started = time.perf_counter()
    await run  # type: ignore[misc]
    elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:.2f} s")
    return elapsed


def key_seconds(samples: int = 20) -> float:
    started = time.perf_counter()
    for _ in range(samples):
        new_key_columns()
    return (time.perf_counter() - started) / samples


async def query_ms(store: object, query: DirectoryQuery, rounds: int = 50) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await staff_directory(store, query)  # type: ignore[arg-type]
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as home:
        url = f"sqlite:///{home}/kollegium.db"
        await asyncio.to_thread(upgrade, url)
        settings = load_settings(
            {
                "KOLLEGIUM_DOMAIN": "kommun-a.test",
                "KOLLEGIUM_DATABASE_URL": url,
                "KOLLEGIUM_SECRET_KEY": "x" * 40,
            },
            env_file=None,
        )
        text, key = staff_csv(count), new_key_columns()
        async with open_runtime(settings) as runtime:
            store, base = runtime.store, settings.base_url

            def run(dry: bool) -> object:
                return import_staff(
                    store, base, text, dry_run=dry, create_departments=True, make_keys=lambda: key
                )

            await timed(f"dry run of {count} new staff", run(True))
            await timed(f"import of {count} new staff (database work, one shared key)", run(False))
            await timed(f"the same {count} again (all unchanged)", run(False))
            fresh = "\n".join([HEADER, *staff_csv(count + 200).splitlines()[count + 1 :]])
            real = await timed(
                "import of 200 more, making their keys on every core",
                import_staff(store, base, fresh + "\n", dry_run=False),
            )
            print(f"  so about {real / 200 * count:.0f} s for keys and all of {count} new staff")
            per_key = key_seconds()
            print(
                f"keys for one new account: {per_key * 1000:.0f} ms "
                f"(so {per_key * count:.0f} s of a first import of {count})"
            )
            tree = {d.path: d.id for d in await departments.list_departments(store)}
            for label, query in (
                (
                    "a förvaltning with its 10 units",
                    DirectoryQuery(department_id=tree["Förvaltning 3"]),
                ),
                ("one unit", DirectoryQuery(department_id=tree["Förvaltning 3/Enhet 4"])),
                ("q=ämne 7", DirectoryQuery(q="ämne 7")),
                ("everyone, order=new", DirectoryQuery(order="new")),
            ):
                print(f"staff_directory, {label}: median {await query_ms(store, query):.1f} ms")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
