"""ids never reused: SQLite AUTOINCREMENT on the integer keys that are exposed or ordered by

Without AUTOINCREMENT SQLite hands out max(id) + 1, so deleting the newest responsibility gave its id to
the next one, which then showed the deleted entry's audit trail (and its restorable versions). The
tables are rebuilt with AUTOINCREMENT, and the counter of responsibilities starts above every id the
audit trail has seen. PostgreSQL's sequences never hand out an id twice: nothing to do there.

Revision ID: 0006
Revises: 0005
"""

from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

TABLES = ("responsibility", "change_log", "login_failure", "rule_version")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": True}):
            pass
    op.execute(
        "INSERT INTO sqlite_sequence (name, seq) SELECT 'responsibility', 0 "
        "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'responsibility')"
    )
    op.execute(
        "UPDATE sqlite_sequence SET seq = max(seq, (SELECT coalesce(max(CAST(entry_id AS INTEGER)), 0) "
        "FROM change_log WHERE entity = 'responsibility')) WHERE name = 'responsibility'"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": False}):
            pass
