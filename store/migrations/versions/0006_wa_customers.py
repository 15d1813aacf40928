"""WhatsApp customers by business-scoped user id; threads keyed by customer

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

Existing WhatsApp threads were keyed by the customer's phone (wa_id). Each (number, phone) becomes a
customer row with that phone, and its threads are re-keyed to "customer:<id>" in place: nothing is lost,
and the customer's next message (phone + BSUID) finds the same row by phone and adds its BSUID.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

threads = sa.table('contact_threads', sa.column('business_id', sa.String), sa.column('contact', sa.String),
                   sa.column('platform', sa.String))
customers = sa.table('wa_customers', sa.column('id', sa.Integer), sa.column('business_id', sa.String),
                     sa.column('phone', sa.String), sa.column('marketing_opt_out', sa.Boolean),
                     sa.column('created_at', sa.DateTime), sa.column('updated_at', sa.DateTime))


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('wa_customers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_id', sa.String(length=64), nullable=False),
    sa.Column('bsuid', sa.String(length=160), nullable=True),
    sa.Column('parent_bsuid', sa.String(length=160), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('username', sa.String(length=255), nullable=True),
    sa.Column('profile_name', sa.String(length=255), nullable=True),
    sa.Column('marketing_opt_out', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('business_id', 'bsuid'),
    sa.UniqueConstraint('business_id', 'phone')
    )
    with op.batch_alter_table('contact_threads') as batch_op:  # room for "group:<group id>"
        batch_op.alter_column('contact', existing_type=sa.String(length=64), type_=sa.String(length=200),
                              existing_nullable=False)
    conn = op.get_bind()
    now = sa.func.now()
    pairs = conn.execute(sa.select(threads.c.business_id, threads.c.contact).where(
        threads.c.platform == 'whatsapp', ~threads.c.contact.like('customer:%')).distinct()).all()
    for business_id, phone in pairs:
        conn.execute(customers.insert().values(business_id=business_id, phone=phone, marketing_opt_out=False,
                                               created_at=now, updated_at=now))
        customer_id = conn.execute(sa.select(customers.c.id).where(
            customers.c.business_id == business_id, customers.c.phone == phone)).scalar_one()
        conn.execute(threads.update().where(
            threads.c.platform == 'whatsapp', threads.c.business_id == business_id, threads.c.contact == phone
        ).values(contact=f'customer:{customer_id}'))


def downgrade() -> None:
    """Downgrade schema: threads of customers with a phone get their phone key back; others keep theirs."""
    conn = op.get_bind()
    rows = conn.execute(sa.select(customers.c.id, customers.c.phone).where(customers.c.phone.isnot(None))).all()
    for customer_id, phone in rows:
        conn.execute(threads.update().where(threads.c.contact == f'customer:{customer_id}').values(contact=phone))
    op.drop_table('wa_customers')
    with op.batch_alter_table('contact_threads') as batch_op:
        batch_op.alter_column('contact', existing_type=sa.String(length=200), type_=sa.String(length=64),
                              existing_nullable=False)
