"""The table's current items delivered as events to one consumer: `python -m ops.backfill`."""
