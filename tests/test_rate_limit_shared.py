"""Login limits are shared between server processes through Redis.

Two separate Python processes (as two gunicorn workers or two servers would
be) each try wrong passwords; with a Redis storage URL they count together.
A Redis server runs on 127.0.0.1:6379 on development and CI machines.
"""
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent

ATTEMPTS = textwrap.dedent(
    """
    import re, sys
    from jobfair import create_app
    from jobfair.config import TestConfig

    class Shared(TestConfig):
        SQLALCHEMY_DATABASE_URI = sys.argv[1]
        RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"
        RATELIMIT_KEY_PREFIX = sys.argv[2]

    client = create_app(Shared).test_client()
    for _ in range(int(sys.argv[3])):
        page = client.get("/login").data.decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        response = client.post("/login", data={
            "email": "someone@example.ma", "password": "wrong-password", "csrf_token": token})
        print(response.status_code)
    """
)


def _attempts(database_url, prefix, count):
    result = subprocess.run(
        [sys.executable, "-c", ATTEMPTS, database_url, prefix, str(count)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return [int(line) for line in result.stdout.split()]


def test_failed_logins_count_across_processes_with_redis(app):
    redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=2).ping()
    prefix = f"jobfair-test-{uuid.uuid4().hex}"
    database_url = app.config["SQLALCHEMY_DATABASE_URI"]
    # TestConfig allows 5 failed attempts a minute.
    assert _attempts(database_url, prefix, 3) == [200, 200, 200]
    assert _attempts(database_url, prefix, 3) == [200, 200, 429]
