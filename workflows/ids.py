"""Workflow ids derived from user input, always within Temporal's limit.

Temporal refuses ids over 1,000 characters (FACTS.md); a child start over it fails the workflow task on every
retry. Names are checked (1-255 characters each), but several joined together, or appended to a workflow id the
user chose, can pass the limit: then the id keeps a readable prefix and ends with a hash of the whole, so it is
still deterministic (same input, same id, on every replay) and distinct. Short ids are returned unchanged, so
the ids of every recorded history stay as they were.
"""

import hashlib

MAX_WORKFLOW_ID_LENGTH = 1000
HASH_LENGTH = 16


def bounded_id(raw: str, limit: int = MAX_WORKFLOW_ID_LENGTH) -> str:
    """`raw` if it fits in `limit` UTF-8 bytes, else its first bytes + '~' + a hash of all of it."""
    encoded = raw.encode("utf-8")
    if len(encoded) <= limit:
        return raw
    digest = hashlib.sha256(encoded).hexdigest()[:HASH_LENGTH]
    prefix = encoded[: limit - HASH_LENGTH - 1].decode("utf-8", errors="ignore")
    return f"{prefix}~{digest}"


def child_id(parent_id: str, *parts: str) -> str:
    """`{parent_id}/{part}/...` within the limit, whatever length the parent's id has."""
    return bounded_id("/".join((parent_id, *parts)))
