"""Which region's stream pipe publishes an environment's changes, and moving that to the other region."""
