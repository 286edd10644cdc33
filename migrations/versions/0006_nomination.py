"""nomination pre-round: settings, personal links, nominations and the frozen summary

Revision ID: 0006_nomination
Revises: 0001
Create Date: 2026-11-24 15:27:17.303882
"""

from alembic import op
import sqlalchemy as sa


revision = '0006_nomination'
down_revision = '0001'
branch_labels = None
depends_on = "0002_register"  # nomination_participant refers to register_person


def upgrade() -> None:
    op.create_table('nomination_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('max_per_person', sa.Integer(), nullable=False),
    sa.Column('self_nomination', sa.Boolean(), nullable=False),
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('invitation_nl', sa.Text(), nullable=False),
    sa.Column('invitation_en', sa.Text(), nullable=False),
    sa.Column('secret', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("scope IN ('organisation','group')", name=op.f('ck_nomination_round_scope_known')),
    sa.CheckConstraint('closes_on >= opens_on', name=op.f('ck_nomination_round_closes_after_opening')),
    sa.CheckConstraint('max_per_person BETWEEN 1 AND 10', name=op.f('ck_nomination_round_max_per_person_range')),
    sa.CheckConstraint('threshold >= 1', name=op.f('ck_nomination_round_threshold_positive')),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_nomination_round_election_id_election'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nomination_round')),
    sa.UniqueConstraint('election_id', name=op.f('uq_nomination_round_election_id'))
    )
    op.create_table('nomination_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('nominator_key', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['nomination_round.id'], name=op.f('fk_nomination_set_round_id_nomination_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nomination_set')),
    sa.UniqueConstraint('nominator_key', name=op.f('uq_nomination_set_nominator_key'))
    )
    with op.batch_alter_table('nomination_set', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nomination_set_round_id'), ['round_id'], unique=False)

    op.create_table('nomination_summary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=False),
    sa.Column('nominators', sa.Integer(), nullable=False),
    sa.Column('nominations', sa.Integer(), nullable=False),
    sa.Column('nominees', sa.Integer(), nullable=False),
    sa.Column('nominees_at_threshold', sa.Integer(), nullable=False),
    sa.Column('self_nominations', sa.Integer(), nullable=False),
    sa.Column('invitations_sent', sa.Integer(), nullable=False),
    sa.Column('declined', sa.Integer(), nullable=False),
    sa.Column('per_group', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['nomination_round.id'], name=op.f('fk_nomination_summary_round_id_nomination_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nomination_summary')),
    sa.UniqueConstraint('round_id', name=op.f('uq_nomination_summary_round_id'))
    )
    op.create_table('nomination_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('handle', sa.String(length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('optout_hash', sa.String(length=64), nullable=True),
    sa.Column('opted_out_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['register_person.id'], name=op.f('fk_nomination_participant_person_id_register_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['nomination_round.id'], name=op.f('fk_nomination_participant_round_id_nomination_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nomination_participant')),
    sa.UniqueConstraint('handle', name=op.f('uq_nomination_participant_handle')),
    sa.UniqueConstraint('optout_hash', name=op.f('uq_nomination_participant_optout_hash')),
    sa.UniqueConstraint('round_id', 'person_id', name=op.f('uq_nomination_participant_round_id_person_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_nomination_participant_token_hash'))
    )
    with op.batch_alter_table('nomination_participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nomination_participant_round_id'), ['round_id'], unique=False)

    op.create_table('nomination',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('nominee_id', sa.Integer(), nullable=False),
    sa.Column('motivation', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['nominee_id'], ['nomination_participant.id'], name=op.f('fk_nomination_nominee_id_nomination_participant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_id'], ['nomination_set.id'], name=op.f('fk_nomination_set_id_nomination_set'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nomination')),
    sa.UniqueConstraint('set_id', 'nominee_id', name=op.f('uq_nomination_set_id_nominee_id'))
    )
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nomination_nominee_id'), ['nominee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nomination_set_id'), ['set_id'], unique=False)

    op.create_table('nomination_interest',
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['nomination_participant.id'], name=op.f('fk_nomination_interest_participant_id_nomination_participant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('participant_id', name=op.f('pk_nomination_interest'))
    )


def downgrade() -> None:
    op.drop_table('nomination_interest')
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nomination_set_id'))
        batch_op.drop_index(batch_op.f('ix_nomination_nominee_id'))

    op.drop_table('nomination')
    with op.batch_alter_table('nomination_participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nomination_participant_round_id'))

    op.drop_table('nomination_participant')
    op.drop_table('nomination_summary')
    with op.batch_alter_table('nomination_set', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nomination_set_round_id'))

    op.drop_table('nomination_set')
    op.drop_table('nomination_round')
