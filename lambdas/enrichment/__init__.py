"""The stream pipe's enrichment: DynamoDB stream records in, domain-event envelopes out."""
