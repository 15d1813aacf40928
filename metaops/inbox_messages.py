"""What people read about working a conversation: the root's state line and buttons, refusals, thread notes, the
queues (`/meta inbox`, the Home tab) and the reactions sent to customers. Kept apart from messages.py, whose
texts are the rest of the app's."""

# The root's state line: the state, then who changed it and when (Slack shows the time in the reader's zone).
STATE_OPEN = ":large_green_circle: *Open*, unclaimed"
STATE_CLAIMED = ":bust_in_silhouette: *Claimed by <@{owner}>*"
STATE_WAITING = ":hourglass_flowing_sand: *Waiting on the customer*"
STATE_WAITING_OWNER = ":hourglass_flowing_sand: *Waiting on the customer* (claimed by <@{owner}>)"
STATE_SNOOZED = ":zzz: *Snoozed until {until}*"
STATE_RESOLVED = ":white_check_mark: *Resolved*"
STATE_BY = "{what} by <@{user}> {when}"
STATE_BY_APP = "{what} {when}"
STATE_WHEN = "<!date^{ts}^{{date_short_pretty}} {{time}}|{fallback} UTC>"
# the root's cost line (conversation/cost_root.py)
COST_ROOT_PAID = (":moneybag: So far Meta bills *{paid}* message(s) of this conversation ({categories})"
                  "{estimate}{unpriced}{free}")
COST_ROOT_ESTIMATE = ", about {cost} (rate card)"
COST_ROOT_UNPRICED = "; part of it not on the rate card"
COST_ROOT_AND_FREE = " · {free} free"
COST_ROOT_FREE = ":free: So far Meta bills nothing in this conversation ({free} free message(s))"
CHANGES = {  # the last change, as the line says it
    "opened": "opened", "claimed": "claimed", "assigned": "assigned", "resolved": "resolved", "reopened": "reopened",
    "snoozed": "snoozed", "customer": "reopened by the customer's message", "snooze_ended": "reopened: snooze ended",
}

BUTTON_CLAIM = "Claim"
BUTTON_RESOLVE = "Resolve"
BUTTON_REOPEN = "Reopen"
ASSIGN_PLACEHOLDER = "Assign to…"
SNOOZE_PLACEHOLDER = "Snooze…"
SNOOZE_HOUR = "1 hour"
SNOOZE_TOMORROW = "Until tomorrow 9:00"
SNOOZE_PICK = "Pick a time…"
SNOOZE_MODAL_TITLE = "Snooze conversation"
SNOOZE_MODAL_LABEL = "Snooze until"
SNOOZE_MODAL_SUBMIT = "Snooze"
SNOOZE_PAST = "Pick a time in the future."
SNOOZE_TOO_FAR = "Pick a time within {days} days."

# answers to the member who pressed or reacted (ephemeral)
NOT_A_CONVERSATION = "This is not a customer conversation the app knows (or it is another workspace's)."
GUEST_REFUSED = "Guests from another organisation (Slack Connect) can't change a customer conversation."
ALREADY_CLAIMED = "<@{owner}> claimed this conversation first."
ASSIGN_ADMINS = "Only admins can assign a conversation to someone; use Claim to take it yourself."
NOTHING_TO_DO = "Nothing changed: the conversation is {status} already."

# thread notes
NOTE_REOPENED = ":leftwards_arrow_with_hook: The customer wrote again: this conversation is open again."
NOTE_SNOOZE_ENDED = ":alarm_clock: The snooze ended: this conversation is open again."
NOTE_CLAIMED_BY_REPLY = "<@{user}> answered first and now holds this conversation."

# queues
INBOX_TITLE = "*Your inbox*"
INBOX_MINE = "*Claimed by you* ({count})"
INBOX_UNCLAIMED = "*Unclaimed, waiting longest*"
INBOX_NONE_MINE = "Nothing claimed by you."
INBOX_NONE_UNCLAIMED = "No unclaimed conversation is waiting."
INBOX_LINE = "• {link} — {status}{waiting}{window}"
INBOX_LINK = "<{url}|conversation in #{channel}>"
INBOX_NO_LINK = "a conversation in <#{channel}>"
INBOX_WAITING = ", waiting since <!date^{ts}^{{date_short_pretty}} {{time}}|{fallback}>"
INBOX_WINDOW = ", reply window {left} left"
INBOX_WINDOW_CLOSED = ", reply window closed"
HOME_INBOX = "Inbox"

# reactions sent to customers
REACTION_NOT_SENT = "Your :{name}: reaction was not sent to the customer: {reason}"
REACTION_NO_EMOJI = "it is not an emoji the customer's app knows (a custom Slack emoji)"
REACTION_PLATFORM = "{platform} does not take reactions from the app"

# /meta metrics
METRICS_INBOX_TITLE = "*Conversations* (first response and time to resolve, median per day, minutes)"
METRICS_INBOX_EMPTY = "No conversation was answered or resolved in the last {days} days."
CHART_TIMINGS_TITLE = "Median first response and time to resolve, last {days} days"
CHART_FIRST_RESPONSE = "First response"
CHART_RESOLVE = "Time to resolve"
CHART_MINUTES_AXIS = "minutes (median)"
CHART_TIMINGS_ALT = ("Line chart of median minutes per day from {first} to {last}: first response {first_response}; "
                     "time to resolve {resolve}.")
