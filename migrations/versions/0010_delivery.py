"""delivery: how each voting code travels to its voter (e-mail or printed letter), never the code

Revision ID: 0010_delivery
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_delivery"
down_revision = "0001"
branch_labels = None
depends_on = ("0002_register", "0003_outbox")  # refers to register_person and outbox_message


def upgrade() -> None:
    op.create_table(
        "code_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.Column("requested_by", sa.String(length=254), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mints", sa.Integer(), nullable=False),
        sa.CheckConstraint("channel IN ('mail','letter')", name=op.f("ck_code_delivery_channel_known")),
        sa.CheckConstraint(
            "(channel = 'mail') = (outbox_message_id IS NOT NULL)", name=op.f("ck_code_delivery_mail_has_message")
        ),
        sa.CheckConstraint("mints >= 0", name=op.f("ck_code_delivery_mints_not_negative")),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_code_delivery_election_id_election"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_message.id"],
            name=op.f("fk_code_delivery_outbox_message_id_outbox_message"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["register_person.id"],
            name=op.f("fk_code_delivery_person_id_register_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_delivery")),
        sa.UniqueConstraint("outbox_message_id", name=op.f("uq_code_delivery_outbox_message_id")),
    )
    op.create_index(op.f("ix_code_delivery_election_id"), "code_delivery", ["election_id"], unique=False)
    op.create_index(op.f("ix_code_delivery_person_id"), "code_delivery", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_code_delivery_person_id"), table_name="code_delivery")
    op.drop_index(op.f("ix_code_delivery_election_id"), table_name="code_delivery")
    op.drop_table("code_delivery")
