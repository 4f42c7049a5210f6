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
}
