"""Real processes for end-to-end tests: `kollegium` commands and servers on loopback."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

KOLLEGIUM = str(Path(sys.executable).with_name("kollegium"))
START_TIMEOUT = 20.0


LOWEST_PORT = 10_000
_PICK = random.SystemRandom()


def free_port(host: str = "127.0.0.1") -> int:
    """A port free on ``host`` now, below the range the kernel gives outgoing connections.

    A port from that range (what binding port 0 returns) can be taken by any client's socket
    between this check and the server's bind; under parallel tests it was, and the test
    then found another process's server at that address.
    """
    below = _outgoing_ports_start()
    for _ in range(200):
        port = _PICK.randrange(LOWEST_PORT, below)
        with socket.socket() as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port on {host} below {below}")


def _outgoing_ports_start() -> int:
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32_768  # Linux's default
    return low if low > LOWEST_PORT + 1_000 else 65_000


def instance_env(database_url: str, domain: str, **extra: str) -> dict[str, str]:
    """The environment of one test instance; nothing from the caller's KOLLEGIUM_ leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOLLEGIUM_")}
    env.update(
        KOLLEGIUM_DOMAIN=domain,
        KOLLEGIUM_DATABASE_URL=database_url,
        KOLLEGIUM_SECRET_KEY=secrets.token_hex(32),
        KOLLEGIUM_DEV_INSECURE="1",
        KOLLEGIUM_LOG_LEVEL="warning",
    )
    env.update(extra)
    return env


def kollegium(
    *args: str, env: Mapping[str, str], cwd: Path, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run one `kollegium` command to the end."""
    return subprocess.run(
        [KOLLEGIUM, *args], env=dict(env), cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


_RUN_ALL = """
import json, sys
from web.cli import main
for args in json.loads(sys.argv[1]):
    code = main(args)
    if code:
        sys.exit(code)
"""


def kollegium_all(
    commands: Iterable[Sequence[str]], *, env: Mapping[str, str], cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`kollegium` commands one after another in one interpreter, each as the `kollegium`
    program runs it (``web.cli.main``), stopping at the first that fails. Starting Python
    and importing the command's libraries cost about a second a command, and an instance's
    set-up (init, its members, its allowed domains) is several."""
    batch = json.dumps([list(c) for c in commands])
    return subprocess.run(
        [sys.executable, "-c", _RUN_ALL, batch],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def wait_healthy(base_url: str, process: subprocess.Popen[bytes], timeout: float) -> float:
    """Poll /healthz until 200; returns the seconds it took."""
    started = time.perf_counter()
    deadline = started + timeout
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if loopback().get(f"{base_url}/healthz", timeout=1).status_code == 200:
                _check_it_is(process, base_url)
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.02)
    raise TimeoutError(f"{base_url} not healthy after {timeout} s")


@functools.cache
def loopback() -> httpx.Client:
    """The client of this test process for its servers on loopback: a new connection for
    every request, as ``httpx.get`` makes, without loading the CA bundle for each one (17 ms
    of CPU: polling /healthz every 20 ms with ``httpx.get`` took most of a core from the
    server starting up)."""
    return httpx.Client(timeout=10, limits=httpx.Limits(max_keepalive_connections=0))


def _check_it_is(process: subprocess.Popen[bytes], base_url: str) -> None:
    """The server that answered is ``process``: a server that cannot bind its port would
    otherwise pass for healthy while another one holds it (it happened, silently)."""
    url = httpx.URL(base_url)
    if url.port is not None and listens(process.pid, url.host, url.port) is False:
        raise RuntimeError(f"{base_url} answers, but process {process.pid} does not hold it")


def listens(pid: int, host: str, port: int) -> bool | None:
    """Whether process ``pid`` holds the TCP socket listening on IPv4 ``host``:``port``
    (read from /proc, in the process's own network namespace); None where it cannot tell."""
    try:
        packed = socket.inet_aton(host)
        rows = Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return None
    wanted = f"{packed[::-1].hex().upper()}:{port:04X}"
    listening = {f[9] for f in (r.split() for r in rows) if f[1] == wanted and f[3] == "0A"}
    held = set()
    for fd in fds:
        with contextlib.suppress(OSError):
            held.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
    return any(f"socket:[{inode}]" in held for inode in listening)


@contextmanager
def serving(
    env: Mapping[str, str],
    cwd: Path,
    host: str = "127.0.0.1",
    *extra_args: str,
    port: int | None = None,
) -> Iterator[str]:
    """`kollegium serve` on ``host`` (and ``port``, else a free one); yields its base URL.

    Federation tests pick the port first with ``free_port(host)`` so that the instance's
    ``KOLLEGIUM_DOMAIN`` can be ``host:port``.
    """
    with _launched(env, cwd, host, *extra_args, port=port) as (process, base_url):
        wait_healthy(base_url, process, START_TIMEOUT)
        yield base_url


@contextmanager
def serving_together(
    *servers: tuple[Mapping[str, str], Path, str, int],
) -> Iterator[list[str]]:
    """``serving`` of several instances, each given as (env, cwd, host, port): all started
    at once, then each waited for (a start is seconds of imports on a busy machine)."""
    with ExitStack() as stack:
        launched = [
            stack.enter_context(_launched(env, cwd, host, port=port))
            for env, cwd, host, port in servers
        ]
        for process, base_url in launched:
            wait_healthy(base_url, process, START_TIMEOUT)
        yield [base_url for _, base_url in launched]


@contextmanager
def _launched(
    env: Mapping[str, str], cwd: Path, host: str, *extra_args: str, port: int | None
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = port or free_port(host)
    log = (cwd / f"serve-{port}.log").open("wb")
    process = subprocess.Popen(
        [KOLLEGIUM, "serve", "--host", host, "--port", str(port), *extra_args],
        env=dict(env),
        cwd=cwd,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process, f"http://{host}:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def password_tokens(
    base_url: str, logins: Iterable[str], password: str, scopes: str = "read write follow"
) -> dict[str, str]:
    """Register an app on a running instance and sign each login in with the password grant,
    as command-line clients do; the access token of each."""
    client = loopback()
    app = client.post(
        f"{base_url}/api/v1/apps",
        data={
            "client_name": "tests",
            "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
            "scopes": scopes,
        },
    ).json()
    tokens = {}
    for login in logins:
        answer = client.post(
            f"{base_url}/oauth/token",
            data={
                "grant_type": "password",
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "username": login,
                "password": password,
                "scope": scopes,
            },
        )
        assert answer.status_code == 200, answer.text
        tokens[login] = str(answer.json()["access_token"])
    return tokens


def eventually(
    check: Callable[[], Any], what: str, timeout: float = 25.0, interval: float = 0.2
) -> Any:
    """Poll ``check`` until it returns something truthy; fail saying ``what`` was missing."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"{what}: not seen within {timeout} s (last: {last!r})")
