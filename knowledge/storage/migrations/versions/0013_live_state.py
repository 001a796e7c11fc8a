"""live state shared between instances on PostgreSQL: the ACD's latest pool reports, recent decisions, and a
notification on every catalogue revision (rules, synonyms and catalogue edits alike)

Revision ID: 0013
Revises: 0012
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION servicecenter_catalogue_notify() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('servicecenter_live', json_build_object(
    'topic', 'catalogue', 'revision', NEW.revision,
    'sent_at', extract(epoch FROM clock_timestamp()))::text);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table('live_decision',
    sa.Column('decision_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('decision_id')
    )
    with op.batch_alter_table('live_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_decision_decided_at'), ['decided_at'], unique=False)

    op.create_table('live_pool_state',
    sa.Column('pool_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('agents_available', sa.Integer(), nullable=False),
    sa.Column('calls_waiting', sa.Integer(), nullable=False),
    sa.Column('longest_wait_s', sa.Float(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('pool_id')
    )
    if op.get_bind().dialect.name == 'postgresql':
        # every committed catalogue revision (edits, imports, rules activation, synonyms; the CLI too)
        # wakes the other instances' followers at once
        op.execute(NOTIFY_FUNCTION)
        op.execute(
            "CREATE TRIGGER catalogue_state_notify AFTER INSERT OR UPDATE ON catalogue_state "
            "FOR EACH ROW EXECUTE FUNCTION servicecenter_catalogue_notify()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS catalogue_state_notify ON catalogue_state")
        op.execute("DROP FUNCTION IF EXISTS servicecenter_catalogue_notify()")
    op.drop_table('live_pool_state')
    with op.batch_alter_table('live_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_decision_decided_at'))

    op.drop_table('live_decision')
