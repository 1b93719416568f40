"""Fixtures of the resilience tests (`make resilience`): gunicorn servers in their own
processes, a private PostgreSQL cluster that may be restarted, HTTP clients.

The servers run as in production (JOBFAIR_ENV=production, gunicorn, gthread workers),
with the SECRET_KEY, instance folder and Redis rate-limit storage given here: what two
servers behind a load balancer must share.
"""
import contextlib
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy.engine import make_url

from jobfair.config import normalise_database_url

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SERVER_START_TIMEOUT = 30
# A Redis database of these tests' own (flushed by them) for the shared rate limits.
REDIS_URL = os.environ.get("RESILIENCE_REDIS_URL", "redis://127.0.0.1:6379/13")


# --------------------------------------------------------------------------- helpers


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_url():
    """TEST_DATABASE_URL, which must name a PostgreSQL database for these tests."""
    raw = os.environ.get("TEST_DATABASE_URL", "")
    url = make_url(normalise_database_url(raw)) if raw else None
    if url is None or not url.drivername.startswith("postgresql"):
        pytest.fail("The resilience tests need PostgreSQL: run them as "
                    "TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/<db> make resilience")
    return url.render_as_string(hide_password=False)


def wait_until_healthy(base_url, server, log_path, timeout=SERVER_START_TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited ({server.returncode}):\n{log_path.read_text()[-4000:]}")
        try:
            if requests.get(base_url + "/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{base_url}/healthz not 200 within {timeout} s:\n"
                        f"{log_path.read_text()[-4000:]}")
        time.sleep(0.2)


@contextlib.contextmanager
def gunicorn(database_url, instance_path, secret_key, log_dir, **extra_env):
    """One server (2 gthread workers × 4 threads) on ``database_url``; yields (base URL, process)."""
    port = free_port()
    env = dict(os.environ)
    env.update(
        JOBFAIR_ENV="production",
        DATABASE_URL=database_url,
        SECRET_KEY=secret_key,
        JOBFAIR_INSTANCE_PATH=str(instance_path),
        SESSION_COOKIE_SECURE="false",  # plain HTTP on the loopback
        MAIL_BACKEND="console",
        RATELIMIT_STORAGE_URI=REDIS_URL,
        PYTHONUNBUFFERED="1",
        **extra_env,
    )
    log_path = Path(log_dir) / f"gunicorn-{port}.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", "2", "--threads", "4",
             "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5", "app:app"],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base_url, server, log_path)
        server.log_path = log_path
        yield base_url, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --------------------------------------------------------------------------- HTTP clients


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Browser:
    """One person's cookie jar, able to talk to any of the servers (as behind a load balancer,
    the cookies are those of one site: 127.0.0.1)."""

    def __init__(self, *servers):
        self.servers = servers
        self.http = requests.Session()

    def url(self, path, server=0):
        return self.servers[server % len(self.servers)] + path

    def get(self, path, server=0, **kwargs):
        kwargs.setdefault("timeout", 60)
        return self.http.get(self.url(path, server), allow_redirects=False, **kwargs)

    def post(self, path, data=None, server=0, **kwargs):
        kwargs.setdefault("timeout", 60)
        return self.http.post(self.url(path, server), data=data, allow_redirects=False, **kwargs)

    def token(self, path, server=0):
        page = self.get(path, server)
        assert page.status_code == 200, (path, page.status_code, page.text[:300])
        return CSRF.search(page.text).group(1)

    def login(self, email, password, server=0):
        response = self.post("/login", {"email": email, "password": password,
                                        "csrf_token": self.token("/login", server)}, server)
        assert response.status_code == 303, response.text[:300]
        return self


# --------------------------------------------------------------------------- private PostgreSQL


def _postgres_bin():
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                     key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0)
    if not folders:
        pytest.fail("PostgreSQL's server programs are missing (Debian: apt-get install postgresql).")
    return Path(folders[-1])


class PrivateCluster:
    """A PostgreSQL cluster of this test run only (initdb in a temporary folder, trust auth,
    a free port), so that it can be stopped and restarted without disturbing anyone.

    As root (CI), the server runs as the `postgres` OS user: PostgreSQL refuses root.
    """

    def __init__(self):
        self.bin = _postgres_bin()
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="jobfair-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.as_user = None
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                pytest.fail("Running as root needs the `postgres` OS user for a private cluster.")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self.as_user = "postgres"

    def _run(self, *command, check=True, timeout=60):
        prefix = ["runuser", "-u", self.as_user, "--"] if self.as_user else []
        result = subprocess.run(prefix + [str(c) for c in command], capture_output=True, text=True,
                                timeout=timeout, cwd=self.folder)
        if check and result.returncode != 0:
            pytest.fail(f"{' '.join(map(str, command))} failed:\n{result.stdout}\n{result.stderr}\n"
                        f"{self.log.read_text() if self.log.exists() else ''}")
        return result

    @property
    def url(self):
        return self.database_url("jobfair")

    def database_url(self, name):
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self, name):
        self._run(self.bin / "createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", name)
        return self.database_url(name)

    def _pg_ctl(self, action, *options):
        return self._run(
            self.bin / "pg_ctl", action, "-D", self.data, "-l", self.log, "-w", "-t", "60",
            "-o", f"-p {self.port} -c listen_addresses=127.0.0.1 "
                  f"-c unix_socket_directories={self.folder} -c fsync=off -c max_connections=100",
            *options)

    def init(self):
        self._run(self.bin / "initdb", "-D", self.data, "-U", "postgres", "-A", "trust",
                  "--no-sync", "-E", "UTF8")
        self.start()
        self.create_database("jobfair")

    def start(self):
        self._pg_ctl("start")

    def stop(self, mode="fast"):
        self._pg_ctl("stop", "-m", mode)

    def restart(self, mode="fast", down_for=1.0):
        """Stop, stay down ``down_for`` seconds, start: requests made meanwhile meet a database
        that is really gone (a bare ``pg_ctl restart`` can be quicker than the next request,
        which the pool's pre-ping then reconnects without anyone noticing)."""
        self.stop(mode)
        time.sleep(down_for)
        self.start()

    def destroy(self):
        self._run(self.bin / "pg_ctl", "stop", "-D", self.data, "-m", "immediate", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def private_cluster():
    """One private cluster for the run (databases on it are cheap to create, and it goes
    away whole at the end: no DROP DATABASE on the shared server)."""
    cluster = PrivateCluster()
    try:
        cluster.init()
        yield cluster
    finally:
        cluster.destroy()
