"""campaign hold: the part over the messaging limit held back, template refusals retried, one final report

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07

`campaigns.held_until`: when the messaging limit's rolling 24 hours next make room for the rows held back (state
`held`); `campaigns.reported_at`: the final report was posted (once). `campaign_recipients.error_code`: Meta's code
for a refused send, so the rows refused while Meta paused the template (132015, 132016) go again on Resume.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0022'
down_revision: Union[str, Sequence[str], None] = '0021'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reported_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('campaign_recipients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error_code', sa.Integer(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('campaign_recipients', schema=None) as batch_op:
        batch_op.drop_column('error_code')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('reported_at')
        batch_op.drop_column('held_until')
