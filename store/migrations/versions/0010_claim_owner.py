"""claim owner: the process delivering a claimed item

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

A dedupe claim names the process that took it, so a claim whose process died can be taken over as soon as
that death is seen (its heartbeat stopped) rather than when the lease runs out. Claims taken before this
revision have no owner and keep the lease rule.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('dedupe_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sa.String(length=128), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('dedupe_keys', schema=None) as batch_op:
        batch_op.drop_column('owner')
