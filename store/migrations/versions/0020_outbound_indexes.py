"""outbound message indexes

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07

What a thread's messages cost (its root's cost line) reads outbound_messages by thread; `/meta cost` and the Home
tab's month by workspace and date. Both were full scans; two indexes, built in place.
"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0020'
down_revision: Union[str, Sequence[str], None] = '0019'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index('ix_outbound_messages_thread', 'outbound_messages', ['channel_id', 'thread_ts'])
    op.create_index('ix_outbound_messages_team_created', 'outbound_messages', ['team_id', 'created_at'])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_outbound_messages_team_created', table_name='outbound_messages')
    op.drop_index('ix_outbound_messages_thread', table_name='outbound_messages')
