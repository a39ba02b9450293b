"""fill names

Revision ID: 7a8b9c0d1e2f
Revises: '5e6f7a8b9c0d'
Create Date: 2024-03-07 15:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '7a8b9c0d1e2f'
down_revision: Union[str, Sequence[str], None] = '5e6f7a8b9c0d'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("UPDATE users SET name = email WHERE name IS NULL")


def downgrade() -> None:
    pass
