"""Benchmark results and docs/BENCHMARKS.md.

THE INTERFACE every scenario module codes against (bench/pages.py, bench/badges.py,
bench/exports.py, bench/rush.py, bench/entrance.py):

    from bench.report import Context, Figure

    def run(ctx: Context) -> list[Figure]:
        ...

``ctx`` is built by the orchestrator (``python -m bench``) once per (database, scale):

    ctx.db_kind       "sqlite" | "postgresql"
    ctx.database_url  SQLAlchemy URL of a database already migrated and filled by
                      ``bench.datagen.fill(database_url, scale)`` at ``ctx.scale``
    ctx.scale         1.0 (national: 15,000 candidates…) or 0.1 (the 10× smaller set)
    ctx.data          the summary dict returned by ``fill`` (table -> row count, …)
    ctx.runs          how many times to repeat each measurement (one value per run)
    ctx.quick         True for the smoke run (``--quick``): do as little as shows it works
    ctx.workdir       a temporary directory (pathlib.Path) of this (database, scale), removed after
    ctx.ceilings      {"endpoint": req/s, "booking": tx/s, "checkin": tx/s} medians,
                      filled by the ceilings scenario before rush/entrance run (may be empty)
    ctx.log(msg)      print a progress line (stderr)

A scenario returns ``Figure``s: one per measured quantity, ``values`` holding one
number per run (the report computes median and min–max). ``target`` is the target
as written in the issue ("< 50 ms", ">= 0.5 x bare booking transaction") and ``met``
whether the MEDIAN meets it (None when the figure has no target). ``note`` is a short
free text shown beside the figure (e.g. "queries: 7 at 0.1x, 7 at 1x").

    Figure(section="Pages", name="Directory p95", unit="ms", values=[12.1, 13.0, 11.8],
           target="< 50 ms", met=True)

The section names used in the document: "Ceilings", "Booking rush", "Entrance line",
"Pages", "Badges", "Exports" (a new section name just appends a new table).
"""
from __future__ import annotations

import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Figure:
    section: str
    name: str
    unit: str
    values: list[float]
    target: str | None = None
    met: bool | None = None
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    @property
    def low(self) -> float:
        return min(self.values) if self.values else float("nan")

    @property
    def high(self) -> float:
        return max(self.values) if self.values else float("nan")


@dataclass
class Context:
    db_kind: str
    database_url: str
    scale: float
    data: dict
    runs: int
    workdir: Path
    quick: bool = False
    ceilings: dict = field(default_factory=dict)

    def log(self, message: str) -> None:
        print(f"[bench {self.db_kind} {self.scale:g}x] {message}", file=sys.stderr, flush=True)
