"""Campaigns (`/meta campaign`): one approved WhatsApp template sent to a list of customers from a file shared in
Slack, checked and priced before anything is sent."""
