"""Where webhook items go: the owner of an asset, the channel for a kind, a contact's thread.

A Router lives for one batch of events: what it reads once it keeps, so a batch of 50 events to one
channel costs one lookup of each instead of fifty. Route changes apply from the next batch on.
"""

from __future__ import annotations

from collections.abc import Callable

from redis import Redis
from sqlalchemy import Engine

from integrations.meta.payload import Person
from integrations.slack.errors import NoChannel
from metaops.away import config as away_config
from metaops.campaigns import replies
from metaops.conversation import pace
from metaops.runtime import Runtime
from store import customers, threads, workspaces
from store.customers import Identity, Seen
from store.models import NotificationRoute


class Router:
    def __init__(self, engine: Engine, redis: Redis | None = None, pace: tuple[float, int] | None = None,
                 held: Callable[[str, str], int] | None = None) -> None:
        """`redis` with `pace`: (posts per second, burst) per channel (pace.py), each post taking a token first;
        `held`: seconds a (team, channel) must wait before posting (0: none), asked once per channel (the
        delivery's holds per Slack channel)."""
        self.engine = engine
        self.redis = redis
        self.held = held
        self.pace = pace if pace and pace[0] > 0 else None
        self._held: dict[tuple[str, str], int] = {}
        self._owners: dict[str, str | None] = {}
        self._channels: dict[tuple[str, str], str | None] = {}
        self._roots: dict[tuple[str, str, str], str] = {}
        self._names: dict[str, str] = {}
        self._customers: dict[tuple[str, str | None, str | None], int] = {}  # (business, BSUID, phone) -> id
        self._known: dict[int, Identity] = {}  # customer id -> the customer as the batch knows them
        self._away: dict[tuple[str, str], away_config.Setting | None] = {}  # (team, asset) -> its away settings
        self._places: dict[tuple[str, str, str], replies.Place] = {}  # (team, business, contact) -> its thread's
        self._campaigns: dict[str, replies.Activity] = {}  # business number -> what its campaigns allow
        self.posting: list[str] = []  # the keys of the items the next delivery post shows (delivery/landed.py)

    def owner_of(self, asset_id: str) -> str | None:
        if asset_id not in self._owners:
            self._owners[asset_id] = workspaces.owner_of(self.engine, asset_id)
        return self._owners[asset_id]

    def channel(self, team_id: str, kind: str) -> str:
        channel = self._route(team_id, kind)
        if not channel:
            raise NoChannel(f"no channel for {kind} in team {team_id}")
        return self._open(team_id, channel)

    def thread_channel(self, team_id: str, kind: str, business_id: str, contact: str | None) -> str:
        """The channel of a contact's thread. A WhatsApp customer's is where their thread is, else where a
        campaign's reply opens it (campaigns/replies.py), else the channel of `kind`, as for everyone else."""
        if kind != "messages" or not contact or not contact.startswith(customers.THREAD_PREFIX):
            return self.channel(team_id, kind)
        key = (team_id, business_id, contact)
        if key not in self._places:
            usual = self._route(team_id, kind)
            found = None
            if not (usual and self.root(business_id, contact, usual)):
                found = replies.place(self.engine, team_id, business_id, contact, self.campaigns(business_id))
            self._places[key] = found or replies.Place(usual)
        channel = self._places[key].channel
        if not channel:
            raise NoChannel(f"no channel for {kind} in team {team_id}")
        return self._open(team_id, channel)

    def campaigns(self, business_id: str) -> replies.Activity:
        """What the number's campaigns allow (campaigns/replies.py), asked once per batch."""
        if business_id not in self._campaigns:
            self._campaigns[business_id] = replies.activity(self.engine, business_id)
        return self._campaigns[business_id]

    def _route(self, team_id: str, kind: str) -> str | None:
        if (team_id, kind) not in self._channels:
            self._channels[(team_id, kind)] = workspaces.channel_for(self.engine, team_id, kind)
        return self._channels[(team_id, kind)]

    def _open(self, team_id: str, channel: str) -> str:
        """The channel, when posts may go to it now; else ChannelHeld."""
        if self.held is not None:
            if (team_id, channel) not in self._held:
                self._held[(team_id, channel)] = self.held(team_id, channel)
            if self._held[(team_id, channel)]:
                raise pace.ChannelHeld(team_id, channel, self._held[(team_id, channel)])
        return channel

    def take_slot(self, team_id: str, channel: str) -> None:
        """One post's token of the channel's pace, taken right before each chat.postMessage; none now:
        ChannelHeld until the next one (and the rest of the batch's items for the channel wait without asking)."""
        if self.redis is None or self.pace is None:
            return
        wait = pace.take(self.redis, team_id, channel, *self.pace)
        if wait:
            self._held[(team_id, channel)] = pace.hold_seconds(wait)
            raise pace.ChannelHeld(team_id, channel, self._held[(team_id, channel)], paced=True)

    def mark_held(self, team_id: str, channel: str, wait: int) -> None:
        """Slack just rate-limited this channel: later items of the batch for it wait too."""
        self._held[(team_id, channel)] = wait

    def root(self, business_id: str, contact: str, channel: str, cached: bool = True) -> str | None:
        """The thread root ts; `cached=False` reads the database (under the thread lock)."""
        key = (business_id, contact, channel)
        if not cached or key not in self._roots:
            ts = threads.root_ts(self.engine, business_id, contact, channel)
            if ts is None:
                return None  # not cached: another worker may create it
            self._roots[key] = ts
        return self._roots[key]

    def remember_root(self, team_id: str, business_id: str, contact: str, channel: str, ts: str,
                      platform: str = "whatsapp") -> None:
        placed = self._places.get((team_id, business_id, contact))
        campaign_id = placed.campaign_id if placed is not None and placed.channel == channel else None
        threads.remember(self.engine, team_id, business_id, contact, channel, ts, platform, campaign_id)
        self._roots[(business_id, contact, channel)] = ts

    def asset_name(self, asset_id: str) -> str:
        """A Page's name or an Instagram account's username, for posts."""
        if asset_id not in self._names:
            self._names[asset_id] = workspaces.asset_name(self.engine, asset_id) or asset_id
        return self._names[asset_id]

    def customer(self, business_id: str, person: Person) -> Identity | None:
        """The WhatsApp customer an item names (created or completed from it); None when it names nobody."""
        key = (business_id, person.bsuid, person.phone)
        if key not in self._customers:
            seen = Seen(bsuid=person.bsuid, phone=person.phone, parent_bsuid=person.parent_bsuid,
                        username=person.username, profile_name=person.name)
            if seen.empty:
                return None
            found = customers.resolve(self.engine, business_id, seen)
            self.remember_customer(found)
            self._customers[key] = found.id
        return self._known[self._customers[key]]

    def customer_of(self, contact: str) -> Identity | None:
        """The customer of a WhatsApp thread key, as the batch knows them (read once); None for any other key or
        a customer no longer stored."""
        customer_id = customers.id_of(contact)
        if customer_id is None:
            return None
        if customer_id not in self._known:
            found = customers.get(self.engine, customer_id)
            if found is None:
                return None
            self.remember_customer(found)
        return self._known[customer_id]

    def remember_customer(self, customer: Identity) -> None:
        """The customer as stored now (read, or just changed by this batch): what later items of the batch see."""
        self._known[customer.id] = customer

    def forget_customers(self) -> None:
        """After an identity change: later items of the batch read customers afresh."""
        self._customers.clear()
        self._known.clear()

    def away(self, team_id: str, business_id: str) -> away_config.Setting | None:
        """The asset's away settings (away/config.py), read once per batch."""
        if (team_id, business_id) not in self._away:
            self._away[(team_id, business_id)] = away_config.setting(self.engine, team_id, business_id)
        return self._away[(team_id, business_id)]


KINDS = workspaces.KINDS  # the kinds of notification `/meta route` sends to a channel of their own


def set_route(rt: Runtime, team_id: str, kind: str, channel_id: str) -> None:
    """`/meta route KIND CHANNEL`: notifications of `kind` go to `channel_id` from the next batch on."""
    with rt.db.session() as s:
        workspaces.ensure_workspace(s, team_id)
        r = s.get(NotificationRoute, (team_id, kind)) or NotificationRoute(team_id=team_id, kind=kind)
        r.channel_id = channel_id
        s.add(r)


def routes(rt: Runtime, team_id: str) -> list[tuple[str, str | None]]:
    """`/meta routes`: each kind with the channel it goes to (its route, else where `/meta connect` was run; None:
    nowhere yet)."""
    return [(kind, workspaces.channel_for(rt.db.engine, team_id, kind)) for kind in KINDS]
