"""Which `socket` process is connected to Slack: a Redis lease. The holder renews it every SOCKET_LEADER_RENEW
seconds; it lapses SOCKET_LEADER_TTL seconds after the holder stops (killed, Redis lost), and a standby process
takes it. So a deployment keeps one connection set however many `socket` processes run."""

from __future__ import annotations

import os
import socket
import uuid

from redis import Redis

KEY = "metaops:socket_mode:leader"
# Renew (ARGV[2] ms) or take the lease when it is free or ours (ARGV[1]); delete it when ARGV[2] is 0. 1: ours.
_HOLD = """
local v = redis.call('GET', KEYS[1])
if tonumber(ARGV[2]) == 0 then
  if v == ARGV[1] then redis.call('DEL', KEYS[1]) end
  return 0
end
if v == false or v == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""


class Leader:
    def __init__(self, redis: Redis, ttl: float, key: str = KEY) -> None:
        self.redis, self.ttl, self.key = redis, ttl, key
        self.name = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"

    def hold(self) -> bool:
        """Take or renew the lead; True while this process has it. Raises RedisError when Redis does not answer."""
        return bool(self.redis.eval(_HOLD, 1, self.key, self.name, int(self.ttl * 1000)))

    def release(self) -> None:
        self.redis.eval(_HOLD, 1, self.key, self.name, 0)

    def holder(self) -> str | None:
        value = self.redis.get(self.key)
        return value.decode() if isinstance(value, bytes) else value
