"""statistics without personal data: call, decision, wrap-up and search counters per quarter hour (and per
day), what the ACD ingest remembers to count each queue_log event once, the shared synonym list as versions,
and the supervisor role

Revision ID: 0009
Revises: 0010
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0009'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        # SQLite stores the role as text; PostgreSQL has an enum type, which learns the new value
        op.execute("ALTER TYPE role ADD VALUE IF NOT EXISTS 'supervisor'")
    op.create_table('acd_pending_call',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('entered', sa.BigInteger(), nullable=False),
    sa.Column('line', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('county', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('pool', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('connected', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('acd_pending_call', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acd_pending_call_entered'), ['entered'], unique=False)

    op.create_table('acd_seen_event',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('epoch', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sqlite_with_rowid=False
    )

    op.create_table('acd_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('newest', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('stat_calls',
    sa.Column('offered', sa.Integer(), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('answered_within_30s', sa.Integer(), nullable=False),
    sa.Column('abandoned', sa.Integer(), nullable=False),
    sa.Column('abandoned_within_5s', sa.Integer(), nullable=False),
    sa.Column('exited', sa.Integer(), nullable=False),
    sa.Column('wait_answered_s', sa.Integer(), nullable=False),
    sa.Column('wait_max_s', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.Column('talk_s', sa.Integer(), nullable=False),
    sa.Column('slot', sa.BigInteger(), nullable=False),
    sa.Column('line', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('county', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('pool', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('hour', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('slot', 'line', 'county', 'pool')
    )
    op.create_table('stat_calls_daily',
    sa.Column('offered', sa.Integer(), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('answered_within_30s', sa.Integer(), nullable=False),
    sa.Column('abandoned', sa.Integer(), nullable=False),
    sa.Column('abandoned_within_5s', sa.Integer(), nullable=False),
    sa.Column('exited', sa.Integer(), nullable=False),
    sa.Column('wait_answered_s', sa.Integer(), nullable=False),
    sa.Column('wait_max_s', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.Column('talk_s', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('line', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('county', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('pool', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('day', 'line', 'county', 'pool')
    )
    op.create_table('stat_decisions',
    sa.Column('slot', sa.BigInteger(), nullable=False),
    sa.Column('line', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('county', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('pool', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('open', sa.Boolean(), nullable=False),
    sa.Column('overflow', sa.Boolean(), nullable=False),
    sa.Column('hour', sa.SmallInteger(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('slot', 'line', 'county', 'pool', 'rule', 'kind', 'open', 'overflow')
    )
    op.create_table('stat_decisions_daily',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('line', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('county', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('pool', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('open', sa.Boolean(), nullable=False),
    sa.Column('overflow', sa.Boolean(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'line', 'county', 'pool', 'rule', 'kind', 'open', 'overflow')
    )
    op.create_table('stat_outcomes',
    sa.Column('slot', sa.BigInteger(), nullable=False),
    sa.Column('line', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('county', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('pool', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('service', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('hour', sa.SmallInteger(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('slot', 'line', 'county', 'pool', 'service', 'outcome')
    )
    op.create_table('stat_outcomes_daily',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('line', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('county', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('pool', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'line', 'county', 'pool', 'outcome')
    )
    op.create_table('stat_searches',
    sa.Column('slot', sa.BigInteger(), nullable=False),
    sa.Column('county', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('query', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('searches', sa.Integer(), nullable=False),
    sa.Column('zero_hits', sa.Integer(), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('slot', 'county', 'query')
    )
    op.create_table('synonym_version',
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('entries', sa.JSON(), nullable=False),
    sa.Column('author', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('version')
    )


def downgrade() -> None:
    # PostgreSQL cannot drop a value from an enum type: 'supervisor' stays known to the role type
    op.drop_table('synonym_version')
    op.drop_table('stat_searches')
    op.drop_table('stat_outcomes_daily')
    op.drop_table('stat_outcomes')
    op.drop_table('stat_decisions_daily')
    op.drop_table('stat_decisions')
    op.drop_table('stat_calls_daily')
    op.drop_table('stat_calls')
    op.drop_table('acd_state')
    op.drop_table('acd_seen_event')
    with op.batch_alter_table('acd_pending_call', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acd_pending_call_entered'))

    op.drop_table('acd_pending_call')
