#!/usr/bin/env python3
"""The peer for `duban demo-data`'s speed: SQLite itself inserting the same rows.

Copies the SQLite database DB (made by demo-data) to a scratch file, empties its
`reports` and `report_events` (their rows kept in a temporary table) with their row
triggers dropped, as demo-data's bulk writer has them, then times SQLite inserting
the rows back with `INSERT … SELECT` (no client, no binding: what SQLite's b-trees,
indexes and foreign-key checks cost by themselves) and the commit, with
synchronous=FULL, the WAL and a 128 MiB page cache, as duban writes. Prints what it
did on stderr and "REPORTS_PER_SECOND SECONDS" on stdout.

    python3 insert_peer.py DB [SCRATCH_DIR]
"""
import os
import shutil
import sqlite3
import sys
import tempfile
import time

source = sys.argv[1]
scratch = tempfile.mkdtemp(dir=sys.argv[2] if len(sys.argv) > 2 else None)
try:
    copy = os.path.join(scratch, "peer.db")
    shutil.copy(source, copy)
    db = sqlite3.connect(copy, isolation_level=None)
    for pragma in ("journal_mode=wal", "synchronous=full", "foreign_keys=on",
                   "temp_store=memory", "cache_size=-131072"):
        db.execute(f"PRAGMA {pragma}")
    db.execute("BEGIN IMMEDIATE")
    for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name IN ('reports', 'report_events')").fetchall():
        db.execute(f'DROP TRIGGER "{name}"')
    db.execute("CREATE TEMP TABLE r AS SELECT * FROM reports")
    db.execute("CREATE TEMP TABLE e AS SELECT * FROM report_events")
    db.execute("DELETE FROM report_events")
    db.execute("DELETE FROM reports")
    db.execute("COMMIT")
    reports = db.execute("SELECT COUNT(*) FROM temp.r").fetchone()[0]
    events = db.execute("SELECT COUNT(*) FROM temp.e").fetchone()[0]
    start = time.monotonic()
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO reports SELECT * FROM temp.r ORDER BY id")
    db.execute("INSERT INTO report_events SELECT * FROM temp.e ORDER BY id")
    db.execute("COMMIT")
    seconds = time.monotonic() - start
    print(f"sqlite3 {sqlite3.sqlite_version} INSERT … SELECT: {reports} reports and "
          f"{events} events in {seconds:.1f} s: {reports / seconds:.0f} reports/s",
          file=sys.stderr)
    print(f"{reports / seconds:.0f} {seconds:.1f}")
finally:
    shutil.rmtree(scratch)
