"""Code the handlers share, one concern per module.

The CDK app imports `entities`, `table_keys`, `event_store_keys`, `orders` (for OrderStatus) and `contracts` (the
event schemas) from here, so those may import only the stdlib, msgspec and pydantic (which the app has too), never
boto3, botocore or Powertools. No handler imports `contracts` (pydantic): the functions validate with msgspec. The
others (`table`, `errors`, `observability`, `settings`, `validation`, `dynamodb_json`, `catalogue`) are for the
functions and for the tools that write the table the way the functions do.
"""
