"""result: the announcement of the result with its objection window, and objections against the result

Revision ID: 0013_result
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_result"
down_revision = "0001"
branch_labels = None
depends_on = ("0002_register", "0009_count")  # objections name a register entry; the result follows the count


def upgrade() -> None:
    op.create_table(
        "result_announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("announced_by", sa.String(length=254), nullable=False),
        sa.Column("objection_days", sa.Integer(), nullable=False),
        sa.Column("objection_deadline", sa.Date(), nullable=False),
        sa.Column("final_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("final_by", sa.String(length=254), nullable=True),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["election.id"],
            name=op.f("fk_result_announcement_election_id_election"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_announcement")),
        sa.UniqueConstraint("election_id", name=op.f("uq_result_announcement_election_id")),
    )
    op.create_table(
        "result_objection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("objector_person_id", sa.Integer(), nullable=True),
        sa.Column("objector_name", sa.String(length=300), nullable=False),
        sa.Column("via", sa.String(length=10), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entered_by", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("via IN ('link','committee')", name=op.f("ck_result_objection_via_known")),
        sa.CheckConstraint(
            "decision IS NULL OR decision IN ('upheld','rejected')", name=op.f("ck_result_objection_decision_known")
        ),
        sa.CheckConstraint(
            "(decision IS NULL AND decided_at IS NULL) OR (decision IS NOT NULL AND decided_at IS NOT NULL)",
            name=op.f("ck_result_objection_decided_with_time"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["committee_member.id"], name=op.f("fk_result_objection_decided_by_committee_member")
        ),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_result_objection_election_id_election"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["entered_by"], ["committee_member.id"], name=op.f("fk_result_objection_entered_by_committee_member")
        ),
        sa.ForeignKeyConstraint(
            ["objector_person_id"],
            ["register_person.id"],
            name=op.f("fk_result_objection_objector_person_id_register_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_objection")),
    )
    op.create_index(op.f("ix_result_objection_election_id"), "result_objection", ["election_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_result_objection_election_id"), table_name="result_objection")
    op.drop_table("result_objection")
    op.drop_table("result_announcement")
