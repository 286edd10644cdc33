"""record publication, server-side record checks, retention events, vacancies and succession

The bulletin board stays insert-only, with one exception made here: its rows of an election may be
deleted once that election has a ``record`` retention event (an insert-only row the retention run
writes when the retention period has passed). Updates stay refused always.

Revision ID: 0014_record_succession
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from election.append_only import protect, unprotect

revision = "0014_record_succession"
down_revision = "0001"
branch_labels = None
# After the count's tables, and after 0012, which rebuilds board_entry and puts the plain append-only
# triggers back: a later migration that does so must install the guard below again.
depends_on = ("0009_count", "0012_paper_voting")

_PG_GUARD = """
CREATE OR REPLACE FUNCTION stembus_board_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND EXISTS (
    SELECT 1 FROM retention_event WHERE election_id = OLD.election_id AND kind = 'record'
  ) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME;
END $$
"""


def _board_destroyable_after_retention() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS board_entry_append_only ON board_entry")
        op.execute(_PG_GUARD)
        op.execute(
            "CREATE TRIGGER board_entry_append_only BEFORE UPDATE OR DELETE ON board_entry "
            "FOR EACH ROW EXECUTE FUNCTION stembus_board_entry_guard()"
        )
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS board_entry_no_delete")
        op.execute(
            "CREATE TRIGGER board_entry_no_delete BEFORE DELETE ON board_entry "
            "WHEN NOT EXISTS (SELECT 1 FROM retention_event WHERE election_id = OLD.election_id AND kind = 'record') "
            "BEGIN SELECT RAISE(ABORT, 'board_entry is append-only'); END"
        )


def _board_append_only_again() -> None:
    dialect = op.get_bind().dialect.name
    unprotect(op, "board_entry")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS stembus_board_entry_guard()")
    protect(op, "board_entry")


def upgrade() -> None:
    op.create_table(
        "published_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("board_entries", sa.Integer(), nullable=False),
        sa.Column("overview", sa.Text(), nullable=False),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.String(length=254), nullable=True),
        sa.Column("destroyed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("size > 0", name=op.f("ck_published_record_size_positive")),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_published_record_election_id_election"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_record")),
        sa.UniqueConstraint("election_id", name=op.f("uq_published_record_election_id")),
    )
    op.create_table(
        "published_record_chunk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["published_record.id"],
            name=op.f("fk_published_record_chunk_record_id_published_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_record_chunk")),
        sa.UniqueConstraint("record_id", "seq", name=op.f("uq_published_record_chunk_record_id_seq")),
    )
    op.create_index(op.f("ix_published_record_chunk_record_id"), "published_record_chunk", ["record_id"], unique=False)
    op.create_table(
        "record_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("record_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by", sa.String(length=254), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=True),
        sa.Column("report", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('queued','running','done','failed')", name=op.f("ck_record_check_status_known")),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_record_check_election_id_election"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_check")),
    )
    op.create_index(op.f("ix_record_check_election_id"), "record_check", ["election_id"], unique=False)
    op.create_table(
        "retention_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.CheckConstraint("kind IN ('personal_data','record')", name=op.f("ck_retention_event_kind_known")),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_retention_event_election_id_election"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_event")),
        sa.UniqueConstraint("election_id", "kind", name=op.f("uq_retention_event_election_id_kind")),
    )
    op.create_index(op.f("ix_retention_event_election_id"), "retention_event", ["election_id"], unique=False)
    protect(op, "retention_event")
    op.create_table(
        "vacancy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("group_key", sa.String(length=64), nullable=False),
        sa.Column("candidate_key", sa.String(length=64), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("recorded_by", sa.String(length=254), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("(status = 'open') = (closed_at IS NULL)", name=op.f("ck_vacancy_closed_with_time")),
        sa.CheckConstraint("reason IN ('left_company','resigned','other')", name=op.f("ck_vacancy_reason_known")),
        sa.CheckConstraint("status IN ('open','filled','unfilled')", name=op.f("ck_vacancy_status_known")),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_vacancy_election_id_election"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vacancy")),
        sa.UniqueConstraint("election_id", "candidate_key", name="uq_vacancy_one_per_member"),
    )
    op.create_index(op.f("ix_vacancy_election_id"), "vacancy", ["election_id"], unique=False)
    op.create_table(
        "succession_offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("candidate_key", sa.String(length=64), nullable=False),
        sa.Column("answer", sa.String(length=20), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=254), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "answer IN ('accepted','declined','not_eligible')", name=op.f("ck_succession_offer_answer_known")
        ),
        sa.ForeignKeyConstraint(
            ["vacancy_id"], ["vacancy.id"], name=op.f("fk_succession_offer_vacancy_id_vacancy"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_succession_offer")),
        sa.UniqueConstraint("vacancy_id", "candidate_key", name="uq_succession_offer_once_per_vacancy"),
    )
    op.create_index(op.f("ix_succession_offer_vacancy_id"), "succession_offer", ["vacancy_id"], unique=False)
    _board_destroyable_after_retention()


def downgrade() -> None:
    _board_append_only_again()
    op.drop_index(op.f("ix_succession_offer_vacancy_id"), table_name="succession_offer")
    op.drop_table("succession_offer")
    op.drop_index(op.f("ix_vacancy_election_id"), table_name="vacancy")
    op.drop_table("vacancy")
    unprotect(op, "retention_event")
    op.drop_index(op.f("ix_retention_event_election_id"), table_name="retention_event")
    op.drop_table("retention_event")
    op.drop_index(op.f("ix_record_check_election_id"), table_name="record_check")
    op.drop_table("record_check")
    op.drop_index(op.f("ix_published_record_chunk_record_id"), table_name="published_record_chunk")
    op.drop_table("published_record_chunk")
    op.drop_table("published_record")
