"""coexistence history: what Meta sent of each number's WhatsApp Business app history, and its import

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-10

`history_syncs`: one row per business number whose history Meta sent (or that declined to share it), with the
notes posted and the import's state. `history_messages`: the messages themselves, once per message id, until
imported into Slack (or deleted by retention).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0016'
down_revision: Union[str, Sequence[str], None] = '0015'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'history_syncs',
        sa.Column('business_id', sa.String(length=64), nullable=False),
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('waba_id', sa.String(length=64), nullable=True),
        sa.Column('display_number', sa.String(length=32), nullable=True),
        sa.Column('phase', sa.Integer(), nullable=True),
        sa.Column('progress', sa.Integer(), nullable=True),
        sa.Column('chunks', sa.Integer(), nullable=False),
        sa.Column('noted_at', sa.DateTime(), nullable=True),
        sa.Column('declined_at', sa.DateTime(), nullable=True),
        sa.Column('decline_reason', sa.Text(), nullable=True),
        sa.Column('import_state', sa.String(length=16), nullable=True),
        sa.Column('import_by', sa.String(length=32), nullable=True),
        sa.Column('import_channel', sa.String(length=32), nullable=True),
        sa.Column('progress_ts', sa.String(length=32), nullable=True),
        sa.Column('progress_at', sa.DateTime(), nullable=True),
        sa.Column('import_started_at', sa.DateTime(), nullable=True),
        sa.Column('import_done_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('business_id'),
    )
    op.create_index('ix_history_syncs_team_id', 'history_syncs', ['team_id'], unique=False)
    op.create_table(
        'history_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('business_id', sa.String(length=64), nullable=False),
        sa.Column('message_id', sa.String(length=255), nullable=False),
        sa.Column('thread', sa.String(length=64), nullable=False),
        sa.Column('outgoing', sa.Boolean(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('batch', sa.String(length=64), nullable=True),
        sa.Column('imported_at', sa.DateTime(), nullable=True),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('business_id', 'message_id'),
    )
    op.create_index('ix_history_messages_queue', 'history_messages',
                    ['business_id', 'imported_at', 'thread', 'sent_at'], unique=False)
    op.create_index('ix_history_messages_imported_at', 'history_messages', ['imported_at'], unique=False)
    op.create_index('ix_history_messages_received_at', 'history_messages', ['received_at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_history_messages_received_at', table_name='history_messages')
    op.drop_index('ix_history_messages_imported_at', table_name='history_messages')
    op.drop_index('ix_history_messages_queue', table_name='history_messages')
    op.drop_table('history_messages')
    op.drop_index('ix_history_syncs_team_id', table_name='history_syncs')
    op.drop_table('history_syncs')
