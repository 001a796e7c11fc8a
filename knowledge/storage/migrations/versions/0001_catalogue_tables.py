"""catalogue tables

Revision ID: 0001
Revises:
Create Date: 2026-11-21 19:51:04.281399
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('catalogue_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('county',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('seat', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('street', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('postcode', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('city', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('switchboard', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('website', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('member', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('service',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('leika', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('synonyms', sa.JSON(), nullable=False),
    sa.Column('level', sa.Enum('federal', 'state', 'county', 'municipality', name='servicelevel'), nullable=False),
    sa.Column('leistungstyp', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('short_text', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('full_text', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('requirements', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('documents', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('fees', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('deadlines', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('processing_time', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('procedure', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('legal_basis', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('forms', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('online_service', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('place',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('county', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sa.Enum('verbandsgemeinde', 'verbandsfreie_gemeinde', 'ortsgemeinde', name='placekind'), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('parent', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('ags', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('ars', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('postal_codes', sa.JSON(), nullable=False),
    sa.Column('area_codes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['county'], ['county.key'], ),
    sa.ForeignKeyConstraint(['parent'], ['place.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_place_county'), ['county'], unique=False)

    op.create_table('unit',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sa.Enum('kreisverwaltung', 'department', 'verwaltung', 'buergerbuero', 'standesamt', 'jobcenter', 'state_agency', 'federal_agency', 'other', name='unitkind'), nullable=False),
    sa.Column('county', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('street', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('postcode', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('city', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('extension', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('website', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('hours', sa.JSON(), nullable=True),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['county'], ['county.key'], ),
    sa.ForeignKeyConstraint(['place'], ['place.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_county'), ['county'], unique=False)

    op.create_table('responsibility',
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('county', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('fees', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('hours', sa.JSON(), nullable=True),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['county'], ['county.key'], ),
    sa.ForeignKeyConstraint(['place'], ['place.id'], ),
    sa.ForeignKeyConstraint(['service'], ['service.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('service', 'county', 'place', name='uq_responsibility_territory')
    )
    with op.batch_alter_table('responsibility', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_responsibility_service'), ['service'], unique=False)
        batch_op.create_index(batch_op.f('ix_responsibility_unit'), ['unit'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('responsibility', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_responsibility_unit'))
        batch_op.drop_index(batch_op.f('ix_responsibility_service'))

    op.drop_table('responsibility')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_county'))

    op.drop_table('unit')
    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_place_county'))

    op.drop_table('place')
    op.drop_table('service')
    op.drop_table('county')
    op.drop_table('catalogue_state')
