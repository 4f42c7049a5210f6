"""What each `schemaVersion` changed, for consumers (docs/events.md lists it). Every released version has a line:
`make events` refuses to write the catalog otherwise."""

from __future__ import annotations

CHANGES = {
    "1": "the first release: Order, Customer, Product and Shipment events.",
    "2": "Shipment events (ShipmentCreated, ShipmentUpdated, ShipmentDeleted) are no longer published: the order "
    "carries its shipment (`shipmentId`, and the new `shippedAt`), set with its SHIPPED status in one change "
    "(docs/decisions.md, 29). ProductUpdated is published when more than a product's `stock` changed: a "
    "reservation or its release is on the order's RESERVED or FAILED event, not a ProductUpdated per product "
    "(decision 30). `data` and `previous` no longer carry the table's index attributes, which were optional (`gsi1pk`, "
    "`gsi1sk`, `openShard`, `openSince`; decision 31). The schemas are otherwise "
    "those of version 1, with `shippedAt` added to orders.",
    "3": "personal fields are withheld from every event: a customer's `name` and `email` on Customer events and on "
    "the order's `customer` snapshot stay in the table, where they can be erased (`ops.privacy`), and "
    "`metadata.withheld` lists the ones the item has. A consumer that needs them reads the customer's item with the "
    "Data stack's `grant_read_personal_data`. A change to an order's personal fields alone (their erasure) is no "
    "event; a customer's is a CustomerUpdated, whose `data` may then equal its `previous`. Customer items may carry "
    "`erasure` (when, by whom, what was erased; decision 33).",
}
