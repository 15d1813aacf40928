"""outbox files: files shared with a reply in a customer thread

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03

A team member's message in a customer thread may carry files (Slack's `files`): their Slack ids, names, types and
sizes are kept with the reply so the worker can fetch them from Slack and send them to the customer.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('reply_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('files', sa.JSON(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('reply_outbox', schema=None) as batch_op:
        batch_op.drop_column('files')
