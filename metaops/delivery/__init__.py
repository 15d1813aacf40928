"""Delivery: stored webhook events queued on Redis, drained by RQ jobs, routed and rendered into Slack posts."""
