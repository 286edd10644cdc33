"""the unit (department or location) an electoral group's earmarked seats are reserved for

Revision ID: 0021_earmark_unit
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_earmark_unit"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("electoral_group") as batch:
        batch.add_column(sa.Column("earmark_unit_field", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("earmark_unit_value", sa.String(length=200), nullable=True))
        batch.create_check_constraint(
            op.f("ck_electoral_group_earmark_unit_known"),
            "earmark_unit_field IS NULL OR earmark_unit_field IN ('department','location')",
        )


def downgrade() -> None:
    with op.batch_alter_table("electoral_group") as batch:
        batch.drop_constraint(op.f("ck_electoral_group_earmark_unit_known"), type_="check")
        batch.drop_column("earmark_unit_value")
        batch.drop_column("earmark_unit_field")
