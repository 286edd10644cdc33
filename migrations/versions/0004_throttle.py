"""rate-limit counters shared by all workers

Revision ID: 0004_throttle
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_throttle"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "throttle_counter",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_throttle_counter")),
    )


def downgrade() -> None:
    op.drop_table("throttle_counter")
