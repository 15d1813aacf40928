"""The database schema. Every change to it comes with an Alembic migration in store/migrations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from store.timestamps import utcnow


class Base(DeclarativeBase):
    pass


class Workspace(Base):
    """A Slack workspace that uses the app."""

    __tablename__ = "workspaces"
    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255))
    connect_channel: Mapped[str | None] = mapped_column(String(32))  # default channel for notifications
    replies_enabled: Mapped[bool] = mapped_column(default=True)  # off: alerts-only mode
    signature_enabled: Mapped[bool] = mapped_column(default=False)  # on: replies start with "*Name*: "
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MetaConnection(Base):
    """A workspace's link to a Meta business account: who connected it, and its (encrypted) token."""

    __tablename__ = "meta_connections"
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"), unique=True)
    meta_user_id: Mapped[str] = mapped_column(String(64))
    meta_user_name: Mapped[str | None] = mapped_column(String(255))
    token_enc: Mapped[str] = mapped_column(Text)  # Fernet token of the long-lived user token
    token_expires_at: Mapped[datetime | None]
    # user: a Facebook Login user token (about 60 days, refreshed); business: Embedded Signup's business token;
    # system_user: a system user's token an admin pasted. The last two do not expire (no refresh, no expiry alerts).
    token_kind: Mapped[str] = mapped_column(String(16), default="user", server_default="user")
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active, expired, revoked
    status_reason: Mapped[str | None] = mapped_column(Text)  # Meta's words when it stopped working
    granular_scopes: Mapped[list[dict]] = mapped_column(JSON, default=list)  # debug_token: scope -> target ids
    expiry_alerted: Mapped[int | None]  # the smallest "days left" threshold already alerted, so once each
    connected_by: Mapped[str | None] = mapped_column(String(32))  # Slack user id
    channel_id: Mapped[str | None] = mapped_column(String(32))  # where /meta connect was run
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    whatsapp_accounts: Mapped[list[WhatsAppAccount]] = relationship(
        back_populates="connection", cascade="all, delete-orphan"
    )
    pages: Mapped[list[Page]] = relationship(back_populates="connection", cascade="all, delete-orphan")


class WhatsAppAccount(Base):
    """A WhatsApp Business Account (WABA); its id is the `entry[].id` of its webhooks."""

    __tablename__ = "whatsapp_accounts"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("meta_connections.id", ondelete="CASCADE"))
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str | None] = mapped_column(String(255))
    business_id: Mapped[str | None] = mapped_column(String(64))  # the owning business portfolio, when known
    templates_synced_at: Mapped[datetime | None]  # when every template page was last read from Meta

    connection: Mapped[MetaConnection] = relationship(back_populates="whatsapp_accounts")
    phone_numbers: Mapped[list[PhoneNumber]] = relationship(back_populates="account", cascade="all, delete-orphan")


class PhoneNumber(Base):
    """A business phone number of a WABA; `id` is Meta's phone_number_id."""

    __tablename__ = "phone_numbers"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    waba_id: Mapped[str] = mapped_column(ForeignKey("whatsapp_accounts.id", ondelete="CASCADE"), index=True)
    display_number: Mapped[str | None] = mapped_column(String(32))
    verified_name: Mapped[str | None] = mapped_column(String(255))
    quality_rating: Mapped[str | None] = mapped_column(String(16))

    account: Mapped[WhatsAppAccount] = relationship(back_populates="phone_numbers")


class Page(Base):
    """A Facebook Page the connection manages; `connected` once a team member connected it."""

    __tablename__ = "pages"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("meta_connections.id", ondelete="CASCADE"))
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str | None] = mapped_column(String(255))
    category: Mapped[str | None] = mapped_column(String(255))
    token_enc: Mapped[str | None] = mapped_column(Text)  # Fernet token of the page access token
    connected: Mapped[bool] = mapped_column(default=False)

    connection: Mapped[MetaConnection] = relationship(back_populates="pages")
    instagram_accounts: Mapped[list[InstagramAccount]] = relationship(back_populates="page",
                                                                      cascade="all, delete-orphan")


class InstagramAccount(Base):
    """An Instagram professional account linked to a Page."""

    __tablename__ = "instagram_accounts"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    page_id: Mapped[str] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    username: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    connected: Mapped[bool] = mapped_column(default=False)

    page: Mapped[Page] = relationship(back_populates="instagram_accounts")


class WorkspaceAdmin(Base):
    """A user a workspace admin allowed to change things (besides Slack's own admins and owners)."""

    __tablename__ = "workspace_admins"
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    added_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Template(Base):
    """A WhatsApp message template as last synced from Meta (or just submitted)."""

    __tablename__ = "templates"
    __table_args__ = (UniqueConstraint("waba_id", "name", "language"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # Meta's template id
    waba_id: Mapped[str] = mapped_column(ForeignKey("whatsapp_accounts.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(512))
    language: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    components: Mapped[list[dict]] = mapped_column(JSON, default=list)
    quality: Mapped[str | None] = mapped_column(String(16))
    rejected_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NotificationRoute(Base):
    """Where notifications of one kind (messages, templates, alerts, facebook, instagram) go."""

    __tablename__ = "notification_routes"
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32))


class WebhookEvent(Base):
    """One POST from Meta, kept as received (raw bytes) until processed and after."""

    __tablename__ = "webhook_events"
    __table_args__ = (Index("ix_webhook_events_state_received", "state", "received_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(16), default="received")  # received, done, failed
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    unrouted: Mapped[int] = mapped_column(default=0)  # entries whose asset nobody connected
    next_attempt_at: Mapped[datetime | None]  # a retry is scheduled for then; the sweeper leaves it alone
    processed_at: Mapped[datetime | None]


class DedupeKey(Base):
    """One key per deliverable item (message, status, update): the database makes the claim atomic."""

    __tablename__ = "dedupe_keys"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    event_id: Mapped[int | None]
    state: Mapped[str] = mapped_column(String(8), default="claimed")  # claimed, done
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    owner: Mapped[str | None] = mapped_column(String(128))  # the process delivering it (claims since 0010)


class ContactThread(Base):
    """The thread map: a customer talking to one business number has one Slack thread per channel."""

    __tablename__ = "contact_threads"
    __table_args__ = (UniqueConstraint("business_id", "contact", "channel_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    business_id: Mapped[str] = mapped_column(String(64))  # phone_number_id, Page id or Instagram account id
    # WhatsApp: "customer:<wa_customers.id>" or "group:<group id>"; Messenger: the PSID; Instagram: the IGSID
    contact: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(16), default="whatsapp")  # whatsapp, messenger, instagram
    channel_id: Mapped[str] = mapped_column(String(32), index=True)
    root_ts: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Last post or reply in it (to within THREAD_TOUCH_INTERVAL): retention forgets threads idle past the window
    last_active_at: Mapped[datetime | None] = mapped_column(default=utcnow, index=True)
    campaign_id: Mapped[int | None] = mapped_column()  # a campaign's reply opened it in that campaign's channel


class RetentionMark(Base):
    """How far retention has deleted one kind of record: everything of that kind from before `before` may be
    gone. Only "dedupe_keys" today: a webhook item older than it may have been delivered and forgotten."""

    __tablename__ = "retention_marks"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    before: Mapped[datetime]


class OutboundMessage(Base):
    """A reply a team member sent from a Slack thread: its fate at Meta, and where to say so."""

    __tablename__ = "outbound_messages"
    __table_args__ = (Index("ix_outbound_messages_thread", "channel_id", "thread_ts"),
                      Index("ix_outbound_messages_team_created", "team_id", "created_at"))
    id: Mapped[str] = mapped_column(String(255), primary_key=True)  # Meta's message id (wamid…, m_…)
    team_id: Mapped[str] = mapped_column(String(32))
    platform: Mapped[str] = mapped_column(String(16))
    channel_id: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str] = mapped_column(String(32))
    slack_ts: Mapped[str] = mapped_column(String(32))  # the team member's message
    status: Mapped[str] = mapped_column(String(16), default="accepted")  # accepted, sent, delivered, read, failed
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What Meta charges for it (WhatsApp statuses' `pricing`, since 0017): PMP (per-message pricing); regular,
    # free_customer_service or free_entry_point; marketing, marketing_lite, utility, authentication,
    # authentication_international or service. None until a status says.
    pricing_model: Mapped[str | None] = mapped_column(String(16))
    pricing_type: Mapped[str | None] = mapped_column(String(32))
    pricing_category: Mapped[str | None] = mapped_column(String(40))


class MessagePost(Base):
    """Where a customer's message was posted in Slack, so a later edit, deletion or reaction (or a call's end)
    updates that post instead of making a new one. `block_id` is the message's block within the post."""

    __tablename__ = "message_posts"
    __table_args__ = (UniqueConstraint("business_id", "message_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)  # one column: retention deletes by it in batches
    business_id: Mapped[str] = mapped_column(String(64))  # phone_number_id, Page or Instagram account id
    message_id: Mapped[str] = mapped_column(String(255))  # Meta's id (wamid…, mid…, wacid…)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    slack_ts: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))  # None: the post is its thread's root
    block_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class WebhookSubscription(Base):
    """The app's webhook subscription for one Meta object: the fields chosen and whether Meta verified it."""

    __tablename__ = "webhook_subscriptions"
    object: Mapped[str] = mapped_column(String(32), primary_key=True)  # whatsapp_business_account, page, instagram
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending, active, failed
    detail: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AppSecret(Base):
    """A secret the app made itself (the generated webhook verify token), encrypted."""

    __tablename__ = "app_secrets"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value_enc: Mapped[str] = mapped_column(Text)


class SlackInstallation(Base):
    """A workspace (or org) that installed the app in multi-workspace mode; the whole installation,
    bot token included, is encrypted."""

    __tablename__ = "slack_installations"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)  # "{enterprise_id or -}:{team_id or -}"
    team_id: Mapped[str | None] = mapped_column(String(32), index=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    data_enc: Mapped[str] = mapped_column(Text)
    installed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Customer(Base):
    """A WhatsApp customer of one business number. Meta names a customer by a business-scoped user id
    (BSUID, always sent since 2026) and by phone only while the customer shares it (a customer with a
    WhatsApp username may not). Either may be missing or change; this row's id does not, so WhatsApp
    threads are keyed by it (`contact_threads.contact` = "customer:<id>")."""

    __tablename__ = "wa_customers"
    __table_args__ = (UniqueConstraint("business_id", "bsuid"), UniqueConstraint("business_id", "phone"))
    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[str] = mapped_column(String(64))  # the business number's phone_number_id
    bsuid: Mapped[str | None] = mapped_column(String(160))  # e.g. US.13491208655302741918
    parent_bsuid: Mapped[str | None] = mapped_column(String(160))  # e.g. US.ENT.11815799212886844830
    phone: Mapped[str | None] = mapped_column(String(32))  # digits, as Meta's wa_id, when shared
    username: Mapped[str | None] = mapped_column(String(255))  # WhatsApp username without the "@"
    profile_name: Mapped[str | None] = mapped_column(String(255))
    marketing_opt_out: Mapped[bool] = mapped_column(default=False)  # asked to stop marketing messages
    last_inbound_at: Mapped[datetime | None] = mapped_column()  # their last message: the 24-hour window's start
    last_inbound_id: Mapped[str | None] = mapped_column(String(255))  # its wamid, marked read when the team replies
    window_nudged_at: Mapped[datetime | None] = mapped_column()  # the thread was told the window closes soon
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ReplyOutbox(Base):
    """A team member's message in a customer thread, kept from the moment Slack delivers it until it is sent
    (a job in Redis alone would be lost with Redis). One row per Slack message, whatever Slack retries."""

    __tablename__ = "reply_outbox"
    __table_args__ = (UniqueConstraint("channel_id", "slack_ts"),
                      Index("ix_reply_outbox_state_created", "state", "created_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str] = mapped_column(String(32))  # the customer thread's root
    slack_ts: Mapped[str] = mapped_column(String(32))  # the team member's message
    user_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    files: Mapped[list[dict] | None] = mapped_column(JSON)  # files shared with it: Slack id, name, mimetype, size
    # a rich reply (buttons, a list, quick replies...): what Meta gets in place of a text, `text` being its body
    interactive: Mapped[dict | None] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent, refused, failed
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class SavedReply(Base):
    """A saved reply: a text with `{name}`-style fields filled from the customer when it is used. Workspace-wide
    (`owner_id` empty, managed by admins) or a member's own."""

    __tablename__ = "saved_replies"
    __table_args__ = (UniqueConstraint("team_id", "owner_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    owner_id: Mapped[str] = mapped_column(String(32), default="")  # "" workspace-wide, else the member's user id
    name: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AwayHours(Base):
    """`/meta hours`: the opening hours and away message of one business number, Page or Instagram account, for
    the workspace that set them (another workspace connecting the same asset starts without)."""

    __tablename__ = "away_hours"
    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    business_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # phone_number_id, Page or IG account id
    platform: Mapped[str] = mapped_column(String(16))  # whatsapp, messenger, instagram
    enabled: Mapped[bool] = mapped_column(default=False)
    tz: Mapped[str] = mapped_column(String(64))  # IANA name the hours are read in
    weekly: Mapped[dict] = mapped_column(JSON, default=dict)  # "0".."6" (Monday first) -> [[start, end]] minutes
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)  # local dates, YYYY-MM-DD
    message: Mapped[str] = mapped_column(Text, default="")
    template_id: Mapped[str | None] = mapped_column(String(64))  # WhatsApp: sent instead when the window is closed
    updated_by: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class HistorySync(Base):
    """A business number onboarded from the WhatsApp Business app (coexistence): what Meta sent of its chat history
    (`history` webhooks: phase, progress, chunks; or that the business declined), the notes posted about it, and its
    import into Slack, which only an admin starts (`/meta history import`)."""

    __tablename__ = "history_syncs"
    business_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the number's phone_number_id
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    waba_id: Mapped[str | None] = mapped_column(String(64))
    display_number: Mapped[str | None] = mapped_column(String(32))
    phase: Mapped[int | None]  # highest phase received: 0 (day 0-1), 1 (day 1-90), 2 (day 90-180)
    progress: Mapped[int | None]  # highest progress received, percent (100: Meta sent everything)
    chunks: Mapped[int] = mapped_column(default=0)  # history webhooks received
    noted_at: Mapped[datetime | None]  # the "history available" note was posted
    declined_at: Mapped[datetime | None]  # the business declined to share (the note was posted)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    import_state: Mapped[str | None] = mapped_column(String(16))  # None (never asked), importing, done
    import_by: Mapped[str | None] = mapped_column(String(32))  # the admin who started it
    import_channel: Mapped[str | None] = mapped_column(String(32))  # where its posts and progress go
    progress_ts: Mapped[str | None] = mapped_column(String(32))  # the progress message (chat.update)
    progress_at: Mapped[datetime | None]  # its last update
    import_started_at: Mapped[datetime | None]
    import_done_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class HistoryMessage(Base):
    """One message of a number's WhatsApp Business app history, as Meta sent it, kept until imported into Slack
    (once per message id, whatever Meta redelivers). `batch` names the post it is imported in, chosen before that
    post, so an import resumed after a crash posts the same batch once (its dedupe key) and nothing twice."""

    __tablename__ = "history_messages"
    __table_args__ = (UniqueConstraint("business_id", "message_id"),
                      Index("ix_history_messages_queue", "business_id", "imported_at", "thread", "sent_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(255))
    thread: Mapped[str] = mapped_column(String(64))  # the customer's phone (Meta's thread id)
    outgoing: Mapped[bool] = mapped_column(default=False)  # sent by the business from the app
    sent_at: Mapped[datetime]
    data: Mapped[dict] = mapped_column(JSON)
    batch: Mapped[str | None] = mapped_column(String(64))
    imported_at: Mapped[datetime | None] = mapped_column(index=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ConversationState(Base):
    """A customer thread's conversation, kept on its root: open, waiting on the customer, snoozed, resolved; who
    claimed it; the last change (what, by whom, when); and the times its metrics and queues are made of."""

    __tablename__ = "conversation_states"
    __table_args__ = (UniqueConstraint("channel_id", "root_ts"),
                      Index("ix_conversation_states_team_status", "team_id", "status"))
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    root_ts: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # open, waiting (on the customer), snoozed, resolved
    owner: Mapped[str | None] = mapped_column(String(32))  # the Slack user who claimed it (or was assigned it)
    snoozed_until: Mapped[datetime | None] = mapped_column(index=True)
    change: Mapped[str] = mapped_column(String(16))  # what changed it last: claimed, resolved, customer, …
    changed_by: Mapped[str | None] = mapped_column(String(32))  # the Slack user; None: the customer or the app
    changed_at: Mapped[datetime]
    opened_at: Mapped[datetime]  # the current open period began (first message, or reopened)
    first_response_at: Mapped[datetime | None]  # the team's first reply in the current open period
    waiting_since: Mapped[datetime | None]  # the customer's oldest message not answered yet
    last_customer_at: Mapped[datetime | None]  # the customer's last message (the 24-hour window counts from it)


class CustomerPost(Base):
    """A Slack post showing a customer's message: Meta's id for it, so a member's reaction there reaches it."""

    __tablename__ = "customer_posts"
    __table_args__ = (UniqueConstraint("channel_id", "slack_ts"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    slack_ts: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str] = mapped_column(String(32))  # the customer thread's root
    message_id: Mapped[str] = mapped_column(String(255))  # WhatsApp wamid, Messenger mid
    reaction: Mapped[str | None] = mapped_column(String(64))  # the emoji the business shows on it at Meta now
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ConversationTiming(Base):
    """One conversation's first-response or resolve time, for `/meta metrics` per day."""

    __tablename__ = "conversation_timings"
    __table_args__ = (Index("ix_conversation_timings_team_at", "team_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # first_response, resolve
    seconds: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime]


class Campaign(Base):
    """`/meta campaign`: one approved template sent from one business number to the customers of a file. Its state:
    draft (checked, not confirmed), approval (waiting for a second admin), scheduled, sending, paused, cancelled,
    done."""

    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(120))
    created_by: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))  # where it was started: progress, approval, report
    phone_number_id: Mapped[str] = mapped_column(String(64))
    template_id: Mapped[str] = mapped_column(String(64))
    template_name: Mapped[str] = mapped_column(String(512))
    language: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="draft")
    send_at: Mapped[datetime | None] = mapped_column()  # None: as soon as confirmed (and approved)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)  # what the check found: counts, estimate, limit
    decided_by: Mapped[str | None] = mapped_column(String(32))  # the second admin who approved or rejected it
    reason: Mapped[str | None] = mapped_column(Text)  # why it paused or stopped, in words
    progress_ts: Mapped[str | None] = mapped_column(String(32))  # the live progress message in channel_id
    # Replies (campaigns/replies.py): the channel picked for them (None: channel_id), how many overflow channels
    # spread new conversations (0: none) and their ids once created (campaigns/reply_channels.py), in order
    reply_channel_id: Mapped[str | None] = mapped_column(String(32))
    overflow: Mapped[int] = mapped_column(default=0, server_default="0")
    overflow_channels: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    # rows held back over the messaging limit (campaigns.hold) go when its rolling 24 hours make room, at this time
    held_until: Mapped[datetime | None] = mapped_column()
    reported_at: Mapped[datetime | None] = mapped_column()  # the final report was posted (once)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CampaignRecipient(Base):
    """One row of a campaign's file, sent at most once: pending, claimed (a worker is sending it), then sent,
    failed (Meta refused: `error`) or unknown (the send's outcome was lost: never sent again); held (over the
    messaging limit: pending again when it makes room) or cancelled (held, then dropped by an admin). `status`
    follows Meta's statuses of the sent message (sent, delivered, read, failed)."""

    __tablename__ = "campaign_recipients"
    __table_args__ = (UniqueConstraint("campaign_id", "line"), Index("ix_campaign_recipients_state",
                                                                     "campaign_id", "state"),
                      Index("ix_campaign_recipients_phone", "phone"), Index("ix_campaign_recipients_bsuid", "bsuid"))
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    line: Mapped[int] = mapped_column()  # its line in the file
    phone: Mapped[str | None] = mapped_column(String(32))
    bsuid: Mapped[str | None] = mapped_column(String(160))
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    message_id: Mapped[str | None] = mapped_column(String(255), index=True)  # Meta's wamid once sent
    status: Mapped[str | None] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[int | None] = mapped_column()  # Meta's code when it refused the send
    replied: Mapped[bool] = mapped_column(default=False)
    sent_at: Mapped[datetime | None] = mapped_column()
    # what Meta charges for it, as its statuses say (integrations.meta.pricing): regular or free_…; its category
    pricing_type: Mapped[str | None] = mapped_column(String(32))
    pricing_category: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
