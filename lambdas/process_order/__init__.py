"""ProcessOrder: validate an order, take its customer (intake's snapshot, else the table's), compute totals and
plan the stock reservation."""
