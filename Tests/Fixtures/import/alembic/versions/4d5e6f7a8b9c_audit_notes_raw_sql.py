"""audit notes, raw SQL

Revision ID: 4d5e6f7a8b9c
Revises: '2b3c4d5e6f7a'
Create Date: 2024-03-04 12:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '4d5e6f7a8b9c'
down_revision: Union[str, Sequence[str], None] = '2b3c4d5e6f7a'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("CREATE TABLE audit_notes (id INTEGER PRIMARY KEY, note TEXT NOT NULL)")
    op.execute("INSERT INTO audit_notes (id, note) VALUES (1, 'it''s here')")


def downgrade() -> None:
    op.execute("DROP TABLE audit_notes")
