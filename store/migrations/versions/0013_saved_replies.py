"""saved replies, and rich replies in the outbox

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

Saved replies (`saved_replies`): a text with `{name}`-style fields, workspace-wide (`owner_id` empty) or a member's
own, unique by name per owner. A reply in the outbox may be a rich one (`reply_outbox.interactive`: WhatsApp
buttons, a list, a link button or a location request, or Messenger/Instagram quick replies), sent in place of a text.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0013'
down_revision: Union[str, Sequence[str], None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'saved_replies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('owner_id', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_by', sa.String(length=32), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('team_id', 'owner_id', 'name'),
    )
    op.create_index('ix_saved_replies_team_id', 'saved_replies', ['team_id'], unique=False)
    with op.batch_alter_table('reply_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('interactive', sa.JSON(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('reply_outbox', schema=None) as batch_op:
        batch_op.drop_column('interactive')
    op.drop_index('ix_saved_replies_team_id', table_name='saved_replies')
    op.drop_table('saved_replies')
