"""one-time codes for the voters' optional second factor

Revision ID: 0017_voter_second_factor
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_voter_second_factor"
down_revision = "0001"
branch_labels = None
depends_on = "0008_voting"


def upgrade() -> None:
    op.create_table(
        "voter_second_factor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("credential", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["election.id"],
            name=op.f("fk_voter_second_factor_election_id_election"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voter_second_factor")),
        sa.UniqueConstraint("election_id", "credential", name="one_code_per_credential"),
    )
    op.create_index(op.f("ix_voter_second_factor_election_id"), "voter_second_factor", ["election_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_voter_second_factor_election_id"), table_name="voter_second_factor")
    op.drop_table("voter_second_factor")
