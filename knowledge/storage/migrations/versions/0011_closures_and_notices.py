"""closures and notices: when a line, county or unit is closed, and the Info-Meldungen shown to agents

Revision ID: 0011
Revises: 0009
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('closure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('scope_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('county', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
    sa.Column('starts_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('ends_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('announcement', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('closure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_closure_county'), ['county'], unique=False)
        batch_op.create_index(batch_op.f('ix_closure_ends_at'), ['ends_at'], unique=False)

    op.create_table('notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('scope_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('county', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
    sa.Column('valid_from', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('valid_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_county'), ['county'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_valid_until'), ['valid_until'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_valid_until'))
        batch_op.drop_index(batch_op.f('ix_notice_county'))
    op.drop_table('notice')
    with op.batch_alter_table('closure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_closure_ends_at'))
        batch_op.drop_index(batch_op.f('ix_closure_county'))
    op.drop_table('closure')
