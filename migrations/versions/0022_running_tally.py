"""the per-group sum of the counted ballots' ciphertexts, kept up to date by every cast

Revision ID: 0022_running_tally
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0022_running_tally"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "running_tally",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("group_key", sa.String(length=64), nullable=False),
        sa.Column("ballots", sa.Integer(), nullable=False),
        sa.Column("aggregate", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_running_tally_election_id_election"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_running_tally")),
        sa.UniqueConstraint("election_id", "group_key", name="one_running_tally_per_group"),
    )
    op.create_index(op.f("ix_running_tally_election_id"), "running_tally", ["election_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_running_tally_election_id"), table_name="running_tally")
    op.drop_table("running_tally")
