"""Every text a user sees in Slack, in one place."""

from __future__ import annotations

from datetime import datetime

from integrations.meta.oauth import Discovered

HELP = """*MetaOps* runs your Meta business channels from Slack. Commands:
• `/meta help` — this list
• `/meta connect` — connect the Meta business account (this channel gets notifications)
• `/meta status` — connection, token expiry, permissions, assets, webhook state
• `/meta refresh` — refresh the long-lived token
• `/meta token` — paste a system user's token, which does not expire, in place of the login's
• `/meta disconnect` — forget the Meta connection and its tokens
• `/meta whatsapp` — the WhatsApp Business Account and its numbers
• `/meta templates [STATUS] [CATEGORY]` — WhatsApp message templates
• `/meta template new` | `template edit NAME` | `template delete NAME`
• `/meta send [+PHONE | BSUID]` — send an approved WhatsApp template (a new conversation when you name someone)
• `/meta metrics [DAYS]` — WhatsApp sent, delivered and read counts; conversations' response and resolve times
• `/meta inbox` — the conversations you claimed and the unclaimed ones waiting longest
• `/meta pages` | `page connect PAGE_ID` | `posts [PAGE_ID]` | `post`
• `/meta instagram` | `instagram connect IG_ID` | `media [IG_ID]`
• `/meta webhook` | `webhook configure`
• `/meta route KIND CHANNEL` | `routes` — KIND is messages, templates, alerts, facebook or instagram
• `/meta replies on|off` — send team members' replies in customer threads to the customer, or not
• `/meta signature on|off` — start each reply with the name of the team member who wrote it
• `/meta saved` | `saved add NAME` — saved replies: list them (edit, delete), add one
• `/meta hours` — opening hours and the away message of each business number or Page
• `/meta campaign` — send an approved WhatsApp template to a list of customers from a CSV or XLSX file
• `/meta cost [DAYS]` — what Meta's messages cost per day, number and category
• In a customer thread, a message that starts with `note:` or `//` is an internal note: never sent (:memo:)
• On a customer thread's root: Claim, Assign, Resolve, Snooze; :eyes: claims it, :white_check_mark: resolves it
• `/meta admins` | `admins add @user` | `admins remove @user`
• `/meta history` | `history import NUMBER` — a number's WhatsApp Business app history, imported into threads"""

UNKNOWN = "I don't know `/meta {word}`.\n\n" + HELP

# Notifications. Customer text is escaped before it is put in these.
WA_MESSAGE = "{who}: {body}"
WA_FAILED = ":warning: WhatsApp message to {recipient} failed: {code} {title}{details}"
UNKNOWN_CONTACT = "Unknown contact"
WA_APP_ECHO = ":iphone: Sent from the WhatsApp Business app: {body}"
WA_MARKETING_STOP = (":no_bell: {who} asked to stop marketing messages. Marketing templates will not be sent to "
                     "them until they opt back in.")
WA_MARKETING_RESUME = ":bell: {who} opted back in to marketing messages."
WA_FORWARDED = ":arrow_right_hook: _Forwarded_"
WA_FORWARDED_MANY = ":arrow_right_hook: _Forwarded many times_"
WA_EMPTY_TEXT = "(empty message)"
WA_INTERACTIVE_UNKNOWN = ":point_right: Interactive {kind} (Meta did not include the answer)"
WA_CALLS_ALLOWED = ":telephone_receiver: Allowed the business to call them{until}"
WA_CALLS_UNTIL = " until {when}"
WA_CALLS_ALWAYS = " from now on"
WA_CALLS_DECLINED = ":telephone_receiver: Declined calls from the business"
WA_CALLS_ANSWERED = ":telephone_receiver: Answered the request to call them: {response}"
WA_FLOW_DONE = ":clipboard: Completed the form{name}"
WA_FLOW_EMPTY = "(no answers)"
WA_FLOW_ANSWER = "Answer"
WA_ORDER = ":shopping_trolley: Order of {count} item(s){total}"
WA_EDITED = ":pencil2: Edited a message: {body}"
WA_DELETED = ":wastebasket: Deleted a message"
WA_REQUEST_WELCOME = ":wave: Opened a chat with the business for the first time"
SLACK_DATE = "<!date^{ts}^{{date_short_pretty}} {{time}}|{utc} UTC>"
REFERRAL = ":mega: Came from {kind}{what}{link}"
REFERRAL_CTWA = ":mega: Came from your Click-to-WhatsApp ad{what}{link}"
REFERRAL_KINDS = {"ad": "your ad", "post": "your post"}
REFERRAL_LINK = ":link: Came through {where}{ref}"
REFERRAL_SOURCES = {"SHORTLINK": "your m.me link", "MESSENGER_CODE": "your Messenger code",
                    "DISCOVER_TAB": "Messenger's Discover tab", "CUSTOMER_CHAT_PLUGIN": "the chat plugin on your site"}
MARK_EDITED = ":pencil2: Edited{when}: {body}"
MARK_DELETED = ":wastebasket: Deleted by the customer{when}"
MARK_REACTED = "Reacted {emoji}"
CALL_IN = ":telephone_receiver: Incoming WhatsApp call"
CALL_OUT = ":telephone_receiver: The business is calling the customer on WhatsApp"
CALL_ENDED = ":telephone_receiver: Call answered, {duration}"
CALL_NO_DURATION = "duration not given"
CALL_MISSED = ":telephone_receiver: Missed WhatsApp call"
CALL_UNANSWERED = ":telephone_receiver: The customer did not answer the business's call"
CALL_OTHER = ":telephone_receiver: Call {event}"
CALL_STATUSES = {"ACCEPTED": ":telephone_receiver: The customer answered the business's call",
                 "REJECTED": ":telephone_receiver: The customer declined the business's call"}
GROUP_EVENT = "Group `{group}`: {said}"
GROUP_CREATED = ":busts_in_silhouette: Group{subject} created{link}"
GROUP_DELETED = ":busts_in_silhouette: The group was deleted"
GROUP_JOINED = ":busts_in_silhouette: {who} joined the group{how}"
GROUP_VIA_LINK = " through the invite link"
GROUP_LEFT = ":busts_in_silhouette: {who} left the group"
GROUP_REMOVED = ":busts_in_silhouette: {who} removed from the group by the business"
GROUP_JOIN_ASKED = ":busts_in_silhouette: {who} asked to join the group"
GROUP_JOIN_WITHDRAWN = ":busts_in_silhouette: {who} withdrew their request to join the group"
GROUP_SETTINGS = ":busts_in_silhouette: Group settings changed: {what}"
GROUP_SETTINGS_UNNAMED = "Meta did not say which"
GROUP_SUSPENDED = ":no_entry: WhatsApp suspended the group"
GROUP_UNSUSPENDED = ":busts_in_silhouette: WhatsApp lifted the group's suspension"
GROUP_OTHER = ":busts_in_silhouette: Group update: {what}"
GROUP_FAILED = " — failed: {why}"
GROUP_SOMEONE = "someone"
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
CONNECT_PROMPT = ("Connect your Meta business account: the button opens a page that asks for your one-time code, "
                  "then Meta's consent screen. This channel will get notifications until you route them elsewhere. "
                  "The link and code work once, for 10 minutes.")
CONNECT_CODE = ("Your one-time code: *{code}*. Only you see it: type it on the page the button opens. Never share it; "
                "a link opened without it connects nothing.")
CONNECT_PAGE_TITLE = "Connect Meta"
CONNECT_PAGE_ASKED = "{member} asked to connect the Slack workspace {workspace} to a Meta business account."
CONNECT_PAGE_CODE = ("If that is you, type the one-time code MetaOps showed you in Slack with the Connect button. "
                     "If it is not you, close this page: without the code nothing is connected.")
CONNECT_PAGE_FIELD = "One-time code"
CONNECT_PAGE_SUBMIT = "Continue to Meta"
CONNECT_CODE_WRONG_PAGE = "That code is not right. {left} tries left; then this link stops working."
CONNECT_CODE_WRONG_TEXT = ("Someone typed a wrong one-time code on your Meta connect page ({left} tries left). If it "
                           "was not you, your link was forwarded: nothing was connected. Keep the code to yourself.")
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
    "burnt": ("Too many wrong codes: this link no longer works and nothing was connected. Start again from Slack "
              "with /meta connect."),
}
CONNECT_STATE_TEXT = {
    "forged": CONNECT_STATE_PAGE["forged"],
    "expired": "Meta was not connected: the link expired. Run `/meta connect` for a new one.",
    "reused": "Meta was not connected: that link was used already. Run `/meta connect` for a new one.",
    "started": ("Your Meta connect link was opened in a second browser after yours: nothing was connected there. "
                "If that was not you, your link was forwarded; it still works only in your browser."),
    "browser": ("Someone opened Meta's consent screen for your connect link in a browser that did not type your "
                "one-time code: nothing was connected. If that was not you, your link was forwarded."),
    "burnt": ("Too many wrong one-time codes were typed on your Meta connect page: the link no longer works and "
              "nothing was connected. Run `/meta connect` for a new one; keep the code to yourself."),
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

# Tokens that do not expire (issue 25): Embedded Signup's business token, a pasted system user's token.
TOKEN_KINDS = {"user": "a Facebook Login user token (about 60 days; refreshed daily when near its end)",
               "business": "the business token from Embedded Signup (does not expire)",
               "system_user": "a system user's token pasted with `/meta token` (does not expire)"}
TOKEN_NEVER_EXPIRES = "This connection's token ({kind}) does not expire: there is nothing to refresh."
TOKEN_MODAL_TITLE = "Business token"
TOKEN_MODAL_INTRO = ("Paste a system user's access token (Business settings → Users → System users → Generate token, "
                     "expiration *Never*, with whatsapp_business_management and whatsapp_business_messaging, and the "
                     "WhatsApp Business Accounts assigned). It is checked with Meta before it is stored, encrypted, "
                     "and it replaces this workspace's current token.")
TOKEN_MODAL_LABEL = "System user access token"
TOKEN_EMPTY = "Paste the token: one line, no spaces."
TOKEN_REFUSED = ":x: The token was not stored: {reason}. Nothing changed."
TOKEN_STORED = ":white_check_mark: The system user's token is stored (encrypted); it does not expire."
SIGNUP_PAGE_TITLE = "Embedded Signup"
SIGNUP_PAGE_INTRO = ("Meta's signup opens in a window: pick or create the business, its WhatsApp Business Account "
                     "and number. Then MetaOps registers the number and subscribes to the account, and Slack shows "
                     "each step.")
SIGNUP_PAGE_PIN = "Two-step verification PIN of the number (6 digits; a new number gets this PIN)"
SIGNUP_PAGE_BUTTON = "Open Meta's signup"
SIGNUP_PAGE_NO_SDK = ("Meta's signup did not load. It runs only on an https page of a domain listed in the Meta app "
                      "(Facebook Login for Business → Settings → Allowed Domains), and META_CONFIG_ID must be a "
                      "configuration of META_APP_ID.")
SIGNUP_CANCELLED = ("Meta's signup was not finished ({why}). Nothing was connected. Run `/meta connect` to try "
                    "again; if Meta refused the configuration, check that META_CONFIG_ID belongs to META_APP_ID.")
SIGNUP_BAD_ANSWER = "Meta's signup answer was incomplete ({field}). Nothing was connected."
SIGNUP_CHECKLIST = "*Embedded Signup* for <@{user}>:"
SIGNUP_STEPS = {"exchange": "Exchange the signup code for the business token",
                "reach": "The token reaches WhatsApp Business Account {waba}",
                "register": "Register the number {phone} for Cloud API",
                "subscribe": "Subscribe the app to WhatsApp Business Account {waba} (webhooks)",
                "store": "Store the connection (token encrypted)"}
SIGNUP_SKIPPED = "skipped"
SIGNUP_NOT_REACHED = "the token Meta gave cannot see it (it reaches {reached})"

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
STEP_BUILDERS_FAILED = (":warning: Slack did not take the new list of who may add the Workflow Builder steps "
                        "({error}); the list Slack had before still applies. Try `/meta admins add` again, or see the "
                        "README (Workflow Builder steps).")
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
TEMPLATE_SAMPLE_NOT_TAKEN = "Meta did not take the header sample. Send the form again, or try another file."
TEMPLATE_AUTH_SECURITY = "Add \"For your security, do not share this code.\""
TEMPLATE_AUTH_ZERO_TAP = "I accept WhatsApp's zero-tap terms (for OTP:ZERO_TAP)"
TEMPLATES_FILTER_ERROR = ("I don't know `{word}`. Filter by status ({statuses}) and/or category "
                          "(MARKETING, UTILITY, AUTHENTICATION), e.g. `/meta templates APPROVED MARKETING`.")
TEMPLATES_NONE = "No templates match. Create one with `/meta template new`."

# Metrics.
METRICS_USAGE = "Use `/meta metrics [DAYS]` with DAYS from 1 to {max} (7 when left out)."
METRICS_TITLE = "*WhatsApp messages, last {days} day(s)* (UTC days)"
METRICS_TOP = "Most sent template: *{name}* ({sent} sent)"
METRICS_EMPTY = "No WhatsApp messages in these {days} day(s), so there is no chart to show."
METRICS_CHART_REFUSED = "The chart could not be posted here (Slack answered `{error}`).{hint}"
METRICS_CHART_INVITE = " Invite the app to this channel, or run `/meta metrics` in a channel it is in or in its " \
    "Messages tab."
METRICS_CHART_FAILED = "The chart could not be drawn (reference `{ref}`); the table has the same numbers."
METRICS_CHART_COMMENT = "WhatsApp messages, last {days} day(s) (`/meta metrics {days}`)"
METRICS_CHART_ALT = "Line chart of WhatsApp messages per day from {first} to {last} (UTC): {sent} sent, " \
    "{delivered} delivered and {read} in all; the busiest day was {busiest} with {most} sent."
METRICS_ALT_READ = "{read} read"
METRICS_ALT_NO_READ = "no read counts from Meta"
METRICS_RATES_ALT = "Bar chart of read rate (read ÷ delivered) per template: {rates}."
COST_USAGE = "Use `/meta cost [DAYS]` with DAYS from 1 to {max} (7 when left out)."
COST_EMPTY = "No priced WhatsApp messages in these {days} day(s): Meta puts a price on each status of a message sent."
COST_TITLE = "*What Meta's WhatsApp messages cost, last {days} day(s)* (UTC days, from the pricing of each status)"
COST_NUMBERS = "Per business number: {numbers}"
COST_ESTIMATE = "*{paid}* paid message(s), estimated *{cost}* from the rate card{unpriced}"
COST_CHART_TITLE = "WhatsApp messages by pricing category, last {days} day(s)"
COST_BAR_PAID = "{category} (paid)"
COST_BAR_FREE = "{category} (free)"
CHART_DAILY_TITLE = "WhatsApp messages per day, last {days} day(s) (UTC)"
CHART_RATES_TITLE = "Read rate per template (read ÷ delivered), last {days} day(s)"
CHART_SENT = "sent"
CHART_DELIVERED = "delivered"
CHART_READ = "read"
CHART_DAY_AXIS = "day (UTC)"
CHART_COUNT_AXIS = "messages"
CHART_RATE_AXIS = "read rate (%)"

# Notifications beyond WhatsApp messages.
UNSUPPORTED_EVENT = ":grey_question: Meta sent a kind of event this app does not show yet: `{kind}` (kept; "\
    "later ones of this kind are kept without a note)."
WA_PHONE_QUALITY = ":signal_strength: Number {number}: {event}{limit}"
WA_NUMBER_ERROR = ":warning: WhatsApp error for number {number}: {code} {title}"

# Account-level webhooks (account_update, account_alerts and the other account fields): one short sentence each,
# then what Meta added. Words are ours; the codes are Meta's (webhooks reference, checked 2026-12).
ACCOUNT_UNKNOWN_EVENT = ":office: WhatsApp Business Account: {event}."
ACCOUNT_EVENTS = {
    "ACCOUNT_DELETED": ":wastebasket: The WhatsApp Business Account was deleted.",
    "ACCOUNT_RESTRICTION": ":no_entry: Meta restricted what the WhatsApp Business Account may do.",
    "ACCOUNT_VIOLATION": ":rotating_light: Meta says the WhatsApp Business Account broke its policies or terms.",
    "ACCOUNT_OFFBOARDED": ":electric_plug: The WhatsApp Business Account was disconnected (a device change or the "
                          "number registered again).",
    "ACCOUNT_RECONNECTED": ":electric_plug: The WhatsApp Business Account is connected again after a device change "
                           "or a new registration of the number.",
    "AD_ACCOUNT_LINKED": ":link: The WhatsApp Business Account gave its partner access to an ad account (Marketing "
                         "Messages API).",
    "AUTH_INTL_PRICE_ELIGIBILITY_UPDATE": ":moneybag: Authentication templates to some countries are now billed at "
                                          "authentication-international rates.",
    "BUSINESS_PRIMARY_LOCATION_COUNTRY_UPDATE": ":round_pushpin: The business's primary location was set.",
    "DISABLED_UPDATE": ":no_entry_sign: Meta changed whether the WhatsApp Business Account is disabled.",
    "MM_LITE_TERMS_SIGNED": ":memo: The WhatsApp Business Account accepted the Marketing Messages API terms.",
    "PARTNER_ADDED": ":handshake: The WhatsApp Business Account was shared with a Solution Partner.",
    "PARTNER_REMOVED": ":wave: The WhatsApp Business Account is no longer shared with a Solution Partner.",
    "PARTNER_APP_INSTALLED": ":key: The business gave an app permissions on the WhatsApp Business Account.",
    "PARTNER_APP_UNINSTALLED": ":key: The business took an app's permissions on the WhatsApp Business Account away.",
    "PARTNER_CLIENT_CERTIFICATION_STATUS_UPDATE": ":identification_card: The partner-led business verification "
                                                 "changed.",
    "VOLUME_BASED_PRICING_TIER_UPDATE": ":chart_with_upwards_trend: The account reached a new volume pricing tier.",
    "VERIFIED_ACCOUNT": ":white_check_mark: Meta verified the account.",
}
ACCOUNT_BAN_STATES = {"SCHEDULE_FOR_DISABLE": ":warning: The WhatsApp Business Account will be disabled",
                      "DISABLE": ":no_entry_sign: The WhatsApp Business Account was disabled",
                      "REINSTATE": ":white_check_mark: The WhatsApp Business Account was reinstated"}
ACCOUNT_BAN_LINE = "{state}{date}."
ACCOUNT_RESTRICTIONS = {
    "RESTRICTED_ADD_PHONE_NUMBER_ACTION": "no new phone numbers",
    "RESTRICTED_BIZ_INITIATED_MESSAGING": "no conversations started by the business",
    "RESTRICTED_CUSTOMER_INITIATED_MESSAGING": "no replies to customers who write first",
    "RESTRICTED_BIZ_INITIATED_AND_USER_INITIATED_CALLING": "no calls either way",
    "RESTRICTED_BUSINESS_INITIATED_CALLING": "no calls started by the business",
    "RESTRICTED_USER_INITIATED_CALLING": "no calls from customers",
    "RESTRICTED_USER_INITIATED_CALLING_CALL_BUTTON_HIDDEN": "the call button hidden from customers",
    "RESTRICTED_UTILITY_TEMPLATES": "no new utility templates",
    "RESTRICTED_DIRECT_SEND_UTILITY_TEMPLATES": "no utility templates by direct send",
}
ACCOUNT_DISCONNECTIONS = {
    "ACCOUNT_DISCONNECTED": "the WhatsApp account was deleted or disconnected",
    "BUSINESS_DOWNGRADE": "the number was registered in the consumer WhatsApp app",
    "CHANGE_NUMBER": "the business changed its number",
    "COMPANION_INACTIVITY": "a companion device was inactive for about 30 days",
    "PRIMARY_INACTIVITY": "the main device was inactive for about 14 days",
    "USER_RE_REGISTERED": "the number was registered on a new device",
}
ACCOUNT_DETAIL = {  # one line each, of what Meta added to the event
    "violation": "Violation: {what}",
    "restriction": "Restricted: {what}{until}",
    "country": "Country: {what}",
    "phone": "Number: {what}",
    "tier": "{category} messages in {region}: tier {tier} from {month}",
    "auth_intl": "From {start}{exceptions}",
    "disconnection": "Why: {reason}{by}",
    "certification": "Verification: {status}{reasons}",
    "ad_account": "Ad account: `{what}`",
}
ACCOUNT_ALERT = "{mark} {sentence}{entity}{status}"
ACCOUNT_ALERT_SAYS = "Meta says: {description}"
ACCOUNT_ALERT_MARKS = {"CRITICAL": ":rotating_light:", "WARNING": ":warning:", "INFORMATIONAL": ":information_source:"}
ACCOUNT_ALERT_TYPES = {
    "INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED": "Meta put off deciding on a higher messaging limit",
    "INCREASED_CAPABILITIES_ELIGIBILITY_FAILED": "Meta will not raise the messaging limit for now",
    "INCREASED_CAPABILITIES_ELIGIBILITY_NEED_MORE_INFO": "Meta needs more information before raising the messaging "
                                                         "limit",
    "OBA_APPROVED": "The Official Business Account request was approved",
    "OBA_REJECTED": "The Official Business Account request was turned down",
    "PROFILE_PICTURE_LOST": "The business profile photo was removed; upload it again",
}
ACCOUNT_ALERT_OTHER = "Meta sent an account alert: {type}"
ACCOUNT_ALERT_ENTITIES = {"BUSINESS": " (business portfolio)", "PHONE_NUMBER": " (number `{id}`)",
                          "WABA": " (WhatsApp Business Account)"}
ACCOUNT_ALERT_CLEARED = " — no longer active"
ACCOUNT_REVIEW = "{mark} Meta's review of the WhatsApp Business Account: *{decision}*."
ACCOUNT_CAPABILITY = ":signal_strength: The business portfolio may now message {limit} customers a day " \
    "(outside customer service windows){numbers}."
ACCOUNT_CAPABILITY_UNLIMITED = "any number of"
ACCOUNT_CAPABILITY_NUMBERS = "; at most {count} number(s) {per}"
ACCOUNT_NAME_UPDATE = "{mark} Display name *{name}* for {number}: *{decision}*{reason}."
ACCOUNT_SECURITY = ":lock: Security of {number}: {what}."
ACCOUNT_SECURITY_EVENTS = {"PIN_CHANGED": "the two-step verification PIN was changed",
                           "PIN_RESET_REQUEST": "a reset of the two-step verification PIN was asked for",
                           "PIN_RESET_SUCCESS": "the two-step verification PIN was reset"}
ACCOUNT_USERNAME = "{mark} Username @{username} for {number}: *{status}*."
ACCOUNT_DECISION_MARKS = {"APPROVED": ":white_check_mark:", "REJECTED": ":x:", "DEFERRED": ":hourglass:",
                          "PENDING": ":hourglass:"}
WA_QUALITY_EVENTS = {"FLAGGED": "quality dropped (flagged)", "UNFLAGGED": "quality is back to normal",
                     "DOWNGRADE": "messaging limit lowered", "UPGRADE": "messaging limit raised",
                     "ONBOARDING": "still being registered", "THROUGHPUT_UPGRADE": "throughput raised"}
WA_LIMITS = {"TIER_50": "50", "TIER_250": "250", "TIER_1K": "1,000", "TIER_2K": "2,000", "TIER_10K": "10,000",
             "TIER_100K": "100,000", "TIER_UNLIMITED": "unlimited", "TIER_NOT_SET": "not set yet"}


def messaging_limit(limit: str | None) -> str:
    """A WhatsApp messaging limit in words: a tier code (`TIER_2K`) or a count (-1: unlimited); "?" when unknown."""
    if not limit:
        return "?"
    if limit.lstrip("-").isdigit():
        return WA_LIMITS["TIER_UNLIMITED"] if int(limit) < 0 else f"{int(limit):,}"
    return WA_LIMITS.get(limit) or limit.replace("_", " ").lower()


# The daily Graph API version check (metaops/assets/graph_version.py).
GRAPH_VERSION_ENDING = (":hourglass_flowing_sand: Meta stops serving Graph API *{version}*, the version this app "
                        "calls, on {end} ({when}). The operator should set `META_GRAPH_VERSION` to a newer version "
                        "(the newest is {newest}) and restart the app; Meta's changelog: {source}")
GRAPH_VERSION_DAYS_LEFT = "{days} day(s) left"
GRAPH_VERSION_ENDED = "already past"

# Template webhooks: what each code of Meta's means (message_template_* and template_category_update references).
TEMPLATE_REASONS = {"ABUSIVE_CONTENT": "abusive content", "CATEGORY_NOT_AVAILABLE": "category not available",
                    "INCORRECT_CATEGORY": "wrong category", "INVALID_FORMAT": "invalid format",
                    "PROMOTIONAL": "promotional content", "SCAM": "scam",
                    "TAG_CONTENT_MISMATCH": "the content does not match the category"}
TEMPLATE_PAUSES = {"FIRST_PAUSE": "paused (first time)", "SECOND_PAUSE": "paused (second time)",
                   "RATE_LIMITING_PAUSE": "paused for rate limiting", "UNPAUSE": "unpaused", "DISABLED": "disabled"}
TEMPLATE_STATUS = "{mark} Template *{name}* ({language}{category}) is now *{status}*"
TEMPLATE_REASON = "Reason: {reason}"
TEMPLATE_META_SAYS = "Meta says: {text}"
TEMPLATE_RECOMMENDS = "Meta recommends: {text}"
TEMPLATE_DISABLED_ON = "Disabled on {date}"
TEMPLATE_CATEGORY = ":label: Template *{name}* ({language}) category changed{old} to *{new}*"
TEMPLATE_CATEGORY_DUE = ":label: Template *{name}* ({language}) is {old}; Meta will move it to *{new}* within 24 hours"
TEMPLATE_QUALITY = "{mark} Template *{name}* ({language}) quality changed from {old} to *{new}*"
TEMPLATE_QUALITY_WORDS = {"GREEN": "high", "YELLOW": "medium", "RED": "low", "UNKNOWN": "not rated yet"}
TEMPLATE_QUALITY_MARKS = {"GREEN": ":large_green_circle:", "YELLOW": ":large_yellow_circle:",
                          "RED": ":red_circle:"}
TEMPLATE_COMPONENTS = ":pencil2: Template *{name}* ({language}) content changed at Meta"
TEMPLATE_COMPONENT_PARTS = {"title": "Header: {text}", "body": "Body: {text}", "footer": "Footer: {text}",
                            "buttons": "Buttons: {text}"}
FB_DM = "{who} → {page}: {body}"
DM_PRESSED = ":point_right: Pressed *{title}*"
DM_REACTED = "Reacted {emoji}"
DM_UNREACTED = "Removed their reaction {emoji}"
FB_POSTBACK_UNTITLED = "a button"  # a postback with neither title nor payload
FB_FEED = ":speech_balloon: {page}: {what} by {who}: {body}"
IG_DM = "{who} → @{account}: {body}"
IG_COMMENT = ":speech_balloon: @{account}: comment by {who} on {media}: {body}"
IG_MENTION = ":mega: @{account} was mentioned in {what}"

# Comment threads: one thread per Facebook or Instagram post; replies there are public replies to a comment.
COMMENT_ROOT = ":speech_balloon: Comments on {where}'s post: {excerpt}"
COMMENT_ROOT_LINK = "<{link}|Open the post>"
COMMENT_ROOT_UNKNOWN = "(Meta did not show the post: `{post}`)"
COMMENT_ROOT_HINT = ("Write in this thread to reply publicly to the latest comment, or use a comment's *Reply* "
                     "button to answer that one.")
COMMENT_NEW = "*{who}* commented: {body}"
COMMENT_OWN = "*{who}* (the {platform} account) commented: {body}"
COMMENT_EDITED = "*{who}* edited a comment: {body}"
COMMENT_REMOVED = ":wastebasket: *{who}* removed a comment."
COMMENT_NO_TEXT = "(no text)"
COMMENT_REPLY = "Reply"
COMMENT_HIDE = "Hide"
COMMENT_DELETE = "Delete"
COMMENT_DELETE_CONFIRM_TITLE = "Delete this comment?"
COMMENT_DELETE_CONFIRM = "It is deleted at Meta for everyone. This cannot be undone."
COMMENT_DELETE_YES = "Delete"
COMMENT_DELETE_NO = "Keep it"
COMMENT_HIDDEN_BY = ":see_no_evil: Hidden by <@{user}>: only its author and their friends see it now."
COMMENT_DELETED_BY = ":wastebasket: Deleted by <@{user}>."
COMMENT_REFUSED = "Meta did not {verb} the comment: {reason}"
COMMENT_VERBS = {"hide": "hide", "delete": "delete"}
COMMENT_GONE = "That comment is not in this workspace's threads any more."
COMMENT_NOT_CONNECTED = ("The {platform} account of this post is no longer connected to this workspace, so nothing "
                         "was done at Meta.")
COMMENT_NO_TARGET = "There is no comment in this thread to reply to (deleted ones are skipped)."
COMMENT_MODAL_TITLE = "Reply to comment"
COMMENT_MODAL_SUBMIT = "Reply publicly"
COMMENT_MODAL_LABEL = "Your public reply"
COMMENT_MODAL_QUOTE = "*{who}*: {body}"
COMMENT_MODAL_EMPTY = "Write a reply."
COMMENT_MODAL_NOTE = ("This reply is an internal note (it starts with `note:` or `//`): notes stay in Slack and "
                      "are never published. Nothing was sent; write the reply you want the public to see.")
COMMENT_ANSWER = ":leftwards_arrow_with_hook: <@{user}> replied publicly to “{quote}”:\n{body}"
MEDIA_TOO_LARGE = ":paperclip: The {kind} is {size} MB, over the {limit} MB this app uploads; open it in WhatsApp."
MEDIA_FAILED = ":paperclip: The {kind} could not be fetched from Meta: {reason}"

# Replies from threads.
REPLY_FAILED = ":x: Not sent to the customer: {reason}"
REPLY_WINDOW = ("WhatsApp only lets a business send free-form messages within 24 hours of the customer's last "
                "message. To write after that, send an approved template with the button.")
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
REPLY_APP_REMOVED = "the app was removed from this workspace, so the reply was not sent"
REPLY_DELETED = "deleted in Slack"
BUTTON_GUEST = ("People from other Slack workspaces (Slack Connect) cannot send to customers from this workspace. "
                "Nothing was sent.")
REPLY_AGAIN_NOT_ALLOWED = "Only the person who wrote this message or a MetaOps admin can send it again."
REPLY_AGAIN_NOT_WAITING = "This message is not waiting to be sent again (it is {state}): nothing was sent."
REPLY_AGAIN_GONE = "This message cannot be sent again from here."

# Files shared in a customer thread (sent to the customer by the worker)
REPLY_FILE_TOO_LARGE = (":x: *{name}* was not sent to the customer: {platform} takes {kind} files of at most {limit}, "
                        "and this one is {size}.")
REPLY_FILE_TYPE = (":x: *{name}* was not sent to the customer: {platform} does not take files of type `{mime}`. "
                   "{allowed}")
REPLY_FILE_ALLOWED = {
    "whatsapp": "WhatsApp takes JPEG and PNG images (5 MB), MP4 and 3GPP videos (16 MB), AAC, AMR, MP3, M4A and "
                "OGG audio (16 MB), PDF, text and Office documents (100 MB) and WebP stickers (100 KB, 500 KB "
                "animated).",
    "instagram": "Instagram takes PNG, JPEG and GIF images (8 MB), MP4, OGG, AVI, MOV and WebM videos, AAC, M4A, "
                 "WAV and MP4 audio, and PDF files (25 MB).",
    "messenger": "Messenger takes images, videos, audio and files of up to 25 MB.",
}
REPLY_FILE_UNAVAILABLE = ":x: *{name}* was not sent to the customer: Slack did not hand the file out ({reason})."
REPLY_FILE_REFUSED = ":x: *{name}* was not sent to the customer: {reason}"
REPLY_FILES_NONE_SENT = "none of the files could be sent"

# Routes and replies switch.
ROUTE_USAGE = "Use `/meta route KIND #channel`, KIND one of: {kinds}."
ROUTE_NO_CHANNEL = "I can't find the channel {channel}. Mention it (`#name`) so Slack links it."
ROUTE_SET = "`{kind}` notifications now go to <#{channel}>."
ROUTE_INVITE = "<#{channel}> is private: invite me there with `/invite @MetaOps`, or nothing can be posted."
ROUTE_JOIN_FAILED = "I could not join <#{channel}> ({error}); invite me there with `/invite @MetaOps`."
REPLIES_USAGE = "Use `/meta replies on` or `/meta replies off` (off: alerts-only, nothing is sent to customers)."
REPLIES_ON = "Replies from customer threads are on: a message in a customer's thread is sent to them."
REPLIES_SET_OFF = "Replies are off (alerts-only mode): messages in customer threads stay in Slack."
SIGNATURE_USAGE = ("Use `/meta signature on` or `/meta signature off` (on: each reply starts with the name of the team "
                   "member who wrote it, like *Ana*: …).")
SIGNATURE_ON = "Signature on: replies to customers start with the writer's Slack display name (*Ana*: …)."
SIGNATURE_OFF = "Signature off: replies go to customers without the writer's name."

# Webhooks.
WEBHOOK_CONFIGURED = "*Webhook configuration saved.*"
WEBHOOK_STEP_OK = ":white_check_mark: {what}"
WEBHOOK_STEP_FAILED = ":x: {what}: {detail}"
WEBHOOK_PENDING = "State moves from pending to active when Meta's verification request reaches {url}."
WEBHOOK_LACKING = ("*{label}: new fields not subscribed yet* (`/meta webhook configure` offers them, ticked):\n"
                   "{fields}")
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

# Sending templates from Slack (/meta send, the thread's "Send template" button).
SEND_TEMPLATE_BUTTON = "Send template"
SEND_MODAL_TITLE = "Send template"
SEND_MODAL_SUBMIT = "Send"
SEND_TO_LABEL = "To"
SEND_TO_HINT = "The customer's phone number with country code (+15551234567) or business-scoped user id (US.1349…)"
SEND_TO_KNOWN = "To {who}"
SEND_TEMPLATE_LABEL = "Template"
SEND_TEMPLATE_HINT = "The number's approved templates; choosing one shows the values it needs"
SEND_CHOOSE = "Choose a template to see the values it needs."
SEND_NO_TEMPLATES = ("This number has no approved templates. Create one with `/meta template new` and send it once "
                     "Meta approves it.")
SEND_HEADER_LABEL = "Header {{{{{var}}}}}"
SEND_MEDIA_LABEL = "Header {kind}"
SEND_MEDIA_HINT = ("Share the file in Slack, then paste its link (More actions → Copy link) or its id (F…). "
                   "Allowed: {types}, at most {limit} MB")
SEND_BODY_LABEL = "Body {{{{{var}}}}}"
SEND_BUTTON_LABEL = "Button “{text}” link ending"
SEND_EXAMPLE_HINT = "Example: {example}"
SEND_BUTTON_HINT = "Completes {url}"
SEND_COUPON_LABEL = "Coupon code (“{text}” button)"
SEND_COUPON_BUTTON = "Copy offer code"  # a copy-code button's text when Meta gives none
SEND_COUPON_HINT = "What the customer's copy-code button copies: 1 to {limit} characters, no spaces"
SEND_CATEGORY_NOTE = "{category} · {language}\n>{body}"
SEND_BAD_RECIPIENT = ("`{value}` is neither a phone number with country code (such as +15551234567) nor a "
                      "business-scoped user id (such as US.13491208655302741918).")
SEND_NO_NUMBER = "No WhatsApp number is connected. A workspace admin can run `/meta connect`."
SEND_NO_CHANNEL = "There is no channel for customer messages. Set one with `/meta route messages #channel`."
SEND_NOT_A_THREAD = "That is not a WhatsApp customer thread of this workspace."
SEND_GROUP = "Templates go to one customer; this is a group conversation."
SEND_TEMPLATE_GONE = "That template is not one of this number's templates any more. Open the form again."
SEND_NOT_APPROVED = "The template {name} is {status} at Meta; only approved templates can be sent."
SEND_OPTED_OUT = ("This customer asked to stop marketing messages, so Meta does not let a MARKETING template reach "
                  "them. Choose a utility template, or wait until they opt back in.")
SEND_AUTH_BSUID = ("Authentication templates can only go to a phone number, and this customer's phone is not known "
                   "(Meta error 131062). Choose another template.")
SEND_VALUE_MISSING = "A value is required."
SEND_NO_NEWLINES = "The header value may not hold line breaks."
SEND_HEADER_LONG = "With this value the header is longer than {limit} characters."
SEND_PARAMETER_SPACES = "No line breaks, tabs or more than four spaces in a row (Meta refuses them)."
SEND_PARAMETER_LONG = "At most {limit} characters."
SEND_BODY_LONG = "With these values the body is longer than {limit} characters."
SEND_URL_SPACES = "The end of a link may not hold spaces."
SEND_URL_LONG = "With this value the link is longer than {limit} characters."
SEND_COUPON_SPACES = "A coupon code may not hold spaces."
SEND_COUPON_LONG = "A coupon code is at most {limit} characters; this one has {given}."
SEND_MEDIA_MISSING = "Paste the link or id (F…) of a file shared in Slack."
SEND_MEDIA_UNREADABLE = ("The app cannot read that Slack file. Share it in a channel the app is in, then paste its "
                         "link again.")
SEND_MEDIA_NOT_YOURS = ("That Slack file is not yours and not shared in this channel: the file must be yours or shared "
                        "in the channel where you opened this form.")
SEND_MEDIA_TYPE = "A {kind} header takes {types}; this file is {mime}."
SEND_MEDIA_SIZE = "A {kind} header file may be at most {limit} MB."
SEND_POSTED = ":outbox_tray: <@{user}> sent the template *{name}* ({language}, {category}):"
SEND_POSTED_MEDIA = "[{kind}: {name}]"
SEND_DONE = "The template {name} was sent; it is in the customer's thread in <#{channel}>."
SEND_DONE_UNPOSTED = "The template {name} was sent, but it could not be posted in the customer's thread."
SEND_PAID_NOTE = ":moneybag: Meta bills this {category} template when it is delivered: about {price} (rate card)."
SEND_PAID_UNPRICED = ":moneybag: Meta bills this {category} template when it is delivered (this customer's market " \
    "is not on the rate card)."
SEND_FREE_NOTE = ":free: The customer wrote within 24 hours: Meta does not bill this utility template."

# Campaigns (`/meta campaign`): the recipients file, checked before anything is sent.
CAMPAIGN_FILE_EMPTY = "Line 1: the file is empty; its first line names the columns (`phone` or `bsuid`, then one " \
    "per template value)."
CAMPAIGN_FILE_NOT_UTF8 = "Line {line}: the file is not UTF-8 text. Save it as CSV UTF-8 (or as an Excel workbook, " \
    ".xlsx) and share it again."
CAMPAIGN_FILE_CSV_BROKEN = "Line {line}: the CSV cannot be read ({why})."
CAMPAIGN_FILE_NOT_XLSX = "The file is not an Excel workbook (.xlsx) the app can read; save it as .xlsx or CSV UTF-8."
CAMPAIGN_FILE_TOO_MANY = "Line {line}: more than {limit:,} recipients. Split the list into several campaigns."
CAMPAIGN_FILE_TOO_BIG = "The file is larger than {limit} MB; split the list into several campaigns."
CAMPAIGN_MEDIA_COLUMN = ("Line 1: the template's header is media ({kind}): add a `header_media` column with each "
                         "row's {kind}, a public https link or the id of media uploaded to Meta (the template's "
                         "example is not sent in its place); the file's columns are {columns}.")
CAMPAIGN_MEDIA_NOT_LINK = "`{value}` is neither a public https link nor a Meta media id"
CAMPAIGN_NO_ADDRESS = "Line 1: the file needs a `phone` or a `bsuid` column; its columns are {columns}."
CAMPAIGN_MISSING_COLUMNS = "Line 1: the template needs the column(s) {missing}; the file's columns are {columns}."
CAMPAIGN_BAD_ADDRESS = "`{value}` is neither a phone number with country code nor a BSUID"
CAMPAIGN_TITLE = "Campaign"
CAMPAIGN_NAME_LABEL = "Name"
CAMPAIGN_NUMBER_LABEL = "Business number"
CAMPAIGN_FILE_LABEL = "Recipients file"
CAMPAIGN_FILE_HINT = ("The link or id (F…) of a CSV (UTF-8) or Excel (.xlsx) file shared in Slack, yours or shared in "
                      "this channel: a `phone` or `bsuid` column, then one column per template value (`body_1`, "
                      "`body_2`…, `header_text`, `button_1`, `coupon_code`); at most {limit:,} rows.")
CAMPAIGN_WHEN_LABEL = "Send at"
CAMPAIGN_WHEN_HINT = "Empty: as soon as it is confirmed."
CAMPAIGN_REPLY_LABEL = "Replies go to"
CAMPAIGN_REPLY_HINT = ("Where customers who answer the campaign get their thread; empty: this channel. A customer who "
                       "already has a thread keeps it.")
CAMPAIGN_OVERFLOW_LABEL = "Overflow channels"
CAMPAIGN_OVERFLOW_HINT = ("0 (or empty): none. 1 to {most}: the app creates #<campaign-name>-1… when the campaign "
                          "starts and spreads new conversations over them (Slack shows about one new thread a "
                          "second per channel).")
CAMPAIGN_OVERFLOW_RANGE = "A whole number from 0 to {most}."
CAMPAIGN_REPLY_CHANNEL_UNKNOWN = "The app cannot see this channel; pick a channel it is in, or invite it first."
CAMPAIGN_REPLY_CHANNEL_ARCHIVED = "<#{channel}> is archived; pick a channel in use."
CAMPAIGN_REPLY_CHANNEL_NOT_CHANNEL = "Pick a channel: replies cannot open threads in a direct message."
CAMPAIGN_REPLY_CHANNEL_INVITE = "The app is not in <#{channel}>: invite it there first (`/invite @MetaOps`)."
CAMPAIGN_REPLY_CHANNEL_JOIN = "The app could not join <#{channel}> ({error}); invite it there first."
CAMPAIGN_REVIEW_REPLIES = "• Replies open their threads in {where}"
CAMPAIGN_REVIEW_OVERFLOW = "{n} new channel(s) {names} (created when it starts)"
CAMPAIGN_OVERFLOW_NAME_TAKEN = ("Slack refused to create #{name}: a channel of that name exists (an earlier "
                                "campaign's?). Rename or archive it, then confirm again; nothing was sent.")
CAMPAIGN_OVERFLOW_RESTRICTED = ("This workspace does not let the app create channels (#{name}). Ask a workspace "
                                "admin to allow it, or check the campaign again with 0 overflow channels; nothing was "
                                "sent.")
CAMPAIGN_OVERFLOW_SCOPE = ("The app may not create channels yet (#{name}): reinstall it to grant the channels:manage "
                           "permission, or check the campaign again with 0 overflow channels; nothing was sent.")
CAMPAIGN_OVERFLOW_REFUSED = "Slack refused to create #{name} ({error}); nothing was sent."
CAMPAIGN_CHECK = "Check"
CAMPAIGN_CONFIRM = "Send campaign"
CAMPAIGN_ASK_APPROVAL = "Ask for approval"
CAMPAIGN_REVIEW_TOP = "*{name}*: template *{template}*. Nothing has been sent yet."
CAMPAIGN_REVIEW_COUNTS = ("• {read:,} recipient(s) read, {duplicates:,} duplicate(s) removed, {invalid:,} invalid\n"
                          "• {opted_out:,} opted out of marketing, {bsuid_only:,} known only by BSUID (refused for "
                          "authentication)\n• *{to_send:,}* will be sent")
CAMPAIGN_REVIEW_COST = "• *{paid:,}* paid message(s), estimated *{cost}*{unknown}"
CAMPAIGN_REVIEW_UNPRICED = "; {n:,} in markets the rate card does not price"
CAMPAIGN_LIMIT = "• Messaging limit: {limit:,} customers a day; this campaign uses {share}% of it{reached}"
CAMPAIGN_LIMIT_REACHED = "; {reached:,} reached in the last 24 hours"
CAMPAIGN_REVIEW_HELD = "• *{held:,}* held back: over the messaging limit; they go from {when}"
CAMPAIGN_HELD = "{held:,} held back: over the messaging limit; they go from {when}"
CAMPAIGN_HELD_CANCELLED = "{n:,} held back over the messaging limit were cancelled: not sent"
CAMPAIGN_CANCEL_HELD = "Cancel held"
CAMPAIGN_NOTHING_HELD = "No recipient of this campaign is held back."
CAMPAIGN_HELD_DROPPED = "<@{user}> cancelled the {n:,} recipient(s) held back over the messaging limit: not sent."
CAMPAIGN_LIMIT_UNLIMITED = "• Messaging limit: unlimited"
CAMPAIGN_LIMIT_UNKNOWN = "• Messaging limit: Meta did not say"
CAMPAIGN_LINE = "Line {line}: {why}"
CAMPAIGN_MORE_LINES = "…and {n:,} more line(s)."
CAMPAIGN_OPTED_OUT = "asked to stop marketing messages: left out"
CAMPAIGN_BSUID_ONLY = "known only by BSUID: authentication templates need a phone number"
CAMPAIGN_DUPLICATES = "Duplicates removed (line = first line): {lines}"
CAMPAIGN_ESTIMATE_NOTE = ("Estimate from the rate card shipped with the app (its source and date are in "
                          "metaops/costs/rate_card.csv): list rates, volume tiers and free windows not applied. Meta "
                          "bills what it delivers.")
CAMPAIGN_NOTHING_TO_SEND = "No recipient is left to send to."
CAMPAIGN_FILE_REFUSED = "Recipients file: {why}"
CAMPAIGN_GONE = "That campaign is not this workspace's, or no longer exists."
CAMPAIGN_TEMPLATE_PAUSED = "Meta paused the template ({reason}); the campaign is paused until Meta unpauses it."
CAMPAIGN_TEMPLATE_DISABLED = "Meta disabled the template ({reason}); the campaign cannot go on."
CAMPAIGN_TEMPLATE_STILL = "Meta still has template *{template}* {state}: Resume once Meta makes it active again."
CAMPAIGN_TEMPLATE_ACTIVE = (":arrow_forward: Meta made template *{template}* active again: *Resume* campaign *{name}* "
                            "to send the rest, those Meta refused while it was paused included.")
CAMPAIGN_RETRIED = " {n:,} recipient(s) Meta refused while the template was paused go again."
CAMPAIGN_RETRIED_NOTE = "{n:,} recipient(s) Meta refused while the template was paused were sent again after Resume."
CAMPAIGN_ACCOUNT_LOCKED = "Meta locked the WhatsApp account ({reason})."
CAMPAIGN_TOKEN_BROKEN = "The Meta connection's token stopped working ({reason}); run `/meta connect` again."
CAMPAIGN_STOPPED = ":double_vertical_bar: Campaign *{name}* stopped sending: {reason}"
CAMPAIGN_PROGRESS = ("*Campaign {name}* · template *{template}* · {state}\n`{bar}` {done:,} / {total:,}\n"
                     ":outbox_tray: sent {sent:,} · :incoming_envelope: delivered {delivered:,} · :eyes: read "
                     "{read:,} · :x: failed {failed:,} · :speech_balloon: replied {replied:,} · :grey_question: "
                     "unknown {unknown:,} · :hourglass: waiting {waiting:,}")
CAMPAIGN_STATES = {"draft": "not confirmed", "approval": "waiting for approval", "scheduled": "scheduled",
                   "sending": "sending", "paused": "paused", "cancelled": "cancelled", "done": "all sent",
                   "rejected": "rejected"}
CAMPAIGN_FAILED_REASONS = "Meta's reasons: {reasons}"
CAMPAIGN_REPLIES_IN = ":speech_balloon: Replies open their threads in {channels}"
CAMPAIGN_REPLIES_WAITING = (":hourglass_flowing_sand: Replies waiting to be shown: {n:,}, all shown by about "
                            "<!date^{at}^{{time}}|{fallback}>")
CAMPAIGN_REASON = "Why: {reason}"
CAMPAIGN_PAUSE = "Pause"
CAMPAIGN_RESUME = "Resume"
CAMPAIGN_CANCEL = "Cancel"
CAMPAIGN_WHEN_PAST = "This time has passed; leave it empty to send as soon as it is confirmed."
CAMPAIGN_APPROVE = "Approve"
CAMPAIGN_REJECT = "Reject"
CAMPAIGN_APPROVAL_REQUEST = (":raised_hand: <@{user}> asks to send campaign *{name}* (template *{template}*) to "
                             "{to_send:,} customers: {paid:,} paid message(s), estimated {cost}. Another admin "
                             "approves or rejects it.")
CAMPAIGN_APPROVED = "{request}\n:white_check_mark: Approved by <@{user}>; sending starts at its time."
CAMPAIGN_REJECTED = "{request}\n:no_entry_sign: Rejected by <@{user}>; nothing was sent."
CAMPAIGN_ASKED = "Another admin's approval was asked for in <#{channel}>; nothing is sent before it."
CAMPAIGN_STARTED = "Campaign *{name}* confirmed: its progress is in <#{channel}>."
CAMPAIGN_NOT_YOURS = "Only the admin who checked this campaign can confirm it."
CAMPAIGN_OWN_APPROVAL = "You asked for this campaign: another admin approves or rejects it."
CAMPAIGN_ALREADY = "This campaign is {state} already."
CAMPAIGN_CONTROLLED = "<@{user}>: campaign {state}."
CAMPAIGN_CHART_REPLIED = "replied"
CAMPAIGN_CHART_FAILED = "failed"
CAMPAIGN_CHART_UNKNOWN = "unknown"
CAMPAIGN_REPORT_TITLE = "Campaign {name}: outcomes"
CAMPAIGN_REPORT_CSV = "Campaign {name}: every recipient"
CAMPAIGN_REPORT = ":checkered_flag: Campaign *{name}* sent to everyone: the outcomes and every recipient's, as CSV."

# The Home tab (metaops/home.py)
HOME_TITLE = "MetaOps"
HOME_NOT_CONNECTED = "Meta is not connected in this workspace yet. A workspace admin can connect it."
HOME_NOT_CONNECTED_ADMIN = ("Meta is not connected in this workspace yet. *Connect Meta* below (or `/meta connect` in "
                            "the channel that should get notifications).")
HOME_CONNECTION = "Meta connection"
HOME_CONNECTION_LINE = "*Status:* {status}{reason}\n*Connected by:* <@{user}> as {meta_user}, {date}"
HOME_TOKEN_LINE = "*Token expires:* {expiry}{left}"
HOME_PERMISSIONS_MISSING = "*Permissions missing:* {scopes} (connect again and grant them)"
HOME_PERMISSIONS_OK = "*Permissions:* all granted"
HOME_NUMBERS = "WhatsApp numbers"
HOME_NUMBER = "*{number}* — {name}\nQuality {quality} · limit {tier} · {status}"
HOME_NUMBERS_NONE = "No WhatsApp number is connected."
HOME_NUMBERS_MORE = "{more} more number(s): `/meta whatsapp` lists them all."
HOME_NUMBERS_UNREAD = "Meta could not be asked just now; quality as last known."
HOME_TEMPLATES = "Templates"
HOME_TEMPLATES_NONE = "No templates yet."
HOME_REJECTED = "Latest rejections:"
HOME_REJECTION = "• *{name}* ({language}) — {reason}"
HOME_COST = "WhatsApp cost, {month}"
HOME_COST_LINE = ("*{paid}* paid message(s) ({categories}), about *{cost}* from the rate card{unpriced}; "
                  "*{free}* free. `/meta cost 30` shows each day, number and category.")
HOME_COST_NONE = "No priced WhatsApp messages this month yet."
HOME_UNANSWERED = "Unanswered conversations"
HOME_UNANSWERED_NONE = "No customer is waiting for an answer."
HOME_UNANSWERED_COUNT = "*{count}* customer thread(s) wait for an answer. The oldest:"
HOME_UNANSWERED_LINE = "• {link} — waiting since <!date^{since}^{{date_short_pretty}} {{time}}|{fallback}>"
HOME_THREAD_LINK = "<{url}|a thread> in <#{channel}>"
HOME_THREAD_NO_LINK = "a thread in <#{channel}>"
HOME_ROUTES = "Notifications"
HOME_ROUTE = "• `{kind}` → {channel}"
HOME_ROUTE_NOWHERE = "nowhere yet"
HOME_WEBHOOKS = "Webhooks"
HOME_WEBHOOK = "• {label}: {state}"
HOME_WEBHOOK_OFF = "not subscribed"
HOME_WEBHOOK_LACKING = "{label} lacks new fields: {fields} (*Configure webhooks* ticks them)"
HOME_UPDATED = "Updated <!date^{at}^{{date_short_pretty}} {{time}}|{fallback}>"
HOME_TRUNCATED = ("Not everything fits on this tab: `/meta status`, `/meta templates` and `/meta whatsapp` "
                  "show the rest.")
HOME_BUTTON_CONNECT = "Connect Meta"
HOME_BUTTON_RECONNECT = "Reconnect Meta"
HOME_BUTTON_WEBHOOKS = "Configure webhooks"
HOME_BUTTON_TEMPLATE = "New template"
HOME_CONNECT_TITLE = "Connect Meta"
HOME_CONNECT_CHANNEL = "Channel for notifications"
HOME_CONNECT_CHANNEL_HINT = "Customer messages and alerts go here until you route them elsewhere."
HOME_CONNECT_CONTINUE = "Continue"
HOME_NOTICE_TITLE = "MetaOps"

# The conversation: internal notes, receipts, WhatsApp's 24-hour reply window.
NOTE_REACTION = "memo"  # on a thread message that stays inside (starts with "note:" or "//")
NOTE_NOT_SENT = "an internal note (note: or //): notes stay in Slack and are never sent"  # the outbox row's reason
HOLDER_AGENT = ":robot_face: Meta's AI agent holds this conversation: it answers the customer. Take over to answer."
HOLDER_TEAM = ":busts_in_silhouette: The team holds this conversation{by}: replies here go to the customer."
TAKE_OVER = "Take over"
GIVE_BACK = "Give back"
TOOK_OVER = ":raised_hand: <@{user}> took the conversation over from Meta's AI agent: the team answers now."
GAVE_BACK = (":robot_face: <@{user}> gave the conversation back to Meta's AI agent: it answers the customer's next "
             "message.")
HOLDER_NO_THREAD = "That conversation is not one of this workspace's customer threads any more."
HOLDER_REFUSED = "Meta did not move the conversation: {reason}"
AGENT_HELD = ":robot_face: Meta's AI agent holds this conversation"
AGENT_ECHO = ":robot_face: *Meta's AI agent* replied: {body}"
AGENT_PASSED = (":busts_in_silhouette: Meta's AI agent handed the conversation to the team: replies here go to the "
                "customer.")
AGENT_TOOK = ":robot_face: Meta's AI agent (or another app) took the conversation: it answers the customer now."
DM_WINDOW_CLOSED = (":lock: Not sent: Meta takes a reply only within 7 days of the customer's last message, and "
                    "that ended at {time} UTC ({day}). The customer's next message opens the conversation again.")
WINDOW_OPEN = "Reply window open until {time} UTC ({day}): free-form replies until then, a template after."
WINDOW_NUDGE = (":hourglass_flowing_sand: The customer's last message is still unanswered and the reply window "
                "closes at {time} UTC (in {minutes} min). After that only an approved template can reach them.")
WINDOW_CLOSED = (":lock: Not sent: the reply window closed at {time} UTC ({day}), 24 hours after the customer's last "
                 "message. WhatsApp takes only an approved template now; send one with the button.")

# Customer messages that waited while their channel was behind our Slack pace, posted as one message (issue 15).
WA_JOINED = "{who}: {count} messages"  # the notification text of the joined post
WA_JOINED_WHO = "{who} · {count} messages"  # its first block
WA_JOINED_LINE = "<!date^{ts}^{{time}}|{utc} UTC>  {body}"  # one message: Slack shows the time in the reader's zone

# Workflow Builder steps (custom steps: functions in the manifest, run by the worker, issue 14 point 5).
STEP_POSTED = ":outbox_tray: A workflow sent the template *{name}* ({language}, {category}):"
STEP_NUMBER_UNKNOWN = ("`{value}` is not a WhatsApp number of this workspace. Use its phone number id or display "
                       "number: {numbers}.")
STEP_NUMBER_CHOOSE = "This workspace has several WhatsApp numbers; name one in the step: {numbers}."
STEP_TEMPLATE_MISSING = "Name the template to send."
STEP_TEMPLATE_UNKNOWN = ("No approved template *{name}*{language} on this number. Approved: {names}. `/meta "
                         "templates` lists them all.")
STEP_TEMPLATE_LANGUAGE = "The template *{name}* exists in several languages ({languages}); set the step's language."
STEP_TEMPLATE_MEDIA = ("The template *{name}* has a {kind} header, which a workflow step cannot provide. Send it with "
                       "`/meta send`, or choose a template without a media header.")
STEP_VARIABLES_COUNT = ("The template *{name}* takes {expected} value(s) ({names}), in this order; the step gave "
                        "{given}.")
STEP_VARIABLE_BAD = "{what}: {problem}"
STEP_VARIABLES_BAD = "The variables must be text, or a list of texts."
STEP_FLAG_BAD = "must be true or false."
STEP_PAID_REFUSED = "Not sent: this step allows only messages Meta does not bill, and this one is billed. {note}"
STEP_PAGE_CHOOSE = "Several Pages are connected; name one in the step (its id or name): {pages}."
STEP_PAGE_UNKNOWN = "`{value}` is not a connected Page of this workspace. Connected: {pages}."
STEP_NO_PAGE = "No Facebook Page is connected. A workspace admin can connect one with `/meta pages`."
STEP_LINK_BAD = "The link must start with https:// or http://."
STEP_UNKNOWN = ("Something went wrong while talking to Meta (reference {ref}). It may or may not have been done: "
                "check before running the workflow again.")
STEP_BROKEN = "MetaOps could not start this step (reference {ref}). Try again in a minute."

# The "Send to customer…" message shortcut (metaops/forwarding.py, bot/shortcuts/send_to_customer.py).
FORWARD_TITLE = "Send to customer"
FORWARD_SUBMIT = "Send"
FORWARD_PREVIEW = ("This message goes to the customer you choose, as a reply in their thread (the same rules as a "
                   "reply written there):")
FORWARD_FILES = "With the files: {names}"
FORWARD_CUSTOMER_LABEL = "Customer"
FORWARD_CUSTOMER_HINT = "Customer threads in this channel, the most recently active first."
FORWARD_GROUP = "WhatsApp group {group}"
FORWARD_BY = ":outbox_tray: Sent to the customer by <@{user}> from a shortcut"
FORWARD_BY_FILES = ", with {names}"
FORWARD_NOTE = ("This message is an internal note (it starts with `note:` or `//`), and notes are never sent to "
                "customers. Nothing was sent.")
FORWARD_GUEST = ("Messages of people from other Slack workspaces (Slack Connect) are never sent to customers. "
                 "Nothing was sent.")
FORWARD_EMPTY = "This message has no text or files to send to a customer."
FORWARD_NONE = ("There are no customer threads in this channel. Use *Send to customer…* on a message in the channel "
                "where the customer's thread is.")
FORWARD_MESSAGES_ONLY = "*Send to customer…* works on a message: open a message's menu (⋮) and choose it there."
FORWARD_GONE = "This form has expired or is not yours. Use *Send to customer…* on the message again."
FORWARD_NOT_A_THREAD = "Choose one of this channel's customers from the list. Nothing was sent."
FORWARD_REPLIES_OFF = ("Replies from Slack are off in this workspace (alerts-only mode), so nothing is sent to "
                       "customers. An admin can turn them on with `/meta replies on`.")
FORWARD_POST_FAILED = ("Slack did not take the message into the customer's thread ({reason}). Nothing was sent; "
                       "try again.")
FORWARD_NOT_STORED = ":x: Not sent to the customer: it could not be stored for sending. Use the shortcut again."

# Saved replies (/meta saved, the saved-reply modals) and rich replies (the "More" modal).
SAVED_TITLE = "Saved reply"
SAVED_SAVE = "Save"
SAVED_NAME_LABEL = "Name"
SAVED_TEXT_LABEL = "Text"
SAVED_TEXT_HINT = ("Fields filled from the customer when it is used: {name}, {first_name}, {phone}, {business}. "
                   "For example: Hi {first_name}, thanks for writing to {business}!")
SAVED_SCOPE_LABEL = "Who can use it"
SAVED_SCOPE_MINE = "Only me"
SAVED_SCOPE_TEAM = "Everyone in this workspace"
SAVED_NAME_EMPTY = "Give the saved reply a name."
SAVED_NAME_LONG = "The name is {n} characters; at most {max}."
SAVED_TEXT_EMPTY = "Write the text of the saved reply."
SAVED_TEXT_LONG = "The text is {n} characters; at most {max}."
SAVED_UNKNOWN_FIELD = "Unknown field {fields}. The fields are {known}."
SAVED_NAME_TAKEN = "You have a saved reply called “{name}” already: choose another name."
SAVED_ADD_USAGE = "Usage: `/meta saved add NAME` (the modal asks for the text)."
SAVED_NONE = ("No saved replies yet. `/meta saved add NAME` adds one; in a customer thread, the root's *Saved reply* "
              "button or the *Saved reply…* message shortcut uses one.")
SAVED_LIST_HEAD = "*Saved replies* (use them from a customer thread: the root's *Saved reply* button or the message " \
    "shortcut *Saved reply…*)"
SAVED_TEAM_HEAD = "*Everyone's*"
SAVED_MINE_HEAD = "*Yours*"
SAVED_EDIT = "Edit"
SAVED_DELETE = "Delete"
SAVED_DELETE_CONFIRM = "Delete the saved reply “{name}”?"
SAVED_DELETED = "Deleted the saved reply “{name}”."
SAVED_ADDED = "Saved “{name}”."
SAVED_GONE = "That saved reply is gone (deleted, or not one of this workspace's)."
SAVED_NOT_YOURS = ("Only its author changes a member's saved reply, and only admins change the workspace's.")
SAVED_FORM_GONE = "This form is not one of this workspace's, or it has expired. Open it again."
SAVED_PICK_LABEL = "Saved reply"
SAVED_PICK_HINT = "Yours and the workspace's. Next you see it filled in for this customer, to edit before sending."
SAVED_PICK_NEXT = "Next"
SAVED_PICK_NONE = "Choose one of the saved replies."
SAVED_NO_REPLIES = ("There are no saved replies to use yet. `/meta saved add NAME` adds one.")
SAVED_SEND_LABEL = "Message to the customer"
SAVED_SEND_HINT = "Filled in for this customer; edit it as you like. It goes as a reply in the thread."
SAVED_UNFILLED = "This customer has no {fields}: write it in, or take the field out."
SAVED_BY = ":outbox_tray: Sent to the customer by <@{user}> from the saved reply “{name}”"
SAVED_BUTTON = "Saved reply"
RICH_BUTTON = "More…"
RICH_TITLE = "Rich reply"
RICH_NEXT = "Next"
RICH_SEND = "Send"
RICH_KIND_LABEL = "What to send"
RICH_KIND_LABELS = {"button": "Reply buttons", "list": "List", "cta_url": "Link button",
                    "location_request_message": "Location request", "quick": "Quick replies"}
RICH_KIND_NONE = "Choose what to send."
RICH_LABELS = {"header": "Header (optional)", "body": "Text", "footer": "Footer (optional)", "button": "Button text",
               "url": "Link (https://…)", "options": "Options"}
RICH_HINTS = {
    "button": "One to three buttons, one per line (at most 20 characters each). The customer taps one to answer.",
    "list": "One row per line: `Title | description` (title at most 24 characters, description at most 72); a line "
            "`# Section name` starts a section. At most 10 rows in all.",
    "quick": "Up to 13 quick replies, one per line, at most 20 characters each.",
}
RICH_BUTTON_HINTS = {"list": "The button that opens the list, at most 20 characters.",
                     "cta_url": "At most 20 characters."}
RICH_LOCATION_BUTTON = "Send location"
RICH_BY = ":outbox_tray: Sent to the customer by <@{user}>: {kind}"
RICH_NOT_A_THREAD = ("*Saved reply* and *More…* work in a customer's thread: use them on its root or on a message in "
                     "the thread.")
RICH_NO_KINDS = "Rich replies are not available for this kind of conversation."
RICH_WRONG_PLATFORM = "This rich reply does not fit this conversation's platform, so it was not sent."
THREAD_FORM_GUEST = ("People from other Slack workspaces (Slack Connect) cannot send to customers: nothing was sent.")
# Away hours (`/meta hours`, the modal, the thread line).
HOURS_TITLE = "*Opening hours and away messages*"
HOURS_NONE = "Nothing to set hours for yet: connect a WhatsApp number, a Page or an Instagram account first."
HOURS_ROW_OFF = "*{name}* ({platform}) — away message off"
HOURS_ROW_ON = "*{name}* ({platform}) — away message on, {tz}: {week}{holidays}"
HOURS_ROW_HOLIDAYS = "; {count} holiday(s)"
HOURS_EDIT = "Edit"
HOURS_GONE = "That number or Page is no longer connected to this workspace."
HOURS_SAVED = ":white_check_mark: Hours for *{name}* saved: away message {state}."
HOURS_TIME = ("“{part}” is not a time range: write HH:MM-HH:MM, for example 09:00-17:30 (several separated by "
              "commas)")
HOURS_BACKWARDS = ("{part} ends before it starts. For hours past midnight end this day at 24:00 and start the next "
                   "at 00:00")
HOURS_OVERLAP = "{first} and {second} overlap"
HOURS_TOO_MANY = "At most {count} ranges a day"
HOURS_DATE = "“{part}” is not a date: write YYYY-MM-DD, one a line (for example 2026-12-25)"
HOURS_TOO_MANY_DATES = "At most {count} holidays"
HOURS_ZONE = "“{zone}” is not a time zone: write an IANA name such as Europe/Paris or America/New_York"
HOURS_NO_TEXT = "Write the away message, or turn the away message off"
HOURS_LONG_TEXT = "At most {count} characters ({length} now)"
HOURS_TEMPLATE_GONE = "That template is no longer approved for this number: pick another or none"
AWAY_SENT = ":crescent_moon: Away message sent: “{text}” (closed {until})"
AWAY_SENT_TEMPLATE = ":crescent_moon: Away template *{name}* sent, the 24-hour window being closed (closed {until})"
AWAY_SKIPPED = (":crescent_moon: Away message not sent: the 24-hour window is closed and no template is chosen in "
                "`/meta hours`.")
AWAY_SKIPPED_WINDOW = (":crescent_moon: Away message not sent: more than 24 hours passed since the customer wrote, "
                       "so Meta would not take it.")
AWAY_TEMPLATE_UNUSABLE = "the template {name} needs values filled in or the customer stopped marketing messages"
AWAY_REFUSED = ":crescent_moon: Away message not sent: {reason}"
AWAY_UNKNOWN = ":crescent_moon: Away message: Meta's answer never came ({reason}); it is not sent again."
AWAY_UNTIL = "until {day} {time} {tz}"
AWAY_UNTIL_UNKNOWN = "with no opening in sight"
# Coexistence history (the WhatsApp Business app's chats before onboarding) and its import, `/meta history`.
HISTORY_AVAILABLE = (":file_cabinet: The WhatsApp Business app history of {number} is arriving from Meta ({count} "
                     "messages so far). Nothing is posted until an admin imports it: `/meta history` shows what "
                     "arrived, `/meta history import {arg}` posts it into the customer threads.")
HISTORY_DECLINED = (":no_entry_sign: The business declined to share the WhatsApp Business app chat history of "
                    "{number}{reason}: there is nothing to import.")
HISTORY_UNREADABLE = ":grey_question: A history webhook for {number} had nothing readable ({why})."
HISTORY_HEADER = ":file_cabinet: From the WhatsApp Business app, before {before} · {day} · {count} messages"
HISTORY_FROM_BUSINESS = ":iphone: _business_"  # marks a message the business sent from the app
HISTORY_MEDIA_NO_FILE = "(the file was not shared with the history)"
HISTORY_LINE = "<!date^{ts}^{{time}}|{utc} UTC>  {who}{body}"
HISTORY_POST = "History from the WhatsApp Business app: {count} messages of {day}"
HISTORY_PROGRESS = (":hourglass_flowing_sand: Importing the WhatsApp Business app history of {number}: {done} of "
                    "{total} messages ({pct}%) into customer threads. Nothing is sent to customers.")
HISTORY_DONE = (":white_check_mark: Imported the WhatsApp Business app history of {number}: {done} messages in "
                "{threads} customer threads. Nothing was sent to customers.")
HISTORY_NONE = ("No WhatsApp Business app history has arrived. Meta sends it once, after a number that was on the "
                "WhatsApp Business app is onboarded and its business agrees to share it (the `history` webhook field).")
HISTORY_LINE_NUMBER = "*{number}*: {what}"
HISTORY_ARRIVED = "{total} messages with {threads} customers arrived ({phase}){imported}"
HISTORY_COMPLETE = "complete"
HISTORY_ARRIVING = "still arriving: phase {phase}, {progress}%"
HISTORY_IMPORTED = "; {imported} imported"
HISTORY_IMPORTING = "; importing now ({imported} of {total})"
HISTORY_IMPORT_HINT = " · `/meta history import {arg}`"
HISTORY_DECLINED_LINE = "the business declined to share its history{reason}"
HISTORY_USAGE = "Use `/meta history` to see what arrived, `/meta history import NUMBER` to import a number's history."
HISTORY_UNKNOWN_NUMBER = "No history arrived for `{arg}`. `/meta history` lists the numbers that have one."
HISTORY_NOTHING = "Everything that arrived for {number} is imported already."
HISTORY_NO_CHANNEL = "There is no channel for customer messages yet: run `/meta connect` or `/meta route messages`."
HISTORY_STARTED = ("Importing {count} messages of {number} into <#{channel}>, at Slack's pace; the progress shows "
                   "there. Nothing is sent to customers.{partial}")
HISTORY_PARTIAL = (" Meta is still sending this history ({progress}%): run the command again when it is complete to "
                   "import what arrives later.")
