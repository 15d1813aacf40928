"""The webhook fields the app offers per Meta object, each with one line saying what it brings, and which of them
came with the platform as of December 2026 (a workspace that configured before is told which of those it lacks).

Checked against Meta's references (2026-12): WhatsApp's webhook field reference and its Standby webhooks,
messaging_handovers and Groups API webhook pages; the Messenger Platform's webhook events reference."""

from __future__ import annotations

WHATSAPP = {
    "messages": "customer messages and the statuses of what the team sends",
    "message_template_status_update": "a template approved, rejected, paused or disabled",
    "template_category_update": "Meta moved a template to another category",
    "message_template_quality_update": "a template's quality score changed",
    "phone_number_quality_update": "a number's quality rating or messaging limit changed",
    "account_update": "the account's verification, restrictions, violations or offboarding",
    "account_alerts": "a number's messaging limit, business profile or Official Business Account status changed",
    "user_preferences": "a customer stopped or resumed marketing messages",
    "smb_message_echoes": "messages sent from the WhatsApp Business app on the same number",
    "smb_app_state_sync": "contacts added, edited or removed in the WhatsApp Business app",
    "history": "the chat history the WhatsApp Business app shares when a number joins",
    "calls": "calls the customer places or answers, and their outcome",
    "standby": "conversations Meta's AI agent holds: the customer's messages and the agent's replies",
    "messaging_handovers": "every change of who holds a conversation (Meta's AI agent or the team)",
    "group_lifecycle_update": "a group created or deleted",
    "group_participants_update": "people joining, asking to join or leaving a group",
    "group_settings_update": "a group's subject, description or settings changed",
    "group_status_update": "a group suspended or reinstated by WhatsApp",
}
PAGE = {
    "messages": "Messenger messages to the Page",
    "messaging_postbacks": "buttons and menu items pressed in Messenger",
    "feed": "comments, posts and other changes on the Page",
    "message_echoes": "messages the Page sent, from any app or inbox",
    "message_reactions": "reactions to the Page's messages",
    "message_reads": "the customer read the Page's messages",
    "message_deliveries": "the Page's messages reached the customer",
    "message_edits": "a customer edited a message",
    "standby": "conversations another app or Meta's AI agent holds: the customer's messages and their replies",
    "messaging_handovers": "every change of which app holds a conversation",
}
INSTAGRAM = {
    "messages": "Instagram Direct messages",
    "comments": "comments on the account's media",
    "mentions": "the account mentioned in a caption or comment",
}
# Fields offered since the December 2026 release: a subscription saved before lacks them until configured again.
NEW = {
    "whatsapp_business_account": ("standby", "messaging_handovers", "calls", "account_alerts", "history",
                                  "smb_app_state_sync", "group_lifecycle_update", "group_participants_update",
                                  "group_settings_update", "group_status_update"),
    "page": ("message_echoes", "message_reactions", "message_reads", "message_deliveries", "message_edits", "standby",
             "messaging_handovers"),
}
