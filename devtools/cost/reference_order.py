"""How long the ids of the model's reference order are, so that the footprint and the counted run measure one order.

An event's size, and with it its stored copy's write units and its bytes in the log and the archive, grows with the
ids it carries (the order's, its customer's, its products', its correlation id). The model cannot know what producers
will send, so it says it here: the footprint test (tests/workflow/test_cost_footprint.py) builds its orders with these
lengths and the counted run (`make cost-check`) builds its own, unique to the run, with the same ones. Orders,
customers and correlation ids are UUID-long (what most producers send); SKUs are 12 characters. The rest of an id is
hexadecimal digits that look random, as a UUID's do: the event store keeps events compressed, and ids padded with
zeros compressed so well that the footprint's stored events came out smaller than the counted run's.
"""

from __future__ import annotations

import hashlib

# An SQS message id (intake's causationId when the producer sent its own correlation id) is a UUID too.
ID_LENGTHS = {"order": 36, "customer": 36, "correlation": 36, "message": 36, "sku": 12}
CUSTOMER_NAME = "Ada Lovelace"
CUSTOMER_TIER = "GOLD"


def reference_id(kind: str, prefix: str, number: int = 0) -> str:
    """`<prefix><number>-<hex digits>`, as long as a `kind` id; the same arguments give the same id."""
    length = ID_LENGTHS[kind]
    start = f"{prefix}{number}-"
    if len(start) >= length:
        raise ValueError(f"{prefix!r} leaves no room for {number} in a {kind} id of {length} characters")
    return start + hashlib.sha256(start.encode()).hexdigest()[: length - len(start)]
