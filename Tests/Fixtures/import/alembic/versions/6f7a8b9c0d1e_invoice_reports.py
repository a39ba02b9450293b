"""invoice reports

Revision ID: 6f7a8b9c0d1e
Revises: '2b3c4d5e6f7a'
Create Date: 2024-03-06 14:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '6f7a8b9c0d1e'
down_revision: Union[str, Sequence[str], None] = '2b3c4d5e6f7a'
branch_labels: Union[str, Sequence[str], None] = ('reports',)
depends_on: Union[str, Sequence[str], None] = '3c4d5e6f7a8b'


def upgrade() -> None:
    op.create_table(
        "invoice_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("invoice_reports")
