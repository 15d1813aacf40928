"""the kind of each Meta connection's token

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07

A connection's token is a Facebook Login user token (`user`, about 60 days, refreshed), the business token Embedded
Signup gives (`business`) or a system user's token an admin pasted (`system_user`); the last two do not expire.
Existing connections are user tokens.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0015'
down_revision: Union[str, Sequence[str], None] = '0014'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('meta_connections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_kind', sa.String(length=16), nullable=False, server_default='user'))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('meta_connections', schema=None) as batch_op:
        batch_op.drop_column('token_kind')
