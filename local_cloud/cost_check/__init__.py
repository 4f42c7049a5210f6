"""`python -m local_cloud.cost_check [--orders N] [--rate R]` (`make cost-check`): a counted run in the local cloud.

It sends N orders of the cost model's default mix (devtools/cost/inputs.py, Traffic: rejected, invalid, backordered
and high-value shares, two distinct products an order) through the intake queue at R orders a second
(`counted_run.py`), waits until every accepted order is settled and its events are stored, then counts what they
caused (`effects.py`) and prints each count next to the model's figure for the same traffic (`comparison.py`: its
per-order footprint, its batch fill at the run's rate, the local environment's templates). It exits 1 when a
counted quantity the model prices differs by more than 10%.

Counted: bus events (the event store keeps each once) and order events; table write units, from the stream's before
and after images (devtools/cost/measured_writes.py); event-store write units, from the stored items; API
destination calls (the Momento stand-in's log); workflow executions, their states and Lambda tasks (Step Functions'
histories); records per batch of the stream pipe and messages per batch of the intake pipe (the pipes runner's log).
Not counted, and said so: what MiniStack's own SQS event source does (the event store's invocations and receives),
and reads.
"""
