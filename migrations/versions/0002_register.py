"""electoral register: people, import batches, objections

Revision ID: 0002_register
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa


revision = "0002_register"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('register_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('file_kind', sa.String(length=10), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('file_size', sa.Integer(), nullable=False),
    sa.Column('file_data', sa.LargeBinary(), nullable=True),
    sa.Column('uploaded_by', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('column_map', sa.Text(), nullable=False),
    sa.Column('group_rule', sa.Text(), nullable=False),
    sa.Column('skip_rows', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('finished_by', sa.Integer(), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('uploaded','mapped','checked','applied','cancelled')", name=op.f('ck_register_import_status_known')),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_register_import_election_id_election'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['finished_by'], ['committee_member.id'], name=op.f('fk_register_import_finished_by_committee_member')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['committee_member.id'], name=op.f('fk_register_import_uploaded_by_committee_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_register_import'))
    )
    with op.batch_alter_table('register_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_register_import_election_id'), ['election_id'], unique=False)

    op.create_table('register_person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('employee_number', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('department', sa.String(length=200), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('employment_kind', sa.String(length=20), nullable=False),
    sa.Column('agency_since', sa.Date(), nullable=True),
    sa.Column('bestuurder', sa.Boolean(), nullable=False),
    sa.Column('electoral_group_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('passive', sa.Boolean(), nullable=False),
    sa.Column('reasons', sa.String(length=400), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('token_issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("employment_kind IN ('employee','agency_worker','intern','freelancer','other')", name=op.f('ck_register_person_kind_known')),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_register_person_election_id_election'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['electoral_group_id'], ['electoral_group.id'], name=op.f('fk_register_person_electoral_group_id_electoral_group'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_register_person')),
    sa.UniqueConstraint('election_id', 'employee_number', name=op.f('uq_register_person_election_id_employee_number')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_register_person_token_hash'))
    )
    with op.batch_alter_table('register_person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_register_person_election_id'), ['election_id'], unique=False)

    op.create_table('register_objection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('employee_number', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("decision IS NULL OR decision IN ('upheld','rejected')", name=op.f('ck_register_objection_decision_known')),
    sa.CheckConstraint('(decision IS NULL AND decided_at IS NULL) OR (decision IS NOT NULL AND decided_at IS NOT NULL)', name=op.f('ck_register_objection_decided_with_time')),
    sa.ForeignKeyConstraint(['decided_by'], ['committee_member.id'], name=op.f('fk_register_objection_decided_by_committee_member')),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_register_objection_election_id_election'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['register_person.id'], name=op.f('fk_register_objection_person_id_register_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_register_objection'))
    )
    with op.batch_alter_table('register_objection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_register_objection_election_id'), ['election_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_register_objection_person_id'), ['person_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('register_objection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_register_objection_person_id'))
        batch_op.drop_index(batch_op.f('ix_register_objection_election_id'))

    op.drop_table('register_objection')
    with op.batch_alter_table('register_person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_register_person_election_id'))

    op.drop_table('register_person')
    with op.batch_alter_table('register_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_register_import_election_id'))

    op.drop_table('register_import')
