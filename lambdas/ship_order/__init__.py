"""ShipOrder: create the order's shipment, exactly once however often it runs."""
