"""The order sweeper: restarts the workflow for orders left open too long; counts those left open far too long."""
