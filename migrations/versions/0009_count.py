"""count: the fixed tally, the trustees' decryption shares and the result

Revision ID: 0009_count
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_count"
down_revision = "0001"
branch_labels = None
depends_on = "0008_voting"


def upgrade() -> None:
    op.create_table(
        "election_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("board_head", sa.String(length=64), nullable=False),
        sa.Column("aggregates", sa.Text(), nullable=False),
        sa.Column("tallied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lot_text", sa.Text(), nullable=True),
        sa.Column("lot_seed", sa.String(length=64), nullable=True),
        sa.Column("lot_fixed_by", sa.String(length=254), nullable=True),
        sa.Column("lot_fixed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counts", sa.Text(), nullable=True),
        sa.Column("seats", sa.Text(), nullable=True),
        sa.Column("result_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_election_count_election_id_election"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_election_count")),
        sa.UniqueConstraint("election_id", name=op.f("uq_election_count_election_id")),
    )
    op.create_table(
        "decryption_share_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("member_index", sa.Integer(), nullable=False),
        sa.Column("committee_member_id", sa.Integer(), nullable=False),
        sa.Column("shares", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_member_id"],
            ["committee_member.id"],
            name=op.f("fk_decryption_share_set_committee_member_id_committee_member"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["election.id"],
            name=op.f("fk_decryption_share_set_election_id_election"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decryption_share_set")),
        sa.UniqueConstraint(
            "election_id", "member_index", name=op.f("uq_decryption_share_set_election_id_member_index")
        ),
    )
    op.create_index(op.f("ix_decryption_share_set_election_id"), "decryption_share_set", ["election_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_decryption_share_set_election_id"), table_name="decryption_share_set")
    op.drop_table("decryption_share_set")
    op.drop_table("election_count")
