"""The customer as the intake pipe's enrichment attaches it to an order message and intake stores it on the order.

The run-time twin of `contracts.CustomerSnapshot` (which documents it in the event schemas); a contract test keeps
their fields equal. It is msgspec, not the contract's pydantic, so that no handler pays pydantic's import.
"""

from __future__ import annotations

import msgspec

from lambdas.shared.orders import Id

# The key the intake pipe's enrichment adds to each SQS record: the customer's snapshot, or null for an unknown one.
CUSTOMER_SNAPSHOT_KEY = "customerSnapshot"


class CustomerSnapshot(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    customer_id: Id
    name: str
    email: str
    tier: str | None = None


# The snapshot's attributes by their names in the table (and in the event).
SNAPSHOT_ATTRIBUTES = tuple(field.encode_name for field in msgspec.structs.fields(CustomerSnapshot))
