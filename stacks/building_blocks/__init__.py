"""The building blocks the stacks are composed of: a Powertools function, a DLQ, the stream pipe, the order intake,
the order workflow, alarms, and the small helpers they share. Nothing here is a stack or reads the config file."""
