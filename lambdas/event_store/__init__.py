"""Event store: every event on the bus, stored once, indexed by aggregate, type and time."""
