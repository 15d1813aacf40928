"""message posts: where each customer message was posted in Slack

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

A customer's edit, deletion or reaction (and a call's end) updates the Slack post that showed the message, so
the app remembers, per message id, the post's channel, ts and thread and the message's block in it. Rows go
with retention like other per-message records.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'message_posts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('business_id', sa.String(length=64), nullable=False),
        sa.Column('message_id', sa.String(length=255), nullable=False),
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('channel_id', sa.String(length=32), nullable=False),
        sa.Column('slack_ts', sa.String(length=32), nullable=False),
        sa.Column('thread_ts', sa.String(length=32), nullable=True),
        sa.Column('block_id', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('business_id', 'message_id'),
    )
    with op.batch_alter_table('message_posts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_posts_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('message_posts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_posts_created_at'))
    op.drop_table('message_posts')
