"""Code the handlers share, one concern per module.

The CDK app imports `entities`, `table_keys`, `event_store_keys` and `orders` (for OrderStatus) from here, so those
four may import only the stdlib and pydantic (which the app has too), never boto3, botocore or Powertools. The
others (`table`, `errors`, `observability`, `settings`, `validation`, `dynamodb_json`, `catalogue`) are for the
functions and for the tools that write the table the way the functions do.
"""
