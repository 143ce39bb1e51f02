"""Start real PostgreSQL 15 and Redis servers on loopback for tests and benchmarks.

Why real servers: the storage layer's promises (exact NUMERIC, ON CONFLICT, durable commit)
are only worth what a real server confirms. initdb refuses to run as root, so as root the
PostgreSQL binaries run as the ``postgres`` user via ``runuser`` in a temp dir it owns.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PG_USER = "postgres"


class ServerMissing(RuntimeError):
    """A server binary is not installed; the message says how to install it."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_bindir() -> Path:
    candidates = [Path("/usr/lib/postgresql/15/bin")]
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0 and out.stdout.strip():
            candidates.append(Path(out.stdout.strip()))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for path in candidates:
        if (path / "initdb").exists() and (path / "pg_ctl").exists():
            return path
    raise ServerMissing(
        "PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin: "
        "install them with `apt-get install -y postgresql-15`"
    )


def _as_pg_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    if shutil.which("runuser"):
        return ["runuser", "-u", PG_USER, "--", *cmd]
    return ["su", PG_USER, "-s", "/bin/sh", "-c", " ".join(cmd)]


@dataclass
class PostgresServer:
    bindir: Path
    root: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://{PG_USER}@127.0.0.1:{self.port}/postgres"

    def url_for(self, database: str) -> str:
        return f"postgresql+asyncpg://{PG_USER}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        subprocess.run(
            _as_pg_user([str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m",
                         "fast", "-w", "stop"]),
            capture_output=True, check=False, timeout=60,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start_postgres() -> PostgresServer:
    """initdb + pg_ctl start on a free loopback port; the caller must ``stop()`` it."""
    bindir = postgres_bindir()
    root = Path(tempfile.mkdtemp(prefix="claudedex-pg-"))  # under /tmp: reachable by postgres
    if os.geteuid() == 0:
        shutil.chown(root, PG_USER, PG_USER)
    data = root / "data"
    init = subprocess.run(
        _as_pg_user([str(bindir / "initdb"), "-D", str(data), "-U", PG_USER, "--auth=trust",
                     "-E", "UTF8", "--no-instructions"]),
        capture_output=True, text=True, check=False, timeout=120,
    )
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {init.stderr.strip() or init.stdout.strip()}")
    port = free_port()
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=100"
    start = subprocess.run(
        _as_pg_user([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "pg.log"),
                     "-o", opts, "-w", "-t", "60", "start"]),
        capture_output=True, text=True, check=False, timeout=90,
    )
    server = PostgresServer(bindir, root, port)
    if start.returncode != 0:
        log = (root / "pg.log").read_text(errors="replace") if (root / "pg.log").exists() else ""
        server.stop()
        raise RuntimeError(f"pg_ctl start failed: {start.stderr.strip()} {log[-2000:]}")
    return server


@dataclass
class RedisServer:
    process: subprocess.Popen[bytes]
    root: Path
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)


def start_redis() -> RedisServer:
    """redis-server on a free loopback port with persistence off; caller must ``stop()``."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise ServerMissing("redis-server not found: install it with `apt-get install -y "
                            "redis-server`")
    root = Path(tempfile.mkdtemp(prefix="claudedex-redis-"))
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
         "no", "--dir", str(root), "--daemonize", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    server = RedisServer(proc, root, port)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            server.stop()
            raise RuntimeError(f"redis-server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return server
        except OSError:
            time.sleep(0.05)
    server.stop()
    raise RuntimeError("redis-server did not answer PING within 20 s")
