"""list links: elections held together share a link group; objections received on paper

Revision ID: 0015_list_links
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_list_links"
down_revision = "0001"
branch_labels = None
depends_on = "0005_lists"  # list_objection_paper refers to list_objection


def upgrade() -> None:
    with op.batch_alter_table("election", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_group", sa.String(length=60), nullable=True))
        batch_op.create_index(batch_op.f("ix_election_link_group"), ["link_group"], unique=False)
    op.create_table(
        "list_objection_paper",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("objection_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("entered_by", sa.Integer(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scan_content_type", sa.String(length=50), nullable=True),
        sa.Column("scan_size", sa.Integer(), nullable=True),
        sa.Column("scan_sha256", sa.String(length=64), nullable=True),
        sa.Column("scan", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entered_by"],
            ["committee_member.id"],
            name=op.f("fk_list_objection_paper_entered_by_committee_member"),
        ),
        sa.ForeignKeyConstraint(
            ["objection_id"],
            ["list_objection.id"],
            name=op.f("fk_list_objection_paper_objection_id_list_objection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_objection_paper")),
        sa.UniqueConstraint("objection_id", name=op.f("uq_list_objection_paper_objection_id")),
    )


def downgrade() -> None:
    op.drop_table("list_objection_paper")
    with op.batch_alter_table("election", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_election_link_group"))
        batch_op.drop_column("link_group")
