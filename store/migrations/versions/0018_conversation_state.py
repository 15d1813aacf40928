"""conversation state, customer posts, conversation timings

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07

Each customer thread's conversation state (open, waiting on the customer, snoozed, resolved; who claimed it; who
changed it last and when), what the team answered it in (first response) and since when the customer waits
(`conversation_states`, one row per thread root). Which customer message each Slack post shows
(`customer_posts`: the Slack ts -> Meta's message id), so a member's reaction in Slack reaches the customer's
message. The first-response and resolve times per conversation (`conversation_timings`) for `/meta metrics`.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0018'
down_revision: Union[str, Sequence[str], None] = '0017'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'conversation_states',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('channel_id', sa.String(length=32), nullable=False),
        sa.Column('root_ts', sa.String(length=32), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('owner', sa.String(length=32), nullable=True),
        sa.Column('snoozed_until', sa.DateTime(), nullable=True),
        sa.Column('change', sa.String(length=16), nullable=False),
        sa.Column('changed_by', sa.String(length=32), nullable=True),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.Column('opened_at', sa.DateTime(), nullable=False),
        sa.Column('first_response_at', sa.DateTime(), nullable=True),
        sa.Column('waiting_since', sa.DateTime(), nullable=True),
        sa.Column('last_customer_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('channel_id', 'root_ts'),
    )
    with op.batch_alter_table('conversation_states', schema=None) as batch_op:
        batch_op.create_index('ix_conversation_states_team_status', ['team_id', 'status'], unique=False)
        batch_op.create_index('ix_conversation_states_snoozed_until', ['snoozed_until'], unique=False)
    op.create_table(
        'customer_posts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('channel_id', sa.String(length=32), nullable=False),
        sa.Column('slack_ts', sa.String(length=32), nullable=False),
        sa.Column('thread_ts', sa.String(length=32), nullable=False),
        sa.Column('message_id', sa.String(length=255), nullable=False),
        sa.Column('reaction', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('channel_id', 'slack_ts'),
    )
    with op.batch_alter_table('customer_posts', schema=None) as batch_op:
        batch_op.create_index('ix_customer_posts_created_at', ['created_at'], unique=False)
    op.create_table(
        'conversation_timings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('seconds', sa.Float(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('conversation_timings', schema=None) as batch_op:
        batch_op.create_index('ix_conversation_timings_team_at', ['team_id', 'at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('conversation_timings', schema=None) as batch_op:
        batch_op.drop_index('ix_conversation_timings_team_at')
    op.drop_table('conversation_timings')
    with op.batch_alter_table('customer_posts', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_posts_created_at')
    op.drop_table('customer_posts')
    with op.batch_alter_table('conversation_states', schema=None) as batch_op:
        batch_op.drop_index('ix_conversation_states_snoozed_until')
        batch_op.drop_index('ix_conversation_states_team_status')
    op.drop_table('conversation_states')
