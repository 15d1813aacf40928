"""Our own pace per Slack channel: a token bucket per (team, channel) in Redis, shared by every worker.

Slack accepts about one chat.postMessage per second per channel (short bursts tolerated). Rather than learn
that from 429s, a post first takes a token; when the channel has none, its event waits on the channel's parked
list (holds.py) for a short hold until the next token, and the release job takes the parked events up at the
channel's pace, posting the waiting messages of one customer thread together (drain.release_channel).
"""

from __future__ import annotations

import math

from redis import Redis

# KEYS[1]: the bucket (a hash: tokens, at). ARGV: rate (tokens/s), burst (tokens), n (tokens wanted).
# Returns 0 when the n tokens were taken, else the milliseconds until they will be there (nothing taken).
# Redis's own clock (TIME) is every worker's clock, so hosts with skewed clocks share one pace.
_TAKE = """
local rate, burst, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local s = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(s[1]), tonumber(s[2])
if tokens == nil or at == nil then tokens, at = burst, now end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= n then tokens = tokens - n else wait = math.ceil((n - tokens) / rate * 1000) end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'at', string.format('%.6f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return wait
"""


def _key(team_id: str, channel: str) -> str:
    return f"metaops:pace:{{{team_id}:{channel}}}"


def take(r: Redis, team_id: str, channel: str, rate: float, burst: int, n: int = 1) -> float:
    """Take `n` tokens (at most `burst`) for one post to the channel. 0: post now; else the seconds until the
    channel has them (nothing was taken). A rate of 0 or less: no pacing."""
    if rate <= 0:
        return 0.0
    n = max(1, min(n, burst))
    return int(r.eval(_TAKE, 1, _key(team_id, channel), rate, burst, n)) / 1000


def hold_seconds(wait: float) -> int:
    """A token wait as the whole seconds a parked event is held (at least 1)."""
    return max(1, math.ceil(wait))


class ChannelHeld(Exception):
    """An item is bound for a channel that Slack rate-limited: its event waits for the channel."""

    def __init__(self, team_id: str, channel: str, wait: int, paced: bool = False) -> None:
        why = "is ahead of our pace for" if paced else "rate limited"
        super().__init__(f"Slack {why} channel {channel} of team {team_id}: its posts wait {wait}s")
        self.team_id, self.channel, self.wait, self.paced = team_id, channel, wait, paced
        self.thread: str | None = None  # the one customer thread the event posts in, when it has one
        self.joinable = False  # the event is one plain customer message: it may be posted with its thread's others
