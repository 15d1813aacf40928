"""campaign replies: where a campaign's replies open their threads

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07

`campaigns.reply_channel_id` (the channel the admin picked for replies; empty: the campaign's own channel),
`campaigns.overflow` (how many overflow channels spread new conversations, 0: none) and
`campaigns.overflow_channels` (their ids once created, in order). `contact_threads.campaign_id` marks a thread a
campaign reply opened outside the usual channel, so the customer keeps it. Indexes on the recipients' phone and
BSUID: every inbound message of a customer without a thread asks whether a campaign was sent to them.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0021'
down_revision: Union[str, Sequence[str], None] = '0020'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_channel_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('overflow', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('overflow_channels', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('campaign_recipients', schema=None) as batch_op:
        batch_op.create_index('ix_campaign_recipients_phone', ['phone'], unique=False)
        batch_op.create_index('ix_campaign_recipients_bsuid', ['bsuid'], unique=False)
    with op.batch_alter_table('contact_threads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('contact_threads', schema=None) as batch_op:
        batch_op.drop_column('campaign_id')
    with op.batch_alter_table('campaign_recipients', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_recipients_bsuid')
        batch_op.drop_index('ix_campaign_recipients_phone')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('overflow_channels')
        batch_op.drop_column('overflow')
        batch_op.drop_column('reply_channel_id')
