"""Code shared by the handlers. Modules here that the CDK app imports (table_keys, entities) use only the stdlib."""
