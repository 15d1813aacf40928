"""Whether a user token still reaches a WhatsApp Business Account, a Page or an Instagram account."""

from __future__ import annotations

from integrations.meta.errors import GraphError, Throttled, TokenInvalid, Unavailable
from integrations.meta.graph import GraphClient


def reaches(graph: GraphClient, user_token: str, asset_id: str, page: bool = False) -> bool:
    """`GET /{asset-id}?fields=id` with the token. A Page is public, so for a Page the answer must also carry
    the Page's `access_token`, which Meta gives only to people with a task on it. True: Meta answered with the
    asset; False: Meta refused it (no access, a permission gone, no such object). Raises TokenInvalid when the
    token itself no longer works, Unavailable or Throttled when Meta could not say."""
    try:
        answer = graph.get(asset_id, user_token, fields="id,access_token" if page else "id")
    except (TokenInvalid, Unavailable, Throttled):
        raise
    except GraphError:
        return False
    return str(answer.get("id")) == asset_id and (not page or bool(answer.get("access_token")))
