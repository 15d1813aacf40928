"""retention marks, and the last activity of each thread

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

Retention records how far it has deleted dedupe keys (`retention_marks`), so a webhook item from before that
point is refused as stale rather than delivered again. Each thread keeps when it last saw a post or a reply
(`contact_threads.last_active_at`), so threads idle past the retention window can be forgotten; existing
threads start from their creation time.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'retention_marks',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('before', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    with op.batch_alter_table('contact_threads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_active_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_contact_threads_last_active_at', ['last_active_at'], unique=False)
    op.execute("UPDATE contact_threads SET last_active_at = created_at")


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('contact_threads', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_threads_last_active_at')
        batch_op.drop_column('last_active_at')
    op.drop_table('retention_marks')
