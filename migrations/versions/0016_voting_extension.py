"""a later closing of the vote, confirmed by two committee members

Revision ID: 0016_voting_extension
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_voting_extension"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("election", sa.Column("voting_extended_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("election") as batch:
        batch.drop_column("voting_extended_until")
