"""Query the event store and replay the archive: `python -m ops.event_store --help`."""
