"""Every text a user sees in Slack, in one place."""

from __future__ import annotations

from datetime import datetime

from integrations.meta.oauth import Discovered

HELP = """*MetaOps* runs your Meta business channels from Slack. Commands:
• `/meta help` — this list
• `/meta connect` — connect the Meta business account (this channel gets notifications)
• `/meta status` — connection, token expiry, permissions, assets, webhook state
• `/meta refresh` — refresh the long-lived token
• `/meta disconnect` — forget the Meta connection and its tokens
• `/meta whatsapp` — the WhatsApp Business Account and its numbers
• `/meta templates [STATUS] [CATEGORY]` — WhatsApp message templates
• `/meta template new` | `template edit NAME` | `template delete NAME`
• `/meta metrics [DAYS]` — WhatsApp sent, delivered and read counts
• `/meta pages` | `page connect PAGE_ID` | `posts [PAGE_ID]` | `post`
• `/meta instagram` | `instagram connect IG_ID` | `media [IG_ID]`
• `/meta webhook` | `webhook configure`
• `/meta route KIND CHANNEL` | `routes` — KIND is messages, templates, alerts, facebook or instagram
• `/meta replies on|off` — send team members' replies in customer threads to the customer, or not
• `/meta admins` | `admins add @user` | `admins remove @user`"""

UNKNOWN = "I don't know `/meta {word}`.\n\n" + HELP

# Notifications. Customer text is escaped before it is put in these.
WA_MESSAGE = "{who}: {body}"
WA_FAILED = ":warning: WhatsApp message to {recipient} failed: {code} {title}{details}"
UNKNOWN_CONTACT = "Unknown contact"
WA_APP_ECHO = ":iphone: Sent from the WhatsApp Business app: {body}"
WA_MARKETING_STOP = (":no_bell: {who} asked to stop marketing messages. Marketing templates will not be sent to "
                     "them until they opt back in.")
WA_MARKETING_RESUME = ":bell: {who} opted back in to marketing messages."
WA_CHANGED_ID = ":arrows_counterclockwise: This customer's WhatsApp account changed; the thread continues here."

# Descriptions of WhatsApp messages that are not plain text.
WA_TYPES = {
    "image": ":frame_with_picture: Image",
    "video": ":movie_camera: Video",
    "audio": ":sound: Audio",
    "voice": ":sound: Voice message",
    "document": ":page_facing_up: Document",
    "sticker": ":sticky_note: Sticker",
    "location": ":round_pushpin: Location",
    "contacts": ":bust_in_silhouette: Contact card",
    "interactive": ":point_right: Reply",
    "button": ":point_right: Button",
    "reaction": "Reaction",
    "order": ":shopping_trolley: Order",
    "system": ":gear: System message",
    "unsupported": ":grey_question: Unsupported message",
}

# Connecting Meta (/meta connect and the OAuth callback).
CONNECT_PROMPT = ("Connect your Meta business account: the button opens Meta's consent screen. This channel "
                  "will get notifications until you route them elsewhere. The link works once, for 10 minutes.")
CONNECT_BUTTON = "Connect Meta"
CONNECT_NOT_CONFIGURED = "Meta is not configured yet: set META_APP_ID and META_APP_SECRET (see the setup page)."
CONNECT_OK_TITLE = "Connected"
CONNECT_OK_PAGE = "Your Meta business account is connected. You can close this tab and go back to Slack."
CONNECT_FAILED_TITLE = "Not connected"
CONNECT_DENIED = "Meta was not connected: consent was not given. Run `/meta connect` to try again."
CONNECT_GRAPH_FAILED = "Meta was not connected: {reason}. Run `/meta connect` to try again."
CONNECT_STATE_PAGE = {
    "forged": "This link is not valid. Start again from Slack with /meta connect.",
    "expired": "This link has expired (links work for 10 minutes). Start again from Slack with /meta connect.",
    "reused": "This link was used already. Start again from Slack with /meta connect.",
    # The state is not bound to this browser: say nothing about it, only what the right person does.
    "browser": ("This browser did not start this connection. Open the Connect button from Slack in this "
                "browser, or start again with /meta connect."),
    "started": ("This Connect button was already opened in another browser; each one works in one browser only. "
                "Start again from Slack with /meta connect."),
}
CONNECT_STATE_TEXT = {
    "forged": CONNECT_STATE_PAGE["forged"],
    "expired": "Meta was not connected: the link expired. Run `/meta connect` for a new one.",
    "reused": "Meta was not connected: that link was used already. Run `/meta connect` for a new one.",
}
NOT_CONNECTED = "Meta is not connected. A workspace admin can run `/meta connect`."
CONNECTION_BROKEN = ("The Meta connection is {status}: Meta no longer accepts its token. "
                     "A workspace admin can run `/meta connect` to connect again.")
NOT_ALLOWED = ("Only workspace admins and owners, and the people they add with `/meta admins add @user`, "
               "can change the Meta connection, templates, posts, webhooks or routes.")
WORKING = ":hourglass_flowing_sand: Working on it…"
FAILED = "Something went wrong on our side (reference {ref}). Nothing was changed; please try again."
META_REFUSED = "Meta refused: {reason}"

# Token lifecycle.
EXPIRY_ALERT = (":warning: The Meta token expires in {days} day(s) and Meta would not extend it. "
                "A workspace admin should run `/meta connect` to keep notifications and replies working.")
REFRESH_FAILED_ALERT = (":warning: Refreshing the Meta token failed ({reason}); it expires in {days} day(s). "
                        "A workspace admin should run `/meta connect`.")
TOKEN_INVALID_ALERT = (":rotating_light: The Meta connection is {status}: {reason}. "
                       "A workspace admin should run `/meta connect` to connect again.")
REFRESHED = "The Meta token was refreshed; it now expires {expiry}."
DISCONNECTED = "Meta was disconnected: its tokens and assets were forgotten here."
NOTHING_TO_DISCONNECT = "Meta was not connected."

# Assets two workspaces connect (a WhatsApp Business Account, a Page or an Instagram account is one workspace's).
ASSET_LABELS = {"whatsapp": "WhatsApp Business Account {name}", "page": "Page {name}",
                "instagram": "Instagram account {name}"}
ASSET_KEPT = ("{asset}: another Slack workspace ({workspace}) has it connected and its Meta connection still "
              "reaches it, so it stays there. To have it here, ask {person} to take it out of that connection "
              "(remove their access to it at Meta, or `/meta disconnect` there), then run `/meta connect` here again.")
ASSET_HOLDER_PERSON = "{name} (the Meta user who connected it there; Slack user {user} of that workspace)"
ASSET_UNSURE = ("{asset}: another Slack workspace ({workspace}) has it connected, and Meta did not say whether that "
                "connection still reaches it ({reason}), so it stays there for now. Run `/meta connect` again later.")
ASSET_MOVED_HERE = ("• Moved here: {asset}. Another Slack workspace had it, but its Meta connection no longer "
                    "reaches it (they were told).")
ASSET_MOVED_ALERT = (":arrow_right: {asset} moved to another Slack workspace that connected it: this workspace's "
                     "Meta connection no longer reaches it at Meta. Its customers' messages now go there. If it "
                     "belongs here, give the Meta account connected here access to it again at Meta.")
ASSET_RELEASED_ALERT = (":warning: {asset} was let go: this workspace's Meta connection no longer reaches it at "
                        "Meta, so its customers' messages no longer come here. If it belongs here, give the Meta "
                        "account connected here access to it at Meta and run `/meta connect` again.")


def asset_label(kind: str, name: str | None, asset_id: str) -> str:
    if kind == "instagram" and name:
        name = f"@{name}"
    return ASSET_LABELS[kind].format(name=name or asset_id)

# Admins.
ADMINS_LIST = "Besides workspace admins and owners, these people may change things: {users}"
ADMINS_NONE = "Only workspace admins and owners may change things. Add someone with `/meta admins add @user`."
ADMIN_ADDED = "<@{user}> may now change the Meta connection, templates, posts, webhooks and routes."
ADMIN_REMOVED = "<@{user}> may no longer change things (unless they are a workspace admin or owner)."
ADMIN_USAGE = "Mention the person: `/meta admins add @user` or `/meta admins remove @user`."


def expiry(when: datetime | None) -> str:
    return f"on {when:%Y-%m-%d %H:%M} UTC" if when else "never"


def connect_summary(found: Discovered, user_id: str) -> str:
    """What the channel reads once someone connected Meta."""
    lines = [f":white_check_mark: <@{user_id}> connected Meta as *{found.me.get('name', '?')}*. "
             f"This channel gets notifications. The token expires {expiry(found.expires_at)}."]
    for w in found.wabas:
        numbers = ", ".join(f"{p.get('display_phone_number')} ({p.get('verified_name')})"
                            for p in w.get("phone_numbers") or []) or "no numbers"
        lines.append(f"• WhatsApp: {w.get('name')} — {numbers}")
    if found.pages:
        lines.append("• Pages: " + ", ".join(str(p.get("name")) for p in found.pages)
                     + " (connect them with `/meta pages`)")
    ig = [p["instagram"].get("username") for p in found.pages if p.get("instagram")]
    if ig:
        lines.append("• Instagram: " + ", ".join(f"@{u}" for u in ig))
    if not found.wabas and not found.pages:
        lines.append("• Meta showed no WhatsApp Business Account or Page to this app: check what was shared.")
    for problem in found.problems:
        lines.append(f"• Left out: {problem}")
    return "\n".join(lines)

# Templates.
TEMPLATE_EDIT_NOTE = ("Editing *{name}* ({language}). Meta lets only APPROVED, REJECTED or PAUSED templates "
                      "be edited, and not their name or language; an edited template goes back to review.")
TEMPLATE_SUBMITTED = ":outbox_tray: Template *{name}* ({language}) was submitted to Meta and is PENDING review. "\
    "Its approval or rejection will be posted in the templates channel."
TEMPLATE_EDITED = ":pencil2: Template *{name}* was edited at Meta and is back in review."
TEMPLATE_NOT_FOUND = "No template named `{name}` here. `/meta templates` lists them."
TEMPLATE_ID_NOT_FOUND = "That template is not one of this workspace's. `/meta templates` lists them."
TEMPLATE_NOT_EDITABLE = ("Template *{name}* is {status}: Meta lets only APPROVED, REJECTED or PAUSED templates be "
                         "edited. Wait for its review to finish, or create a new one with `/meta template new`.")
TEMPLATE_USAGE = "Use `/meta template new`, `/meta template edit NAME` or `/meta template delete NAME`."
TEMPLATE_DELETE_CONFIRM = "Delete template *{name}* (every language) at Meta? Messages can no longer use it."
TEMPLATE_DELETED = ":wastebasket: Template *{name}* was deleted at Meta."
TEMPLATES_FILTER_ERROR = ("I don't know `{word}`. Filter by status ({statuses}) and/or category "
                          "(MARKETING, UTILITY, AUTHENTICATION), e.g. `/meta templates APPROVED MARKETING`.")
TEMPLATES_NONE = "No templates match. Create one with `/meta template new`."

# Metrics.
METRICS_USAGE = "Use `/meta metrics [DAYS]` with DAYS from 1 to {max} (7 when left out)."
METRICS_TITLE = "*WhatsApp messages, last {days} day(s)* (UTC days)"
METRICS_TOP = "Most sent template: *{name}* ({sent} sent)"

# Notifications beyond WhatsApp messages.
UNSUPPORTED_EVENT = ":grey_question: Meta sent a kind of event this app does not show yet: `{kind}` (kept; "\
    "later ones of this kind are kept without a note)."
WA_ACCOUNT_UPDATE = ":office: WhatsApp account update ({field}): {what}"
WA_PHONE_QUALITY = ":signal_strength: Number {number}: quality {event}{limit}"
WA_NUMBER_ERROR = ":warning: WhatsApp error for number {number}: {code} {title}"
FB_DM = "{who} → {page}: {body}"
FB_POSTBACK = "{who} → {page} pressed *{title}*"
FB_FEED = ":speech_balloon: {page}: {what} by {who}: {body}"
IG_DM = "{who} → @{account}: {body}"
IG_COMMENT = ":speech_balloon: @{account}: comment by {who} on {media}: {body}"
IG_MENTION = ":mega: @{account} was mentioned in {what}"
MEDIA_TOO_LARGE = ":paperclip: The {kind} is {size} MB, over the {limit} MB this app uploads; open it in WhatsApp."
MEDIA_FAILED = ":paperclip: The {kind} could not be fetched from Meta: {reason}"

# Replies from threads.
REPLY_FAILED = ":x: Not sent to the customer: {reason}"
REPLY_WINDOW = ("WhatsApp only lets a business send free-form messages within 24 hours of the customer's last "
                "message. To write after that, send an approved template (see `/meta templates`).")
REPLIES_OFF = "Replies from Slack are off in this workspace (alerts-only mode): your message was not sent."
REPLY_NO_ASSET = "This customer's {platform} account is no longer connected here, so the reply was not sent."
REPLY_GUEST = (":information_source: Messages in this thread from people of other Slack workspaces (Slack "
               "Connect) are not sent to the customer: only members of this workspace can reply to customers.")
REPLY_UNKNOWN = (":grey_question: Meta did not answer in time, so it is not known whether this message reached the "
                 "customer ({reason}). It was not sent again automatically, so it cannot arrive twice. {check} "
                 "If it did not arrive, press *Send again*.")
REPLY_UNKNOWN_CHECK = {
    "whatsapp": "Check whether the customer got it in WhatsApp: look in the WhatsApp Business app or Meta Business "
                "Suite for this number, or wait a minute for a delivery status here.",
    "messenger": "Check the Page's inbox in Meta Business Suite to see whether it went out.",
    "instagram": "Check the Instagram account's inbox (Meta Business Suite or the Instagram app) to see whether it "
                 "went out.",
}
REPLY_SEND_AGAIN = "Send again"
REPLY_SENDING_AGAIN = "<@{user}> pressed *Send again*: sending this message once more."
REPLY_AGAIN_NOT_ALLOWED = "Only the person who wrote this message or a MetaOps admin can send it again."
REPLY_AGAIN_NOT_WAITING = "This message is not waiting to be sent again (it is {state}): nothing was sent."
REPLY_AGAIN_GONE = "This message cannot be sent again from here."

# Routes and replies switch.
ROUTE_USAGE = "Use `/meta route KIND #channel`, KIND one of: {kinds}."
ROUTE_NO_CHANNEL = "I can't find the channel {channel}. Mention it (`#name`) so Slack links it."
ROUTE_SET = "`{kind}` notifications now go to <#{channel}>."
ROUTE_INVITE = "<#{channel}> is private: invite me there with `/invite @MetaOps`, or nothing can be posted."
ROUTE_JOIN_FAILED = "I could not join <#{channel}> ({error}); invite me there with `/invite @MetaOps`."
REPLIES_USAGE = "Use `/meta replies on` or `/meta replies off` (off: alerts-only, nothing is sent to customers)."
REPLIES_ON = "Replies from customer threads are on: a message in a customer's thread is sent to them."
REPLIES_SET_OFF = "Replies are off (alerts-only mode): messages in customer threads stay in Slack."

# Webhooks.
WEBHOOK_CONFIGURED = "*Webhook configuration saved.*"
WEBHOOK_STEP_OK = ":white_check_mark: {what}"
WEBHOOK_STEP_FAILED = ":x: {what}: {detail}"
WEBHOOK_PENDING = "State moves from pending to active when Meta's verification request reaches {url}."
WEBHOOK_TOKEN_MASKED = "`{start}…{end}` (the operator's admins see it whole)"
WEBHOOK_MODAL_OPERATOR = ("Saving subscribes the app at Meta for every workspace that uses it "
                          "(`/{app_id}/subscriptions`), then this workspace's WhatsApp Business Accounts and "
                          "connected Pages.")
WEBHOOK_MODAL_ASSETS = ("Saving subscribes this workspace's own WhatsApp Business Accounts and connected Pages to the "
                        "app (`subscribed_apps`). Which fields Meta sends to the app is the operator's setting: "
                        "{operator}")
WEBHOOK_OPERATOR_IS = "the admins of the operator's workspace change it with `/meta webhook configure` there."
WEBHOOK_OPERATOR_NONE = ("no workspace may change it from Slack (`OPERATOR_TEAM_ID` is not set), so the operator "
                         "sets it in the Meta App Dashboard (Webhooks) or sets `OPERATOR_TEAM_ID` to their "
                         "workspace's id and runs `/meta webhook configure` there.")
WEBHOOK_APP_UNCHANGED = ("The app's own webhook subscriptions at Meta were left as they are: they are the "
                         "operator's.")

# Modal submissions: acknowledged at once, sent to Meta by the worker.
MODAL_WORKING_TITLE = "Working on it"
MODAL_WORKING = ":hourglass_flowing_sand: Sending to Meta… You may close this; the outcome is also posted to you."
MODAL_DONE_TITLE = "Done"
MODAL_REFUSED = ":warning: {reason}"
MODAL_NOT_THIS_TEAM = "This form belongs to another workspace. Open it again with `/meta`."
ACTION_NOT_VALID = "That button is not valid here any more. Run the `/meta` command again."
MODAL_UNKNOWN = ("Something went wrong while talking to Meta (reference {ref}). It may or may not have been "
                 "done: check at Meta (`/meta templates` or `/meta posts`) before trying again.")

# Pages and Instagram.
PAGES_NONE = "The connection manages no Facebook Page. Share a Page with the app, then `/meta connect` again."
PAGE_CONNECTED = ":white_check_mark: Page *{name}* is connected: its messages and comments now reach Slack."
PAGE_NOT_MANAGED = "The connected account does not manage `{id}`. `/meta pages` lists the Pages it manages."
PAGE_USAGE = "Use `/meta page connect PAGE_ID` (ids are in `/meta pages`)."
POSTS_NONE = "No posts yet."
POST_PUBLISHED = ":white_check_mark: Posted on *{page}*: {link}"
POST_SCHEDULED = ":calendar: Scheduled on *{page}* for {when} UTC: {link}"
POST_NO_PAGE = "Connect a Page first: `/meta pages`."
POST_NO_MESSAGE = "Write a message."
POST_TIME = "Pick a time between 10 minutes and 30 days from now (Meta's rule for scheduled posts)."
IG_NONE = "No Instagram account is linked to a connected Page. Connect the Page first (`/meta pages`)."
IG_CONNECTED = ":white_check_mark: Instagram *@{name}* is connected: its messages, comments and mentions reach Slack."
IG_USAGE = "Use `/meta instagram connect IG_ID` (ids are in `/meta instagram`)."
MEDIA_NONE = "No media yet."
PERMISSION_MISSING = ("Meta refused because a permission is missing{scope}: {reason}. Grant it, then run "
                      "`/meta connect` again (an admin) so the app gets it.")
