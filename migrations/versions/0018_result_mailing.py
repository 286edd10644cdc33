"""result mailing: the background run that queues the result e-mails, with its progress

Revision ID: 0018_result_mailing
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_result_mailing"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "result_mailing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by", sa.String(length=254), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("page_url", sa.Text(), nullable=True),
        sa.Column("contact", sa.String(length=254), nullable=True),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("after_person_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued','running','done','failed')", name=op.f("ck_result_mailing_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_result_mailing_election_id_election"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_mailing")),
    )
    op.create_index(op.f("ix_result_mailing_election_id"), "result_mailing", ["election_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_result_mailing_election_id"), table_name="result_mailing")
    op.drop_table("result_mailing")
