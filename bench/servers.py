"""Gunicorn for the benchmarks: the app and the ceiling app, served the SAME way.

Both run under one configuration (sync workers, same count, same backlog), so the
only difference between a ceiling and the app is the code behind the socket.
"""
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
START_TIMEOUT = 60

# 2 cores: 4 sync workers (what the reference figures used). A booking spends part
# of its time waiting on the database (locks, fsync), so 2 workers per core keep the CPU busy.
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
SECRET_KEY = secrets.token_hex(32)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url, workdir):
    """The environment of a served app: no rate limit may throttle the benchmark."""
    env = dict(os.environ)
    env.update(
        JOBFAIR_ENV="production",
        DATABASE_URL=database_url,
        # One key for every server of the run: sessions outlive a server restart.
        SECRET_KEY=SECRET_KEY,
        SESSION_COOKIE_SECURE="0",
        MAIL_BACKEND="console",
        LOGIN_RATE_LIMIT="100000 per minute",
        RATELIMIT_STORAGE_URI="memory://",
        JOBFAIR_INSTANCE_PATH=str(Path(workdir) / "instance"),
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen
    log_path: Path
    _cpu_mark: float = field(default=0.0)

    def cpu_seconds(self):
        """CPU time of the master and every worker so far (user + system)."""
        total = 0.0
        try:
            master = psutil.Process(self.process.pid)
            for proc in [master, *master.children(recursive=True)]:
                try:
                    times = proc.cpu_times()
                    total += times.user + times.system
                except psutil.NoSuchProcess:
                    pass
        except psutil.NoSuchProcess:
            pass
        return total

    def mark(self):
        self._cpu_mark = self.cpu_seconds()

    def cpu_since_mark(self):
        return self.cpu_seconds() - self._cpu_mark

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def output(self):
        return self.log_path.read_text(errors="replace")[-4000:]


def start(name, wsgi_app, env, workdir, health="/healthz", workers=WORKERS):
    """Serve ``wsgi_app`` ("module:callable") with gunicorn on a free port; wait until healthy."""
    port = free_port()
    log_path = Path(workdir) / f"gunicorn-{name}.log"
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [str(GUNICORN), "--workers", str(workers), "--worker-class", "sync",
         "--backlog", "2048", "--timeout", "120", "--graceful-timeout", "5",
         "--bind", f"127.0.0.1:{port}", wsgi_app],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    log.close()
    server = Server(name, f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn ({name}) exited with {process.returncode}:\n"
                               f"{server.output()}")
        try:
            with urllib.request.urlopen(server.url + health, timeout=2) as response:
                if response.status == 200:
                    break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"gunicorn ({name}) not healthy in {START_TIMEOUT} s:\n"
                               f"{server.output()}")
        time.sleep(0.2)
    # Every worker imports the app lazily on its first request: warm them all.
    for _ in range(workers * 4):
        try:
            urllib.request.urlopen(server.url + health, timeout=5).read()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
    return server
