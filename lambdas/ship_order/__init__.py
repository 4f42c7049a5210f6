"""ShipOrder: book the order's shipment, the same one however often it runs; the workflow records it on the order."""
