"""docs/events.md and the released schemas (docs/schemas/v<N>/), generated from the event contract."""
