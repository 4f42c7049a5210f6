"""The intake pipe's enrichment: each order message gets a snapshot of its customer, looked up once per batch."""
