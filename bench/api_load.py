"""Shared load-test plumbing: a dataset in a fresh database, a real server, wrk with tokens."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
KOLLEGIUM = str(Path(sys.executable).with_name("kollegium"))
HOST, PORT = "127.0.0.1", 8040
LUA = """
local n = tonumber(os.getenv("BENCH_TOKENS") or "1000")
local counter = math.random(0, n)
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
request = function()
  counter = counter + 1
  local headers = {["Authorization"] = "Bearer bench-token-" .. (counter % n)}
  if body then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return wrk.format(method, nil, headers, body .. counter)
  end
  return wrk.format(method, nil, headers)
end
-- With BENCH_RATE, requests leave at that many a second in all, one every 1/rate s (each
-- connection waits for its slot), so that latency is measured at a given load rather than
-- at saturation.
local rate = tonumber(os.getenv("BENCH_RATE") or "0")
if rate > 0 then
  local ffi = require("ffi")
  ffi.cdef[[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clock, bench_timespec *now);
  ]]
  local now = ffi.new("bench_timespec")
  local function now_ms()
    ffi.C.clock_gettime(1, now)  -- CLOCK_MONOTONIC
    return tonumber(now.tv_sec) * 1000 + tonumber(now.tv_nsec) / 1e6
  end
  local interval, slot = 1000 / rate, nil
  delay = function()
    local t = now_ms()
    if slot == nil then slot = t end
    local wait = slot - t
    slot = slot + interval
    if wait < 0 then wait = 0 end
    return wait
  end
end
"""


def database_url(kind: str, dataset: str, work: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{work / (dataset + '.db')}"
    admin = os.environ.get(
        "KOLLEGIUM_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    name = f"bench_{dataset}_{secrets.token_hex(3)}"
    subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    return admin.rsplit("/", 1)[0] + "/" + name


def drop_database(url: str) -> None:
    if url.startswith("postgresql"):
        admin = os.environ.get(
            "KOLLEGIUM_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
        )
        name = url.rsplit("/", 1)[1]
        subprocess.run(
            ["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=False
        )


@contextmanager
def prepared(kind: str, dataset: str) -> Iterator[tuple[str, Path]]:
    """A fresh database of ``kind`` filled with ``dataset``; removed afterwards."""
    work = Path(tempfile.mkdtemp(prefix="kollegium-bench-"))
    url = database_url(kind, dataset, work)
    try:
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "dataset.py"), dataset, url], check=True
        )
        yield url, work
    finally:
        drop_database(url)
        shutil.rmtree(work, ignore_errors=True)


@contextmanager
def filled(kind: str, dataset: str, url: str | None) -> Iterator[tuple[str, Path]]:
    """The database at ``url`` that bench/dataset.py filled before, kept afterwards; without
    ``url``, a fresh one of ``kind`` filled with ``dataset`` (``prepared``)."""
    if url is None:
        with prepared(kind, dataset) as ready:
            yield ready
        return
    work = Path(tempfile.mkdtemp(prefix="kollegium-bench-"))
    try:
        yield url, work
    finally:
        shutil.rmtree(work, ignore_errors=True)


@contextmanager
def server(url: str, work: Path, secret: str | None = None) -> Iterator[str]:
    """A real ``kollegium serve`` on ``url``; ``secret`` when the caller signs cookies."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOLLEGIUM_")}
    env |= {
        "KOLLEGIUM_DOMAIN": f"{HOST}:{PORT}",
        "KOLLEGIUM_DATABASE_URL": url,
        "KOLLEGIUM_SECRET_KEY": secret or secrets.token_hex(32),
        "KOLLEGIUM_DEV_INSECURE": "1",
        "KOLLEGIUM_LOG_LEVEL": "warning",
        "KOLLEGIUM_MEDIA_DIR": str(work / "media"),
    }
    subprocess.run([KOLLEGIUM, "init"], env=env, cwd=work, check=True, capture_output=True)
    log = (work / "serve.log").open("wb")
    process = subprocess.Popen(
        [KOLLEGIUM, "serve", "--host", HOST, "--port", str(PORT)],
        env=env,
        cwd=work,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://{HOST}:{PORT}"
    try:
        for _ in range(400):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def wrk(
    url: str,
    *,
    connections: int,
    seconds: int,
    tokens: int,
    method: str = "GET",
    body: str | None = None,
    rate: int = 0,
) -> dict[str, float]:
    """Run wrk against ``url``; returns p50, p99 (ms), requests/s and non-2xx count. With
    ``rate``, requests are paced to that many a second in all (LUA); else each connection
    sends its next request as soon as it has the answer."""
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(LUA)
    env = dict(os.environ, BENCH_TOKENS=str(tokens), BENCH_METHOD=method, BENCH_RATE=str(rate))
    if body is not None:
        env["BENCH_BODY"] = body
    done = subprocess.run(
        [
            "wrk",
            "-t",
            "1",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    script.unlink()
    return parse_wrk(done.stdout)


def pending_posts(url: str) -> int:
    """Posts whose followers' home feeds are still to be filled (fediverse/feeds.py)."""
    query = "SELECT count(*) FROM feed_pending"
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            return int(conn.execute(query).fetchone()[0])
    done = subprocess.run(["psql", url, "-Atc", query], capture_output=True, text=True, check=True)
    return int(done.stdout)


def seconds_until_filled(url: str, limit: float = 300.0) -> float:
    """How long, from now, until every pending post's followers' feeds are filled."""
    start = time.monotonic()
    while pending_posts(url) and time.monotonic() - start < limit:
        time.sleep(0.1)
    if pending_posts(url):
        raise RuntimeError(f"feeds still pending after {limit:.0f} s")
    return time.monotonic() - start


def cpu_seconds(program: str, containing: str = "") -> float:
    """CPU time (user and system) used so far by the processes running ``program``: their
    command starts with it (``postgres``), or their script's path does (a Python program's);
    with ``containing``, only those whose command line holds it (a PostgreSQL backend's
    shows its database's name)."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, UnicodeDecodeError):
            continue
        if any(arg.startswith(program) for arg in argv[:2]) and containing in " ".join(argv):
            total += int(fields[11]) + int(fields[12])  # utime, stime (after pid and name)
    return total / os.sysconf("SC_CLK_TCK")


def _ms(raw: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", raw).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(output: str) -> dict[str, float]:
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if not (p50 and p99 and rate):
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    return {
        "p50": _ms(p50.group(1)),
        "p99": _ms(p99.group(1)),
        "rps": float(rate.group(1)),
        "errors": float(errors.group(1)) if errors else 0.0,
    }
