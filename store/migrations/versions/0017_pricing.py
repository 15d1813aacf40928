"""pricing: what Meta charges for each message sent from Slack

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07

WhatsApp statuses carry the message's pricing (`pricing.pricing_model` PMP, `pricing.type` regular,
free_customer_service or free_entry_point, `pricing.category` marketing, marketing_lite, utility, authentication,
authentication_international, service). It is kept on the outbound message, ready for a cost view. Nullable
columns added in place: rows from before have no pricing.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0017'
down_revision: Union[str, Sequence[str], None] = '0016'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pricing_model', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('pricing_type', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('pricing_category', sa.String(length=40), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.drop_column('pricing_category')
        batch_op.drop_column('pricing_type')
        batch_op.drop_column('pricing_model')
