"""service revision: which services changed since the search index last caught up

Revision ID: 0002
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('service') as batch:
        batch.add_column(sa.Column('revision', sa.Integer(), nullable=False, server_default='0'))
        batch.create_index(batch.f('ix_service_revision'), ['revision'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('service') as batch:
        batch.drop_index(batch.f('ix_service_revision'))
        batch.drop_column('revision')
