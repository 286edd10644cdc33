"""paper voting: paper marks, paper counts, and board entries that retire a credential

Revision ID: 0012_paper_voting
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from election.append_only import protect, unprotect

revision = "0012_paper_voting"
down_revision = "0001"
branch_labels = None
depends_on = "0008_voting"

_OLD_TYPES = ("setup", "ballot", "challenged", "close", "tally", "share", "result")
_NEW_TYPES = (*_OLD_TYPES, "credential_disabled", "credential_revoked", "credential_added", "paper_count")
_RETIRING = ("credential_disabled", "credential_revoked")


def _in(types: tuple[str, ...]) -> str:
    return ",".join(f"'{t}'" for t in types)


def _board_entry(types: tuple[str, ...], credential_rule: str, width: int, old_width: int) -> None:
    # On SQLite the batch recreates the table, which drops its append-only triggers: set them again.
    unprotect(op, "board_entry")
    with op.batch_alter_table("board_entry", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_board_entry_type_known"), type_="check")
        batch_op.drop_constraint(op.f("ck_board_entry_ballot_has_credential"), type_="check")
        batch_op.alter_column("type", existing_type=sa.String(length=old_width), type_=sa.String(length=width))
        batch_op.create_check_constraint(op.f("ck_board_entry_type_known"), f"type IN ({_in(types)})")
        batch_op.create_check_constraint(op.f("ck_board_entry_ballot_has_credential"), credential_rule)
    protect(op, "board_entry")


def upgrade() -> None:
    _board_entry(
        _NEW_TYPES,
        "(type = 'ballot' AND counted_credential IS NOT NULL) OR (type <> 'ballot' AND "
        f"(counted_credential IS NULL OR type IN ({_in(_RETIRING)})))",
        24,
        12,
    )
    op.create_table(
        "paper_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.Column("board_seq", sa.Integer(), nullable=False),
        sa.Column("marked_by", sa.String(length=254), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["voting_credential.id"],
            name=op.f("fk_paper_vote_credential_id_voting_credential"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_paper_vote_election_id_election"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["register_person.id"],
            name=op.f("fk_paper_vote_person_id_register_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_vote")),
        sa.UniqueConstraint("credential_id", name="one_paper_vote_per_credential"),
        sa.UniqueConstraint("election_id", "person_id", name="one_paper_vote_per_person"),
    )
    op.create_index(op.f("ix_paper_vote_election_id"), "paper_vote", ["election_id"], unique=False)
    op.create_table(
        "paper_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("group_key", sa.String(length=64), nullable=False),
        sa.Column("ballots", sa.Integer(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("invalid", sa.Integer(), nullable=False),
        sa.Column("entered_by", sa.Integer(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("board_seq", sa.Integer(), nullable=True),
        sa.CheckConstraint("ballots >= 0 AND invalid >= 0", name=op.f("ck_paper_count_not_negative")),
        sa.CheckConstraint(
            "confirmed_by IS NULL OR confirmed_by <> entered_by", name=op.f("ck_paper_count_two_distinct_members")
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by"], ["committee_member.id"], name=op.f("fk_paper_count_confirmed_by_committee_member")
        ),
        sa.ForeignKeyConstraint(
            ["entered_by"], ["committee_member.id"], name=op.f("fk_paper_count_entered_by_committee_member")
        ),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_paper_count_election_id_election"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_count")),
        sa.UniqueConstraint("election_id", "group_key", name="one_paper_count_per_group"),
    )
    op.create_index(op.f("ix_paper_count_election_id"), "paper_count", ["election_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_paper_count_election_id"), table_name="paper_count")
    op.drop_table("paper_count")
    op.drop_index(op.f("ix_paper_vote_election_id"), table_name="paper_vote")
    op.drop_table("paper_vote")
    _board_entry(_OLD_TYPES, "(type = 'ballot') = (counted_credential IS NOT NULL)", 12, 24)
