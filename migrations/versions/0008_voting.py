"""voting: frozen election identity, public voting credentials, holders and the bulletin board

Revision ID: 0008_voting
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from election.append_only import protect, unprotect

revision = "0008_voting"
down_revision = "0001"
branch_labels = None
depends_on = "0002_register"  # credential_holder refers to register_person


def upgrade() -> None:
    op.create_table(
        "board_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=12), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("time", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("group_key", sa.String(length=64), nullable=True),
        sa.Column("tracking_code", sa.String(length=24), nullable=True),
        sa.Column("counted_credential", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "(type = 'ballot') = (counted_credential IS NOT NULL)", name=op.f("ck_board_entry_ballot_has_credential")
        ),
        sa.CheckConstraint(
            "type IN ('setup','ballot','challenged','close','tally','share','result')",
            name=op.f("ck_board_entry_type_known"),
        ),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_board_entry_election_id_election"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_entry")),
        sa.UniqueConstraint("election_id", "counted_credential", name="one_ballot_per_credential"),
        sa.UniqueConstraint("election_id", "seq", name="one_entry_per_seq"),
    )
    op.create_index(op.f("ix_board_entry_election_id"), "board_entry", ["election_id"], unique=False)
    op.create_index(op.f("ix_board_entry_tracking_code"), "board_entry", ["tracking_code"], unique=False)
    op.create_table(
        "election_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("manifest", sa.Text(), nullable=False),
        sa.Column("manifest_hash", sa.String(length=64), nullable=False),
        sa.Column("credential_mode", sa.String(length=10), nullable=False),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("keys", sa.Text(), nullable=True),
        sa.Column("joint_key", sa.String(length=64), nullable=True),
        sa.Column("election_hash", sa.String(length=128), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "credential_mode IN ('server','offline')", name=op.f("ck_election_identity_credential_mode_known")
        ),
        sa.CheckConstraint(
            "(opened_at IS NULL) = (election_hash IS NULL)", name=op.f("ck_election_identity_opened_with_hash")
        ),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_election_identity_election_id_election"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_election_identity")),
        sa.UniqueConstraint("election_id", name=op.f("uq_election_identity_election_id")),
        sa.UniqueConstraint("uuid", name=op.f("uq_election_identity_uuid")),
    )
    op.create_table(
        "voting_credential",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("electoral_group_id", sa.Integer(), nullable=False),
        sa.Column("credential", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_voting_credential_election_id_election"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["electoral_group_id"],
            ["electoral_group.id"],
            name=op.f("fk_voting_credential_electoral_group_id_electoral_group"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voting_credential")),
        sa.UniqueConstraint("election_id", "credential", name="one_row_per_credential"),
    )
    op.create_index(op.f("ix_voting_credential_election_id"), "voting_credential", ["election_id"], unique=False)
    op.create_table(
        "credential_holder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["voting_credential.id"],
            name=op.f("fk_credential_holder_credential_id_voting_credential"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_credential_holder_election_id_election"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["register_person.id"],
            name=op.f("fk_credential_holder_person_id_register_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_holder")),
        sa.UniqueConstraint("credential_id", name="one_holder_per_credential"),
    )
    op.create_index(op.f("ix_credential_holder_election_id"), "credential_holder", ["election_id"], unique=False)
    op.create_index(op.f("ix_credential_holder_person_id"), "credential_holder", ["person_id"], unique=False)
    protect(op, "board_entry")


def downgrade() -> None:
    unprotect(op, "board_entry")
    op.drop_table("credential_holder")
    op.drop_table("voting_credential")
    op.drop_table("election_identity")
    op.drop_table("board_entry")
