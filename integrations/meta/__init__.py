"""Meta's side: the Graph API client, OAuth, webhook signatures and payload parsing."""
