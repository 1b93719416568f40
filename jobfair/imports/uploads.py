"""An uploaded list kept on the server between the preview and the confirmation.

The bytes go to ``<folder>/<token>.<csv|xlsx>`` and what the organizer chose to
``<folder>/<token>.json``: the confirmation reads them back and plans the import again, so
the browser only ever holds a random token (checked against its owner), never the data.
Uploads older than a day are deleted when a new one arrives.
"""
import json
import os
import re
import secrets
import time

TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
MAX_AGE_SECONDS = 24 * 3600
KINDS = ("csv", "xlsx")


def _paths(folder, token, kind):
    return os.path.join(folder, f"{token}.{kind}"), os.path.join(folder, f"{token}.json")


def purge_old(folder, now=None):
    now = now or time.time()
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        path = os.path.join(folder, name)
        stem, _, extension = name.rpartition(".")
        if TOKEN.fullmatch(stem) and extension in KINDS + ("json",):
            try:
                if now - os.path.getmtime(path) > MAX_AGE_SECONDS:
                    os.remove(path)
            except FileNotFoundError:
                pass


def save(folder, data, kind, *, filename, owner_id, cohort_id):
    """Store an upload; returns its token."""
    if kind not in KINDS:
        raise ValueError(kind)
    os.makedirs(folder, exist_ok=True)
    purge_old(folder)
    token = secrets.token_urlsafe(24)  # 32 characters of [A-Za-z0-9_-]
    data_path, meta_path = _paths(folder, token, kind)
    # "x": never overwrite, even if 192 random bits ever repeated.
    with open(data_path, "xb") as handle:
        handle.write(data)
    meta = {"kind": kind, "filename": filename, "owner_id": owner_id, "cohort_id": cohort_id,
            "saved_at": time.time()}
    with open(meta_path, "x", encoding="utf-8") as handle:
        json.dump(meta, handle)
    return token


def load(folder, token, owner_id):
    """(bytes, meta) of the owner's upload, or None when unknown, expired or someone else's."""
    if not TOKEN.fullmatch(token or ""):
        return None
    meta_path = os.path.join(folder, f"{token}.json")
    try:
        with open(meta_path, encoding="utf-8") as handle:
            meta = json.load(handle)
    except (FileNotFoundError, ValueError):
        return None
    if meta.get("owner_id") != owner_id or meta.get("kind") not in KINDS:
        return None
    if time.time() - meta.get("saved_at", 0) > MAX_AGE_SECONDS:
        return None
    try:
        with open(_paths(folder, token, meta["kind"])[0], "rb") as handle:
            return handle.read(), meta
    except FileNotFoundError:
        return None


def discard(folder, token):
    if not TOKEN.fullmatch(token or ""):
        return
    for kind in KINDS + ("json",):
        try:
            os.remove(os.path.join(folder, f"{token}.{kind}"))
        except FileNotFoundError:
            pass
