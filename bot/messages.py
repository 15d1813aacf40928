"""Every text a user sees in Slack, in one place."""

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
• `/meta admins` | `admins add @user` | `admins remove @user`"""

NOT_YET = "`/meta {word}` is not available yet in this version.\n\n" + HELP
UNKNOWN = "I don't know `/meta {word}`.\n\n" + HELP

# Notifications. Customer text is escaped before it is put in these.
WA_MESSAGE = "{who}: {body}"
WA_FAILED = ":warning: WhatsApp message to {recipient} failed: {code} {title}{details}"
UNKNOWN_CONTACT = "Unknown contact"

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
