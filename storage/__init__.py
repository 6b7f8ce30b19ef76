"""The databases behind the service's and the bots' stores: SQLite or PostgreSQL.

A store names its database by URL (``sqlite:///var/x.sqlite3`` or ``postgresql://...``), writes
its SQL once with ``?`` placeholders and rows read by column name, and declares its schema as
versioned migrations. This package opens either database behind the same small interface
(``Database`` for the synchronous bots, ``AsyncDatabase`` for the service) and applies the
migrations; the stores keep every statement of their own.
"""
