"""The `socket` process (`python -m metaops.socket_mode`): Slack's traffic over Socket Mode, with Bolt's own handler.

With SLACK_APP_TOKEN set, Slack sends commands, interactivity and events over a WebSocket this process opens
(`apps.connections.open`), so Slack needs no public URL; POST /slack/events stays for deployments that have one.
One connection set per deployment: the process holding the lead (`leader.py`, a Redis lease) connects, any other
stands by and takes over within SOCKET_LEADER_TTL when it dies. Slack's client reconnects by itself when the
WebSocket drops. An event Slack redelivers (its event id) or an envelope seen twice is acked and not handled again
(`envelopes.py`)."""
