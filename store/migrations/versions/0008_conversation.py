"""conversation: signature switch, customer reply window

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03

`/meta signature on|off` per workspace; per WhatsApp customer the time and id of their last message
(the 24-hour reply window, read receipts) and when the thread was nudged that the window closes.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('workspaces', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signature_enabled', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('wa_customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_inbound_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_inbound_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('window_nudged_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('wa_customers', schema=None) as batch_op:
        batch_op.drop_column('window_nudged_at')
        batch_op.drop_column('last_inbound_id')
        batch_op.drop_column('last_inbound_at')
    with op.batch_alter_table('workspaces', schema=None) as batch_op:
        batch_op.drop_column('signature_enabled')
