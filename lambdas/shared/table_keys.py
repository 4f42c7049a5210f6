"""Key names of the single table: the one definition the Data stack, the handlers and the tests share."""

from typing import NamedTuple

PARTITION_KEY = "pk"
SORT_KEY = "sk"
# Epoch seconds; DynamoDB deletes the item some time after it passes (and that REMOVE is never an event).
TTL_ATTRIBUTE = "expiresAt"


class IndexKeys(NamedTuple):
    name: str
    partition_key: str
    sort_key: str


GSI1 = IndexKeys(name="GSI1", partition_key="gsi1pk", sort_key="gsi1sk")
