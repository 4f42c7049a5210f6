"""ProcessOrder: validate an order, enrich it with its customer, compute totals and plan the stock reservation."""
