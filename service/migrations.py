"""The service store's schema, step by step (applied by ``storage.migrations``).

Step 1 is the schema the service created before it was versioned, so it adopts a store file
made then (``IF NOT EXISTS``); every later step runs exactly once.
"""

from __future__ import annotations

from storage.migrations import Migration

MIGRATIONS = (
    Migration(
        1,
        "results and feedback",
        sqlite=(
            """CREATE TABLE IF NOT EXISTS results (
                id TEXT NOT NULL,
                model_version TEXT NOT NULL,
                verdict TEXT NOT NULL,
                ela_png BLOB NOT NULL,
                heatmap_png BLOB NOT NULL,
                image BLOB,
                created_at REAL NOT NULL,
                PRIMARY KEY (id, model_version)
            )""",
            """CREATE TABLE IF NOT EXISTS feedback (
                feedback_id INTEGER PRIMARY KEY AUTOINCREMENT,
                result_id TEXT NOT NULL,
                model_version TEXT NOT NULL,
                verdict TEXT NOT NULL,
                expected TEXT,
                comment TEXT NOT NULL,
                created_at REAL NOT NULL
            )""",
        ),
        postgresql=(
            """CREATE TABLE results (
                id TEXT NOT NULL,
                model_version TEXT NOT NULL,
                verdict TEXT NOT NULL,
                ela_png BYTEA NOT NULL,
                heatmap_png BYTEA NOT NULL,
                image BYTEA,
                created_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (id, model_version)
            )""",
            """CREATE TABLE feedback (
                feedback_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                result_id TEXT NOT NULL,
                model_version TEXT NOT NULL,
                verdict TEXT NOT NULL,
                expected TEXT,
                comment TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL
            )""",
        ),
    ),
    # One SQLite file serves one process, whose buckets stay in its memory (service.access).
    Migration(
        2,
        "rate-limit buckets shared by replicas",
        sqlite=(),
        postgresql=(
            """CREATE TABLE rate_buckets (
                caller TEXT PRIMARY KEY,
                tokens DOUBLE PRECISION NOT NULL,
                at DOUBLE PRECISION NOT NULL
            )""",
        ),
    ),
    # Every take writes its row, refused or not, and says which, so its answer is the row
    # it locked (service.shared_limits), never an older snapshot of it.
    Migration(
        3,
        "rate-limit buckets say whether their last take was granted",
        sqlite=(),
        postgresql=("ALTER TABLE rate_buckets ADD COLUMN granted BOOLEAN NOT NULL DEFAULT TRUE",),
    ),
)
