"""key ceremony: trustees, relayed public messages and the verified transcript

Revision ID: 0007_ceremony
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_ceremony"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "key_ceremony",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("trustee_count", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("params_hash", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("joint_key", sa.String(length=64), nullable=True),
        sa.Column("transcript", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(status = 'completed') = (transcript IS NOT NULL)", name=op.f("ck_key_ceremony_completed_has_transcript")
        ),
        sa.CheckConstraint("status IN ('running','completed')", name=op.f("ck_key_ceremony_status_known")),
        sa.CheckConstraint(
            "threshold >= 1 AND threshold <= trustee_count", name=op.f("ck_key_ceremony_threshold_within_trustees")
        ),
        sa.CheckConstraint(
            "trustee_count >= 1 AND trustee_count <= 255", name=op.f("ck_key_ceremony_trustee_count_range")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["committee_member.id"], name=op.f("fk_key_ceremony_created_by_committee_member")
        ),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_key_ceremony_election_id_election"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_ceremony")),
        sa.UniqueConstraint("election_id", name=op.f("uq_key_ceremony_election_id")),
    )
    op.create_table(
        "ceremony_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ceremony_id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('commit','reveal','deal','complaints','answer')", name=op.f("ck_ceremony_message_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["ceremony_id"],
            ["key_ceremony.id"],
            name=op.f("fk_ceremony_message_ceremony_id_key_ceremony"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ceremony_message")),
        sa.UniqueConstraint("ceremony_id", "sender", "kind", name="one_message_per_kind"),
    )
    op.create_index(op.f("ix_ceremony_message_ceremony_id"), "ceremony_message", ["ceremony_id"], unique=False)
    op.create_table(
        "ceremony_trustee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ceremony_id", sa.Integer(), nullable=False),
        sa.Column("member_index", sa.Integer(), nullable=False),
        sa.Column("committee_member_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("member_index >= 1", name=op.f("ck_ceremony_trustee_member_index_positive")),
        sa.ForeignKeyConstraint(
            ["ceremony_id"],
            ["key_ceremony.id"],
            name=op.f("fk_ceremony_trustee_ceremony_id_key_ceremony"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["committee_member_id"],
            ["committee_member.id"],
            name=op.f("fk_ceremony_trustee_committee_member_id_committee_member"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ceremony_trustee")),
        sa.UniqueConstraint("ceremony_id", "committee_member_id", name="one_index_per_member"),
        sa.UniqueConstraint("ceremony_id", "member_index", name="one_trustee_per_index"),
    )
    op.create_index(op.f("ix_ceremony_trustee_ceremony_id"), "ceremony_trustee", ["ceremony_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_ceremony_trustee_ceremony_id"), table_name="ceremony_trustee")
    op.drop_table("ceremony_trustee")
    op.drop_index(op.f("ix_ceremony_message_ceremony_id"), table_name="ceremony_message")
    op.drop_table("ceremony_message")
    op.drop_table("key_ceremony")
