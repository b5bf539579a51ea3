"""A throwaway PostgreSQL server for the test suite: the Debian package's ``initdb``/``pg_ctl`` on a free
loopback port, ``fsync=off``, its socket and data in a temporary folder removed afterwards.

PostgreSQL refuses to run as root, so under root (CI, these machines) the server runs as the
``postgres`` user through ``runuser``. The suite's databases are made from a migrated template
(``CREATE DATABASE … TEMPLATE``), so each test starts from a fresh, fully migrated state database.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


class Unavailable(Exception):
    """No PostgreSQL here (the package is not installed) or it would not start; says why."""


def bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise Unavailable("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    root: Path
    port: int
    bindir: Path
    user: str | None  # the OS user the server runs as when we are root
    started_in: float = 0.0  # seconds spent in initdb + start

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise Unavailable(f"{args[0]} failed: {result.stderr.strip() or result.stdout.strip()}")
        return result

    def start(self) -> None:
        began = time.perf_counter()
        data, sockets = self.root / "data", self.root / "sock"
        self._run("initdb", "-D", str(data), "--auth=trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        options = (
            f"-p {self.port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        log = str(self.root / "log")
        self._run("pg_ctl", "-D", str(data), "-w", "-t", "30", "-l", log, "-o", options, "start")
        self.started_in = time.perf_counter() - began

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self) -> str:
        log = self.root / "log"
        return log.read_text()[-2000:] if log.exists() else ""


def start() -> Server:
    """Start a server or raise :class:`Unavailable` with the reason."""
    bindir = bin_dir()
    user = None
    root = Path(tempfile.mkdtemp(prefix="rotation-pg-"))
    if os.geteuid() == 0:
        user = "postgres"
        try:
            entry = pwd.getpwnam(user)
        except KeyError:
            raise Unavailable("running as root, and no 'postgres' user to run PostgreSQL as") from None
        os.chown(root, entry.pw_uid, entry.pw_gid)
    (root / "sock").mkdir()
    if user:
        os.chown(root / "sock", entry.pw_uid, entry.pw_gid)
    server = Server(root, _free_port(), bindir, user)
    try:
        server.start()
    except Exception:
        tail = server.log_tail()
        shutil.rmtree(root, ignore_errors=True)
        if tail:
            raise Unavailable(f"PostgreSQL would not start: {tail}") from None
        raise
    return server
