"""Code the handlers share, one concern per module.

The CDK app and the event contract (`event_contract/`, outside every function's asset) import `entities`,
`table_keys`, `event_store_keys` and `orders` (for OrderStatus) from here, so those may import only the stdlib and
msgspec, never boto3, botocore or Powertools. The others (`table`, `errors`, `observability`, `settings`,
`validation`, `dynamodb_json`, `catalogue`) are for the functions and for the tools that write the table the way the
functions do.
"""
