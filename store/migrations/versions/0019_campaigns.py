"""campaigns: a template sent to the customers of a file, each row sent at most once

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07

`campaigns` holds what `/meta campaign` checked and what became of it; `campaign_recipients` one row per customer of
the file with its claim state (pending, claimed, sent, failed, unknown), so a worker killed mid-campaign resumes
without sending anyone twice.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0019'
down_revision: Union[str, Sequence[str], None] = '0018'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'campaigns',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('created_by', sa.String(length=32), nullable=False),
        sa.Column('channel_id', sa.String(length=32), nullable=False),
        sa.Column('phone_number_id', sa.String(length=64), nullable=False),
        sa.Column('template_id', sa.String(length=64), nullable=False),
        sa.Column('template_name', sa.String(length=512), nullable=False),
        sa.Column('language', sa.String(length=16), nullable=False),
        sa.Column('category', sa.String(length=32), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('send_at', sa.DateTime(), nullable=True),
        sa.Column('summary', sa.JSON(), nullable=False),
        sa.Column('decided_by', sa.String(length=32), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('progress_ts', sa.String(length=32), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_team_id'), ['team_id'], unique=False)
    op.create_table(
        'campaign_recipients',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('line', sa.Integer(), nullable=False),
        sa.Column('phone', sa.String(length=32), nullable=True),
        sa.Column('bsuid', sa.String(length=160), nullable=True),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('message_id', sa.String(length=255), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('replied', sa.Boolean(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('pricing_type', sa.String(length=32), nullable=True),
        sa.Column('pricing_category', sa.String(length=40), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('campaign_id', 'line'),
    )
    with op.batch_alter_table('campaign_recipients', schema=None) as batch_op:
        batch_op.create_index('ix_campaign_recipients_state', ['campaign_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_recipients_message_id'), ['message_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('campaign_recipients')
    op.drop_table('campaigns')
