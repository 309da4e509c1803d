"""The production topology on one machine: nginx with TLS in front of several web processes
and workers per instance, on PostgreSQL, with host names that only the test's processes see.

Host names resolve through a hosts file bind-mounted over /etc/hosts inside a private mount
namespace (``unshare --mount``) per process, so the machine's own files never change.
nginx's site is rendered from deploy/nginx/kollegium.conf, the file administrators install.
"""

from __future__ import annotations

import datetime
import re
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpcore
import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.support.processes import (
    KOLLEGIUM,
    free_port,
    instance_env,
    kollegium_all,
    wait_healthy,
)

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "kollegium.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PASSWORD = "lösenord-123"
START_TIMEOUT = 30.0
POOL_SIZE = 4


@dataclass
class Node:
    """One instance: its name, loopback address, settings and processes."""

    domain: str
    address: str
    env: dict[str, str]
    home: Path
    ports: list[int] = field(default_factory=list)
    http_port: int = 0  # the plain-http redirect; not 80, which the machine may use
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)


def make_certificates(directory: Path, names: list[str]) -> tuple[Path, Path, Path]:
    """A test CA and one server certificate for ``names``: (ca.pem, cert.pem, key.pem)."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kollegium test CA")])
    now = datetime.datetime.now(datetime.UTC)
    ca = (
        _builder(ca_name, ca_name, ca_key, now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        _builder(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]), ca_name, key, now)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = directory / "ca.pem", directory / "cert.pem", directory / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


def _builder(
    subject: x509.Name, issuer: x509.Name, key: ec.EllipticCurvePrivateKey, now: Any
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
    )


def in_namespace(hosts: Path, argv: list[str]) -> list[str]:
    """``argv`` in a private mount namespace whose /etc/hosts is ``hosts``."""
    script = 'mount --bind "$0" /etc/hosts && exec "$@"'
    return ["unshare", "--mount", "sh", "-c", script, str(hosts), *argv]


def render_site(node: Node, suffix: str, cert: Path, key: Path) -> str:
    """The shipped nginx site, pointed at this node's address, processes, files and cert."""
    node.http_port = node.http_port or free_port(node.address)
    text = SITE.read_text()
    servers = "\n".join(
        f"    server 127.0.0.1:{p} max_fails=3 fail_timeout=5s;".replace("127.0.0.1", node.address)
        for p in node.ports
    )
    text = re.sub(r"(    server 127\.0\.0\.1:800\d [^\n]*\n)+", servers + "\n", text)
    replacements = {
        "/etc/letsencrypt/live/kollegium.kommun-a.se/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/kollegium.kommun-a.se/privkey.pem": str(key),
        "kollegium.kommun-a.se": node.domain,
        "kollegium_web": f"kollegium_web_{suffix}",
        "$kollegium_connection": f"$kollegium_connection_{suffix}",
        "listen 80;": f"listen {node.address}:{node.http_port};",
        "listen 443 ssl http2;": f"listen {node.address}:443 ssl http2;",
        "/var/lib/kollegium/media/": f"{node.home / 'media'}/",
        "/opt/kollegium/web/static/": f"{ROOT / 'web' / 'static'}/",
        "/var/www/letsencrypt": str(node.home),
    }
    for old, new in replacements.items():
        text = text.replace(old, new)
    return "\n".join(line for line in text.splitlines() if "listen [::]" not in line)


def nginx_conf(directory: Path, sites: list[str], workers: int = 1) -> Path:
    for n, site in enumerate(sites):
        (directory / f"site-{n}.conf").write_text(site)
    includes = "\n".join(f"    include {directory}/site-{n}.conf;" for n in range(len(sites)))
    temp = " ".join(f"{kind}_temp_path {directory}/{kind};" for kind in ("client_body", "proxy"))
    conf = directory / "nginx.conf"
    conf.write_text(
        f"user root;\nworker_processes {workers};\ndaemon off;\npid {directory}/nginx.pid;\n"
        f"error_log {directory}/nginx-error.log warn;\n"
        "events { worker_connections 4096; }\n"
        f"http {{\n    include /etc/nginx/mime.types;\n"
        f"    access_log {directory}/nginx-access.log;\n    {temp}\n{includes}\n}}\n"
    )
    return conf


@contextmanager
def nginx(conf: Path) -> Iterator[subprocess.Popen[bytes]]:
    tested = subprocess.run([NGINX, "-t", "-c", str(conf)], capture_output=True, text=True)
    assert tested.returncode == 0, tested.stderr
    with (conf.parent / "nginx.out").open("wb") as log:
        process = subprocess.Popen([NGINX, "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT)
    try:
        time.sleep(0.3)
        assert process.poll() is None, (conf.parent / "nginx.out").read_text()
        yield process
    finally:
        stop(process)


def make_node(database_url: str, domain: str, address: str, home: Path, ca: Path) -> Node:
    env = instance_env(
        database_url,
        domain,
        KOLLEGIUM_DEV_INSECURE="0",
        KOLLEGIUM_PRIVATE_NETWORKS="127.0.0.0/8",
        KOLLEGIUM_MEDIA_DIR=str(home / "media"),
        KOLLEGIUM_FEDERATION_MODE="blocklist",
        KOLLEGIUM_LOG_LEVEL="info",
        SSL_CERT_FILE=str(ca),
    )
    done = kollegium_all((["init"], *(_user(m) for m in ("anna", "bosse"))), env=env, cwd=home)
    assert done.returncode == 0, done.stderr
    # Eight processes share the test server's 100 connections with other tests.
    env["KOLLEGIUM_DATABASE_URL"] = f"{database_url}?min_size=1&max_size={POOL_SIZE}"
    return Node(domain, address, env, home)


def _user(name: str) -> list[str]:
    return ["user", "create", name, "--email", f"{name}@kommun.se", "--password", PASSWORD]


def start_processes(node: Node, hosts: Path, *, webs: int, workers: int) -> None:
    while len(set(node.ports)) != webs:  # two calls may hand out the same free port
        node.ports = [free_port(node.address) for _ in range(webs)]
    for port in node.ports:
        serve = [KOLLEGIUM, "serve", "--host", node.address, "--port", str(port), "--no-worker"]
        node.processes[f"web-{port}"] = _spawn(node, hosts, serve, f"web-{port}")
    for n in range(workers):
        node.processes[f"worker-{n}"] = _spawn(node, hosts, [KOLLEGIUM, "worker"], f"worker-{n}")
    for port in node.ports:
        wait_healthy(f"http://{node.address}:{port}", node.processes[f"web-{port}"], START_TIMEOUT)


def _spawn(node: Node, hosts: Path, argv: list[str], name: str) -> subprocess.Popen[bytes]:
    with (node.home / f"{name}.log").open("wb") as log:  # the child keeps its own copy
        return subprocess.Popen(
            in_namespace(hosts, argv), env=node.env, cwd=node.home, stdout=log, stderr=log
        )


def stop(process: subprocess.Popen[bytes], timeout: float = 30) -> int:
    """SIGTERM, then SIGKILL if it does not stop in time; returns the exit status."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


@contextmanager
def stopped_at_exit(nodes: list[Node]) -> Iterator[None]:
    with ExitStack() as stack:
        for node in nodes:
            stack.callback(lambda node=node: [stop(p) for p in node.processes.values()])
        yield


class MappedBackend(httpcore.NetworkBackend):
    """Connects to the test's address for a host name; TLS still checks the name."""

    def __init__(self, addresses: dict[str, str]) -> None:
        self._addresses = addresses
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        return self._inner.connect_tcp(self._addresses.get(host, host), port, *args, **kwargs)


def https_client(base_url: str, addresses: dict[str, str], ca: Path) -> httpx.Client:
    context = ssl.create_default_context(cafile=str(ca))
    transport = httpx.HTTPTransport(verify=context)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=context, network_backend=MappedBackend(addresses), http2=False
    )
    return httpx.Client(base_url=base_url, transport=transport, timeout=20)


def sign_in(client: httpx.Client, member: str) -> dict[str, str]:
    """Bearer headers for ``member`` by the OAuth password grant."""
    app = client.post(
        "/api/v1/apps",
        json={"client_name": "topology", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
              "scopes": "read write follow"},
    )  # fmt: skip
    assert app.status_code == 200, app.text
    token = client.post(
        "/oauth/token",
        data={"grant_type": "password", "username": f"{member}@kommun.se", "password": PASSWORD,
              "client_id": app.json()["client_id"], "client_secret": app.json()["client_secret"],
              "scope": "read write follow"},
    )  # fmt: skip
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}
