"""place aliases: other names and short forms of a place ("Zell", "Stadt Cochem", "VG Daun")

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('place') as batch:
        batch.add_column(sa.Column('aliases', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('place') as batch:
        batch.drop_column('aliases')
