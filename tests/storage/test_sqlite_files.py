"""A new SQLite store opened while another program is writing to it, as when a service and
``fakecheck db upgrade`` start together: the connection waits its turn instead of failing."""

from __future__ import annotations

import sqlite3
import threading

from storage.database import connect
from storage.urls import SQLITE, StoreUrl


def test_a_new_file_opened_while_another_connection_writes_waits_and_turns_to_wal(tmp_path):
    path = tmp_path / "store.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("CREATE TABLE first_program (x)")
    # Committed a moment later, while the second connection is switching the file to WAL.
    threading.Timer(0.3, writer.execute, ("COMMIT",)).start()
    db = connect(StoreUrl(SQLITE, str(path)))
    try:
        assert db.one("PRAGMA journal_mode")["journal_mode"] == "wal"
        assert db.one("SELECT COUNT(*) AS n FROM first_program")["n"] == 0
    finally:
        db.close()
        writer.close()
