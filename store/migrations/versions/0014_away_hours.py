"""away hours: opening hours and away message per business number or Page

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07

`/meta hours` keeps, per workspace and business number (or Page, or Instagram account), the weekly opening hours
in a time zone, holidays, the away message, whether it is on, and the WhatsApp template sent instead when the
24-hour window is closed. Which away messages went out is claimed in `dedupe_keys` (one key per conversation per
closed period), so no table of its own.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0014'
down_revision: Union[str, Sequence[str], None] = '0013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'away_hours',
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('business_id', sa.String(length=64), nullable=False),
        sa.Column('platform', sa.String(length=16), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('tz', sa.String(length=64), nullable=False),
        sa.Column('weekly', sa.JSON(), nullable=False),
        sa.Column('holidays', sa.JSON(), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('template_id', sa.String(length=64), nullable=True),
        sa.Column('updated_by', sa.String(length=32), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('team_id', 'business_id'),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('away_hours')
