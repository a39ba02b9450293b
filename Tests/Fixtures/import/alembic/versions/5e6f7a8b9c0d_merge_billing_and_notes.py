"""merge billing and notes

Revision ID: 5e6f7a8b9c0d
Revises: ('3c4d5e6f7a8b', '4d5e6f7a8b9c')
Create Date: 2024-03-05 13:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '5e6f7a8b9c0d'
down_revision: Union[str, Sequence[str], None] = ('3c4d5e6f7a8b', '4d5e6f7a8b9c')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_users_email", "users", ["email"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_users_email", table_name="users")
