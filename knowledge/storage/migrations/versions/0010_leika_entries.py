"""LeiKa reference list: the leika_entry table, and the revision of its last change in catalogue_state

Revision ID: 0010
Revises: 0008
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'leika_entry',
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=14), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('typisierung', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('ozg_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('ozg_leistung', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('lebenslage', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('themenfeld', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('rechtsgrundlage', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint('key'),
    )
    with op.batch_alter_table('catalogue_state') as batch:
        batch.add_column(sa.Column('leika_revision', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('catalogue_state') as batch:
        batch.drop_column('leika_revision')
    op.drop_table('leika_entry')
