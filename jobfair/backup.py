"""Backups and restore of the database (``flask jobfair backup FILE`` / ``restore FILE``).

SQLite: the sqlite3 online backup API copies a consistent snapshot page by page while
the app keeps serving (a write in the middle restarts the copy of what changed), so no
one has to stop. PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot too) and
``pg_restore``; the client programs must be installed (Debian: postgresql-client).

CVs and pending imports are files under instance/ (cvs/, imports/): copy that folder
alongside, e.g. with ``tar``; README.md "Backups and restore" gives the commands.
"""
import glob
import os
import shutil
import sqlite3
import subprocess  # nosec B404
from pathlib import Path

from sqlalchemy.engine import make_url

from .errors import DomainError


def _sqlite_path(url):
    path = url.database
    if not path or path == ":memory:":
        raise DomainError("This SQLite database lives in memory: there is nothing to back up.")
    return Path(path)


def _postgres_program(name):
    """pg_dump / pg_restore from PATH, else from Debian's versioned folders (newest first)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if candidates:
        return candidates[-1]
    raise DomainError(f"{name} is not installed (Debian: apt-get install postgresql-client).")


def _postgres_arguments(url):
    """libpq options from the URL; the password goes through the environment, not argv."""
    arguments = ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432),
                 "--username", url.username or "postgres", "--dbname", url.database]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return arguments, env


def _run(command, env=None):
    # pg_dump / pg_restore with arguments as a list, never a shell: nothing to inject into.
    result = subprocess.run(command, env=env, capture_output=True, text=True)  # nosec B603
    if result.returncode != 0:
        raise DomainError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


def _copy_sqlite(source, target):
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    # sqlite3's context manager commits but does not close.
    src.close()
    dst.close()


def backup(database_url, target):
    """Write a consistent copy of the database to ``target`` (a new file)."""
    url = make_url(database_url)
    target = Path(target)
    if target.exists():
        raise DomainError(f"{target} already exists: choose a new file name.")
    if url.drivername.startswith("sqlite"):
        source = _sqlite_path(url)
        if not source.exists():
            raise DomainError(f"{source} does not exist.")
        _copy_sqlite(source, target)
    elif url.drivername.startswith("postgresql"):
        arguments, env = _postgres_arguments(url)
        _run([_postgres_program("pg_dump"), "--format=custom", "--no-owner",
              "--file", str(target), *arguments], env)
    else:
        raise DomainError(f"No backup method for {url.drivername} databases.")
    return target


def _check_sqlite_backup(source):
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as connection:
            tables = {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        connection.close()
    except sqlite3.DatabaseError as error:
        raise DomainError(f"{source} is not a SQLite backup: {error}") from error
    if "alembic_version" not in tables:
        raise DomainError(f"{source} is not a jobfair backup (no alembic_version table).")


def restore(database_url, source):
    """Replace the database's whole content with the backup ``source``.

    Stop the app (and the mail worker) first: sessions open on the old content would
    write into the restored one. Run ``flask db upgrade`` afterwards when the backup
    comes from an older version of the app.
    """
    url = make_url(database_url)
    source = Path(source)
    if not source.is_file():
        raise DomainError(f"{source} does not exist.")
    if url.drivername.startswith("sqlite"):
        _check_sqlite_backup(source)
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        _copy_sqlite(source, target)
    elif url.drivername.startswith("postgresql"):
        arguments, env = _postgres_arguments(url)
        # --clean --if-exists: drop what the dump holds before creating it again;
        # one transaction: a failed restore leaves the database as it was.
        _run([_postgres_program("pg_restore"), "--clean", "--if-exists", "--no-owner",
              "--single-transaction", "--exit-on-error", *arguments, str(source)], env)
    else:
        raise DomainError(f"No restore method for {url.drivername} databases.")
